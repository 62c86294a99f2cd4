"""The toolbox: what the API sends of each module, and what the owner sends to change it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from django import forms
from ninja import Schema
from pydantic import Field

from tandem.api.schemas.common import Id
from tandem.toolbox.forms import (
    ActivityForm,
    GoalCreateForm,
    JournalEntryForm,
    MedicationForm,
    NetworkMemberForm,
    StatusForm,
    StepForm,
)
from tandem.toolbox.models import (
    CRISIS_PLAN_SECTION_MAX_LENGTH,
    CRISIS_PLAN_SECTIONS,
    Circle,
    GoalStatus,
    Quality,
)


def _longest(form: type[forms.Form], field: str) -> int:
    """The form's limit for ``field``, so the schema states it and never differs from it."""
    limit = getattr(form.base_fields[field], "max_length", None)
    assert isinstance(limit, int)  # noqa: S101 - every text field of these forms has one
    return limit


class RatingOut(Schema):
    id: int
    domain: str
    domain_id: int
    rating: int
    note: str
    recorded_at: datetime


class GoalOut(Schema):
    id: int
    domain: str
    domain_id: int
    title: str
    why: str
    status: str
    target_date: date | None
    progress: int = Field(description="Per cent: the share of steps done, or set by hand.")
    updated_at: datetime


class MedicationOut(Schema):
    id: int
    name: str
    dose: str
    schedule: str
    purpose: str
    effects: str
    notes: str
    started_on: date | None
    stopped_on: date | None
    current: bool


class NetworkMemberOut(Schema):
    id: int
    name: str
    relationship: str
    contact: str
    circle: str
    quality: str


class CrisisPlanSectionOut(Schema):
    key: str
    title: str
    prompt: str
    text: str


class CrisisPlanOut(Schema):
    owner_id: int
    sections: list[CrisisPlanSectionOut]
    updated_at: datetime | None


class JournalEntryOut(Schema):
    id: int
    title: str
    body: str
    body_html: str
    created_at: datetime
    updated_at: datetime


class DomainOut(Schema):
    id: int
    label: str


class StepOut(Schema):
    id: int
    text: str
    done: bool
    done_at: datetime | None


class GoalDetailOut(GoalOut):
    steps: list[StepOut] = Field(description="In the order the owner gave them.")


class ActivityOut(Schema):
    id: int
    description: str
    done_on: date
    domain: str
    domain_id: int
    goal_id: int | None


# One step: one line (the pages' form takes one step per line).
StepText = Annotated[str, Field(max_length=_longest(StepForm, "text"), pattern=r"^[^\r\n]*$")]


# --- What the owner sends (the pages' forms check it; ids are from GET .../domains, goals) ---


class RatingIn(Schema):
    domain_id: Id
    rating: int = Field(description="0 is as bad as it could be, 10 as good as it could be.")
    note: str = Field("", max_length=_longest(StatusForm, "note"))


class GoalIn(Schema):
    domain_id: Id
    title: str = Field(max_length=_longest(GoalCreateForm, "title"))
    why: str = Field("", max_length=_longest(GoalCreateForm, "why"))
    target_date: date | None = Field(None, description="Not in the past.")
    manual_progress: int | None = Field(
        None, description="Per cent, used while the goal has no steps."
    )
    steps: list[StepText] = Field(
        default_factory=list,
        description="Its first steps, in order; blank ones are skipped.",
    )


class GoalChangeIn(Schema):
    """Only the fields sent change; the others keep their value."""

    domain_id: Id | None = None
    title: str | None = Field(None, max_length=_longest(GoalCreateForm, "title"))
    why: str | None = Field(None, max_length=_longest(GoalCreateForm, "why"))
    target_date: date | None = None
    manual_progress: int | None = None
    status: GoalStatus | None = None


class StepIn(Schema):
    text: str = Field(max_length=_longest(StepForm, "text"))


class StepChangeIn(Schema):
    done: bool


class ActivityIn(Schema):
    description: str = Field(max_length=_longest(ActivityForm, "description"))
    done_on: date | None = Field(None, description="Not in the future; today when left out.")
    domain_id: Id | None = Field(None, description="Not needed with a goal: the goal's is used.")
    goal_id: Id | None = None


class JournalEntryIn(Schema):
    title: str = Field(max_length=_longest(JournalEntryForm, "title"))
    body: str = Field(max_length=_longest(JournalEntryForm, "body"), description="Markdown.")


class JournalEntryChangeIn(Schema):
    """Only the fields sent change."""

    title: str | None = Field(None, max_length=_longest(JournalEntryForm, "title"))
    body: str | None = Field(None, max_length=_longest(JournalEntryForm, "body"))


class MedicationIn(Schema):
    """All of a medication (a change sends all of it, as the page's form does)."""

    name: str = Field(max_length=_longest(MedicationForm, "name"))
    dose: str = Field("", max_length=_longest(MedicationForm, "dose"))
    schedule: str = Field("", max_length=_longest(MedicationForm, "schedule"))
    purpose: str = Field("", max_length=_longest(MedicationForm, "purpose"))
    effects: str = Field("", max_length=_longest(MedicationForm, "effects"))
    notes: str = Field("", max_length=_longest(MedicationForm, "notes"))
    started_on: date | None = Field(None, description="Not in the future.")
    stopped_on: date | None = Field(
        None, description="Not in the future nor before started_on; empty while still taken."
    )


class NetworkMemberIn(Schema):
    """All of a person or service on the network map (a change sends all of it)."""

    name: str = Field(max_length=_longest(NetworkMemberForm, "name"))
    relationship: str = Field("", max_length=_longest(NetworkMemberForm, "relationship"))
    contact: str = Field("", max_length=_longest(NetworkMemberForm, "contact"))
    circle: Circle = Circle.MIDDLE
    quality: Quality = Quality.SUPPORTIVE


SectionText = Annotated[str, Field(max_length=CRISIS_PLAN_SECTION_MAX_LENGTH)]


class CrisisPlanChangeIn(Schema):
    sections: dict[str, SectionText] = Field(
        description="Section key to its new text; sections not sent keep theirs. Keys: "
        + ", ".join(key for key, _title, _prompt in CRISIS_PLAN_SECTIONS)
        + "."
    )
