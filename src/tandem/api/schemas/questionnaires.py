"""Questionnaires: instruments, answers and scores."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from ninja import Schema
from pydantic import Field


class OptionOut(Schema):
    value: int
    label: str


class ItemOut(Schema):
    key: str
    text: str
    options: list[OptionOut]
    scored: bool


class InstrumentOut(Schema):
    key: str
    version: int
    title: str
    name: str
    stem: str
    attribution: str
    items: list[ItemOut]


class ScoreOut(Schema):
    value: int | None
    total: int | None
    max_total: int
    band: str | None
    higher_is_better: bool
    flags: list[str]


class SummaryOut(Schema):
    key: str
    title: str
    latest: ScoreOut | None
    latest_at: datetime | None
    change: int | None
    has_draft: bool
    due_on: date | None


class AnswersIn(Schema):
    version: int = Field(description="The instrument's version the answers were given to.")
    answers: dict[str, int] = Field(description="Item key → the value of the option chosen.")
    client_key: uuid.UUID = Field(
        description="A fresh UUID per response: sending again stores one response."
    )


class ResponseOut(Schema):
    id: int
    instrument: str
    submitted_at: datetime | None
    score: ScoreOut
    follow_up: bool = Field(
        description="The answers call for the safety follow-up: show the person's crisis plan "
        "and crisis contacts first (GET /people/{owner_id}/crisis-plan, /crisis/)."
    )
