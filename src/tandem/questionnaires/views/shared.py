"""What a care provider with a view grant opens beyond the trends: one response's answers."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tandem.questionnaires import selectors
from tandem.questionnaires.access import get_response_for_viewer
from tandem.questionnaires.instruments import Instrument


@dataclass(frozen=True)
class AnswerRow:
    number: int
    question: str
    answer: str | None
    value: int | None


def _answer_rows(instrument: Instrument, answers: dict[str, int]) -> list[AnswerRow]:
    rows = []
    for item in instrument.items:
        value = answers.get(item.key)
        labels = {option.value: option.label for option in item.options}
        rows.append(
            AnswerRow(
                number=item.number,
                question=item.text,
                answer=labels.get(value) if value is not None else None,
                value=value,
            )
        )
    return rows


@require_GET
def shared_response_detail(request: HttpRequest, owner_id: int, response_id: int) -> HttpResponse:
    """One response's answers, opened on purpose from the trends (never shown on them): the
    gate writes the opening to the person's access log, naming the response."""
    access = get_response_for_viewer(request.user, owner_id, response_id)
    result = selectors.scored(access.item)
    return render(
        request,
        "questionnaires/shared_response_detail.html",
        {
            "owner": access.seen.owner,
            "response": access.item,
            "result": result,
            "answers": _answer_rows(result.instrument, access.item.answers) if result else [],
        },
    )
