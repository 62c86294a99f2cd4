"""The person's own questionnaires: the list, answering one, and its result."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_GET, require_POST

from tandem.accounts import selectors as account_selectors
from tandem.accounts.models import User
from tandem.accounts.requests import current_user
from tandem.core.forms import attach_service_error
from tandem.questionnaires import selectors, services
from tandem.questionnaires.access import get_instrument_or_404, get_response_for_owner
from tandem.questionnaires.explain import explain, explain_change
from tandem.questionnaires.forms import AnswerForm, NoteForm
from tandem.questionnaires.instruments import Instrument
from tandem.questionnaires.models import Response
from tandem.questionnaires.safety import follow_up_reasons
from tandem.questionnaires.views.common import service_user_only
from tandem.toolbox import selectors as toolbox_selectors

# The crisis plan sections a follow-up shows first: what to notice, what helps, who to call.
FOLLOW_UP_SECTIONS = ("warning_signs", "coping_alone", "help_people", "professionals")


@require_GET
@service_user_only
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    summaries = selectors.summaries_for_owner(user, timezone.localdate())
    titles = {summary.instrument.key: summary.instrument.title for summary in summaries}
    return render(
        request,
        "questionnaires/questionnaire_list.html",
        {
            "summaries": summaries,
            "due": [s for s in summaries if s.due_on is not None],
            # Each proposal with its questionnaire's title (any offered one is in summaries).
            "proposals": [
                (proposal, titles.get(proposal.instrument, proposal.instrument))
                for proposal in selectors.waiting_proposals(user)
            ],
        },
    )


@method_decorator(service_user_only, name="dispatch")
class ResponseCreateView(View):
    """One page per instrument: answer, save half-way, come back, send."""

    http_method_names = ["get", "post"]

    def _render(
        self, request: HttpRequest, instrument: Instrument, form: AnswerForm, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "questionnaires/response_create.html",
            {
                "instrument": instrument,
                # "en" on a page in bokmål: the published English texts are marked as such.
                "text_lang": instrument.text_language_on(get_language()),
                "form": form,
                # A fresh key each time the page is built; a resent form keeps the one it had.
                "client_key": form.data.get("client_key") or uuid.uuid4().hex,
            },
            status=status,
        )

    def get(self, request: HttpRequest, instrument_key: str) -> HttpResponse:
        instrument = get_instrument_or_404(instrument_key, current_user(request))
        draft = selectors.draft_for_owner(current_user(request), instrument)
        initial: dict[str, Any] = {"version": instrument.version}
        if draft is not None:
            initial.update({f"item_{key}": value for key, value in draft.answers.items()})
        return self._render(request, instrument, AnswerForm(instrument, initial=initial))

    def post(self, request: HttpRequest, instrument_key: str) -> HttpResponse:
        user = current_user(request)
        instrument = get_instrument_or_404(instrument_key, user)
        form = AnswerForm(instrument, request.POST)
        if not form.is_valid():
            return self._render(request, instrument, form, status=400)
        try:
            if not form.submitting:
                services.save_draft(owner=user, instrument=instrument, answers=form.answers())
                messages.success(
                    request, _("Your answers are saved. You can come back and finish later.")
                )
                return redirect("questionnaires:response-create", instrument_key=instrument.key)
            response = services.submit_response(
                owner=user,
                instrument=instrument,
                answers=form.answers(),
                client_key=form.cleaned_data["client_key"],
            )
        except ValidationError as error:
            attach_service_error(form, error)
            return self._render(request, instrument, form, status=400)
        return redirect("questionnaires:response-detail", response_id=response.pk)


@require_GET
@service_user_only
def response_detail(request: HttpRequest, response_id: int) -> HttpResponse:
    user = current_user(request)
    return _result_page(request, user, get_response_for_owner(user, response_id))


@require_POST
@service_user_only
def response_note(request: HttpRequest, response_id: int) -> HttpResponse:
    """The owner writes, changes, shares or removes their note on one response; bad input
    shows the result page again with the note as typed (400)."""
    user = current_user(request)
    response = get_response_for_owner(user, response_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.set_note(
                response=response,
                text=form.cleaned_data["note"],
                shared=form.cleaned_data["shared"],
            )
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(request, _("Your note is saved."))
            return redirect("questionnaires:response-detail", response_id=response.pk)
    return _result_page(request, user, response, form, status=400)


def _result_page(
    request: HttpRequest,
    user: User,
    response: Response,
    note_form: NoteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    result = selectors.scored(response)
    note_form = note_form or NoteForm(
        initial={"note": response.note, "shared": response.note_shared}
    )
    context: dict[str, Any] = {"result": result, "note_form": note_form}
    if result is not None:
        reasons = follow_up_reasons(result.score)
        previous = selectors.previous_response(user, response)
        change = (
            result.score.value - previous.score.value
            if previous and previous.score.value is not None and result.score.value is not None
            else None
        )
        context.update(
            explanation=explain(result.instrument, result.score),
            change=explain_change(result.instrument, change),
            follow_up=bool(reasons),
        )
        if reasons:
            services.record_follow_up(response=response, reasons=reasons)
            plan = toolbox_selectors.crisis_plan_for_owner(user)
            organisation = account_selectors.primary_organisation_for_user(user)
            context.update(
                plan_sections=[
                    section
                    for section in toolbox_selectors.crisis_plan_sections(plan)
                    if section.key in FOLLOW_UP_SECTIONS and section.lines
                ],
                contacts=account_selectors.crisis_contacts_for_organisation(organisation),
            )
    return render(request, "questionnaires/response_detail.html", context, status=status)
