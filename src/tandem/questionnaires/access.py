"""Gates for a person's own questionnaires. Reads by anyone else go through
``care.access.get_module_access_for_viewer`` (the grant and the access log) instead."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from tandem.accounts.models import User
from tandem.care.access import (
    ItemAccess,
    ModuleAccess,
    get_item_access_for_viewer,
    get_module_access_for_viewer,
)
from tandem.care.models import Module
from tandem.questionnaires import catalogue
from tandem.questionnaires.access_log import RESPONSE
from tandem.questionnaires.instruments import Instrument, get_instrument
from tandem.questionnaires.models import ProposalStatus, Response, ScheduleProposal


def get_instrument_or_404(key: str, user: User | None = None) -> Instrument:
    """The instrument ``key`` as it is answered now: a built-in one, or (with ``user``) a
    custom one offered to them (``catalogue.offered_to``'s rule); else Http404."""
    instrument = catalogue.to_answer(user, key) if user is not None else get_instrument(key)
    if instrument is None:
        raise Http404
    return instrument


def get_instrument_to_review_or_404(user: User, key: str) -> Instrument:
    """The instrument whose scores ``user`` looks back on: one they may answer now, or a custom
    one no longer offered (archived, or its author no longer in their care) that they answered,
    by the version they answered last; else Http404."""
    instrument = catalogue.to_answer(user, key)
    if instrument is not None:
        return instrument
    last = (
        Response.objects.filter(owner=user, instrument=key, submitted_at__isnull=False)
        .order_by("-submitted_at", "-pk")
        .values_list("version", flat=True)
        .first()
    )
    found = catalogue.resolve([(key, last)]).get((key, last)) if last is not None else None
    if found is None:
        raise Http404
    return found


def get_response_for_owner(user: User, response_id: int) -> Response:
    """One of ``user``'s submitted responses, else Http404 ("missing" and "someone else's"
    look the same)."""
    response = Response.objects.filter(
        pk=response_id, owner=user, submitted_at__isnull=False
    ).first()
    if response is None:
        raise Http404
    return response


def get_response_for_viewer(
    viewer: User | AnonymousUser, owner_id: int, response_id: int
) -> ItemAccess[Response]:
    """One submitted response of ``owner_id``, answers and all, for ``viewer``: the owner, or a
    provider with at least a view grant on the questionnaires module (care's rule). A
    provider's opening is written to the owner's access log as a read of that response ("your
    answers to PHQ-9 of …"). Http404 for anyone else, and for a draft, a missing response or
    someone else's (recorded as a refused read when the viewer may not see the module)."""
    return get_item_access_for_viewer(
        viewer,
        owner_id,
        Module.QUESTIONNAIRES,
        kind=RESPONSE,
        fetch=lambda owner: get_response_for_owner(owner, response_id),
    )


def get_owner_to_propose_to(viewer: User | AnonymousUser, owner_id: int) -> ModuleAccess:
    """How a provider may propose check-ins to ``owner_id``: with a grant of at least view on
    the questionnaires module (care's rule; the page shows the person's schedules, so it is a
    logged read). The person themselves sets their own schedules instead, and everyone else
    is refused: Http404."""
    access = get_module_access_for_viewer(viewer, owner_id, Module.QUESTIONNAIRES)
    if access.is_owner:
        raise Http404
    return access


def get_waiting_proposal_for_owner(user: User, proposal_id: int) -> ScheduleProposal:
    """A proposal made to ``user`` still waiting for their answer, else Http404 (someone
    else's, missing and already answered look the same)."""
    proposal = (
        ScheduleProposal.objects.filter(pk=proposal_id, owner=user, status=ProposalStatus.WAITING)
        .select_related("provider")
        .first()
    )
    if proposal is None:
        raise Http404
    return proposal
