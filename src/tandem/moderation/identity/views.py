"""Identity reveal pages: ask (from a person's page), decide (the request's page), and look.

An identity is only ever shown in the body of a POST response, never on a page reached by a
link or kept in a URL: it does not linger in browser history or in a shared screen's back
button.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.accounts.requests import current_user
from tandem.core.forms import attach_service_error
from tandem.moderation import access as moderation_access
from tandem.moderation.forms import RevealForm
from tandem.moderation.identity import access, selectors, services
from tandem.moderation.identity.services import RevealedIdentity
from tandem.moderation.models import RevealRequest
from tandem.moderation.views.people import render_person


@require_POST
def reveal_request_create(request: HttpRequest, community_id: int, user_id: int) -> HttpResponse:
    """A moderator asks to learn who is behind a pseudonym; nothing is shown yet."""
    user = current_user(request)
    staff = moderation_access.get_community_for_moderator(user, community_id)
    community = staff.community
    subject = moderation_access.get_subject_for_moderator(user, community, user_id)
    moderation_access.check_can_reveal_identity(staff)
    form = RevealForm(request.POST)
    if form.is_valid():
        try:
            reveal = services.request_reveal(
                moderator=user,
                community=community,
                subject=subject,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "Asked. A second moderator, or someone on the clinical escalation rota, "
                    "must approve before you see who this is."
                ),
            )
            return redirect("moderation:reveal-detail", reveal_id=reveal.pk)
    return render_person(request, staff, subject, reveal_form=form, status=400)


def _render_reveal(
    request: HttpRequest,
    reveal: RevealRequest,
    *,
    identity: RevealedIdentity | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = current_user(request)
    context = {
        "reveal": reveal,
        "community": reveal.community,
        "identity": identity,
        "error": error,
        "can_decide": reveal.is_open and access.may_decide(user, reveal),
        "is_asker": reveal.requested_by_id == user.pk,
        "can_look": identity is None and access.may_see_identity(user, reveal),
    }
    return render(request, "moderation/reveal_detail.html", context, status=status)


def reveal_detail(request: HttpRequest, reveal_id: int) -> HttpResponse:
    reveal = access.get_reveal_request_for_reviewer(current_user(request), reveal_id)
    return _render_reveal(request, reveal)


@require_POST
def reveal_approve(request: HttpRequest, reveal_id: int) -> HttpResponse:
    """The second key: approve, and see the identity on this response."""
    user = current_user(request)
    reveal = access.get_reveal_request_for_reviewer(user, reveal_id)
    try:
        identity = services.approve_reveal(approver=user, reveal=reveal)
    except ValidationError as error:
        return _render_reveal(request, reveal, error=" ".join(error.messages), status=409)
    return _render_reveal(request, reveal, identity=identity)


@require_POST
def reveal_decline(request: HttpRequest, reveal_id: int) -> HttpResponse:
    user = current_user(request)
    reveal = access.get_reveal_request_for_reviewer(user, reveal_id)
    try:
        services.decline_reveal(decider=user, reveal=reveal)
    except ValidationError as error:
        return _render_reveal(request, reveal, error=" ".join(error.messages), status=409)
    messages.success(request, _("Declined. The moderator who asked has been told."))
    return redirect("moderation:reveal-detail", reveal_id=reveal.pk)


@require_POST
def reveal_show(request: HttpRequest, reveal_id: int) -> HttpResponse:
    """The asker (or the approver) looks at an approved identity again, on this response."""
    user = current_user(request)
    reveal = access.get_reveal_request_for_reviewer(user, reveal_id)
    identity = selectors.identity_for(user, reveal)
    return _render_reveal(request, reveal, identity=identity)
