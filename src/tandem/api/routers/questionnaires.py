"""Questionnaires: the person's list (latest scores, what is due), an instrument's questions,
and answering one. Only service users answer questionnaires; for anyone else these do not
exist (404), as the pages say. Answers are checked by the pages' ``AnswerForm`` (the version
answered, the options offered) and stored by ``questionnaires.services.submit_response``.

A care provider reads someone's questionnaires in Tandem (``/people/<id>/questionnaires/``);
that page's trends are charts, not yet offered here.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Status

from tandem.accounts.models import Role
from tandem.accounts.requests import roles_of
from tandem.api.routers.common import REFUSALS, WRITE_REFUSALS, Id, checked, person
from tandem.api.schemas import AnswersIn, InstrumentOut, ResponseOut, SummaryOut
from tandem.questionnaires import selectors, services
from tandem.questionnaires.access import get_instrument_or_404, get_response_for_owner
from tandem.questionnaires.forms import SUBMIT, AnswerForm
from tandem.questionnaires.instruments import Instrument
from tandem.questionnaires.models import Response
from tandem.questionnaires.safety import follow_up_reasons
from tandem.questionnaires.scoring import Score

router = Router(tags=["Questionnaires"])


def _service_user(request: HttpRequest) -> None:
    # The rule of questionnaires.views.common.service_user_only.
    if not roles_of(request).has(Role.SERVICE_USER):
        raise Http404


def _score(score: Score) -> dict[str, Any]:
    return {
        "value": score.value,
        "total": score.total,
        "max_total": score.max_total,
        "band": score.band.label if score.band is not None else None,
        "higher_is_better": score.higher_is_better,
        "flags": sorted(score.flags),
    }


def _instrument(instrument: Instrument) -> dict[str, Any]:
    return {
        "key": instrument.key,
        "version": instrument.version,
        "title": instrument.title,
        "name": instrument.name,
        "stem": instrument.stem,
        "attribution": instrument.attribution,
        "items": [
            {
                "key": item.key,
                "text": item.text,
                "scored": item.scored,
                "options": [{"value": o.value, "label": o.label} for o in item.options],
            }
            for item in instrument.items
        ],
    }


def _result(response: Response) -> dict[str, Any]:
    """The response with its score, recording that the safety follow-up was shown when it
    calls for one (the result page records the same)."""
    result = selectors.scored(response)
    if result is None:
        raise Http404  # an instrument version no longer known: the page shows no score either
    reasons = follow_up_reasons(result.score)
    if reasons:
        services.record_follow_up(response=response, reasons=reasons)
    return {
        "id": response.pk,
        "instrument": response.instrument,
        "submitted_at": response.submitted_at,
        "score": _score(result.score),
        "follow_up": bool(reasons),
    }


@router.get("/questionnaires", response={200: list[SummaryOut], **REFUSALS})
def questionnaire_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Each instrument: the latest score, the change since the one before, whether a draft
    waits, and when it is next due (if the person set a schedule)."""
    _service_user(request)
    return [
        {
            "key": summary.instrument.key,
            "title": summary.instrument.title,
            "latest": _score(summary.latest.score) if summary.latest else None,
            "latest_at": summary.latest.submitted_at if summary.latest else None,
            "change": summary.change,
            "has_draft": summary.has_draft,
            "due_on": summary.due_on,
        }
        for summary in selectors.summaries_for_owner(person(request), timezone.localdate())
    ]


@router.get("/questionnaires/{key}", response={200: InstrumentOut, **REFUSALS})
def instrument_detail(request: HttpRequest, key: str) -> dict[str, Any]:
    """The questions and the answers offered, with the instrument's version to answer."""
    _service_user(request)
    return _instrument(get_instrument_or_404(key))


@router.post("/questionnaires/{key}/responses", response={201: ResponseOut, **WRITE_REFUSALS})
def response_create(request: HttpRequest, key: str, payload: AnswersIn) -> Status[dict[str, Any]]:
    """Send a complete response. Every required item must be answered (400 names the missing
    ones); the same ``client_key`` again stores nothing new."""
    _service_user(request)
    instrument = get_instrument_or_404(key)
    data: dict[str, Any] = {
        "version": payload.version,
        "client_key": str(payload.client_key),
        "action": SUBMIT,
    }
    data.update({f"item_{item}": value for item, value in payload.answers.items()})
    form = AnswerForm(instrument, data)
    checked(form)
    response = services.submit_response(
        owner=person(request),
        instrument=instrument,
        answers=form.answers(),
        client_key=form.cleaned_data["client_key"],
    )
    return Status(201, _result(response))


@router.get("/questionnaires/responses/{response_id}", response={200: ResponseOut, **REFUSALS})
def response_detail(request: HttpRequest, response_id: Id) -> dict[str, Any]:
    _service_user(request)
    return _result(get_response_for_owner(person(request), response_id))
