"""Check-ins a provider proposes (on the care team's side) and the person answers (on theirs)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from tandem.accounts.models import User
from tandem.accounts.requests import current_user
from tandem.core.forms import attach_service_error
from tandem.questionnaires import catalogue, proposals, selectors
from tandem.questionnaires.access import (
    get_owner_to_propose_to,
    get_waiting_proposal_for_owner,
)
from tandem.questionnaires.forms import ProposalForm
from tandem.questionnaires.instruments import Instrument
from tandem.questionnaires.models import Unit
from tandem.questionnaires.views.common import service_user_only


def _offered(owner: User) -> list[Instrument]:
    return [*catalogue.built_in(), *catalogue.offered_to(owner)]


class ScheduleProposeView(View):
    """A provider with the person's questionnaires grant proposes check-ins; the person is
    told and decides."""

    http_method_names = ["get", "post"]

    def _render(
        self, request: HttpRequest, owner: User, form: ProposalForm, status: int = 200
    ) -> HttpResponse:
        titles = {instrument.key: instrument.title for instrument in form.instruments}
        return render(
            request,
            "questionnaires/schedule_propose.html",
            {
                "owner": owner,
                "form": form,
                # Each schedule already on, with its questionnaire's title.
                "schedules": [
                    (schedule, titles.get(schedule.instrument, schedule.instrument))
                    for schedule in selectors.schedules_for_owner(owner)
                ],
            },
            status=status,
        )

    def get(self, request: HttpRequest, owner_id: int) -> HttpResponse:
        owner = get_owner_to_propose_to(request.user, owner_id).owner
        initial = {"every": 2, "unit": Unit.WEEKS, "starts_on": timezone.localdate()}
        form = ProposalForm(initial=initial, instruments=_offered(owner))
        return self._render(request, owner, form)

    def post(self, request: HttpRequest, owner_id: int) -> HttpResponse:
        owner = get_owner_to_propose_to(request.user, owner_id).owner
        instruments = _offered(owner)
        form = ProposalForm(request.POST, instruments=instruments)
        if form.is_valid():
            data = form.cleaned_data
            instrument = next(i for i in instruments if i.key == data["instrument"])
            try:
                proposals.propose_schedule(
                    provider=current_user(request),
                    owner=owner,
                    instrument=instrument,
                    every=data["every"],
                    unit=data["unit"],
                    starts_on=data["starts_on"],
                )
            except ValidationError as error:
                attach_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("Proposed. %(name)s is told, and chooses whether to accept.")
                    % {"name": owner.get_full_name()},
                )
                return redirect("questionnaires:shared-questionnaires", owner_id=owner.pk)
        return self._render(request, owner, form, status=400)


@require_POST
@service_user_only
def proposal_answer(request: HttpRequest, proposal_id: int, answer: str) -> HttpResponse:
    """The person accepts or declines a proposal made to them (``answer``: the URL's
    "accept" or "decline")."""
    proposal = get_waiting_proposal_for_owner(current_user(request), proposal_id)
    accept = answer == "accept"
    try:
        proposals.answer_proposal(proposal=proposal, accept=accept)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("questionnaires:list")
    messages.success(
        request,
        _("The check-ins are on. You can stop them at any time.")
        if accept
        else _("You declined the check-ins. Nothing was scheduled."),
    )
    return redirect("questionnaires:list")
