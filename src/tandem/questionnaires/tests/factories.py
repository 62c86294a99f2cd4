"""Responses made directly (for history and query counts), bypassing the form."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from tandem.accounts.models import User
from tandem.questionnaires.instruments import INSTRUMENTS
from tandem.questionnaires.models import Response


def answers_for(instrument: str, value: int) -> dict[str, int]:
    return {item.key: value for item in INSTRUMENTS[instrument].scored_items}


def make_response(
    owner: User,
    instrument: str = "phq9",
    answers: dict[str, int] | None = None,
    *,
    submitted_at: datetime | None = None,
    value: int = 1,
) -> Response:
    response = Response(
        owner=owner,
        instrument=instrument,
        version=INSTRUMENTS[instrument].version,
        submitted_at=submitted_at or timezone.now(),
    )
    response.answers = answers if answers is not None else answers_for(instrument, value)
    response.save()
    return response
