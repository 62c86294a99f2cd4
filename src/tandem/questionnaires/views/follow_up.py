"""The links of a safety follow-up: "my crisis plan" and "call" go through these small
redirects, which note (the first time) that the person used them.

They never stand in the person's way: the way out does not depend on the note being written
(a database error is logged and the redirect still happens), nor on the response (a link
kept from a response that is gone still leads to the plan or the call). The URL carries ids
only; nothing is recorded about which contact was called.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, transaction
from django.http import Http404, HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from tandem.accounts import selectors as account_selectors
from tandem.accounts.requests import current_user
from tandem.questionnaires import services
from tandem.questionnaires.access import get_response_for_owner
from tandem.questionnaires.views.common import service_user_only

logger = logging.getLogger(__name__)


class TelephoneRedirect(HttpResponseRedirect):
    """A redirect to a ``tel:`` address (Django allows only web schemes by default)."""

    allowed_schemes = ["tel"]


def _note(request: HttpRequest, response_id: int, action: str) -> None:
    """Record what the person did, if the response is theirs; never raise."""
    try:
        response = get_response_for_owner(current_user(request), response_id)
        with transaction.atomic():
            services.record_follow_up_action(response=response, action=action)
    except Http404:
        return
    except DatabaseError:
        logger.exception("Could not record a follow-up action; the person was sent on.")


@require_GET
@service_user_only
def follow_up_plan(request: HttpRequest, response_id: int) -> HttpResponseBase:
    _note(request, response_id, "plan")
    return redirect("toolbox:crisis-plan")


@require_GET
@service_user_only
def follow_up_call(request: HttpRequest, response_id: int, contact_id: int) -> HttpResponseBase:
    organisation = account_selectors.primary_organisation_for_user(current_user(request))
    contacts = account_selectors.crisis_contacts_for_organisation(organisation)
    contact = next((c for c in contacts if c.pk == contact_id), None)
    if contact is None:
        raise Http404
    _note(request, response_id, "call")
    if not contact.phone:
        return redirect("web:crisis")
    return TelephoneRedirect("tel:" + contact.phone.replace(" ", ""))
