"""Reads of questionnaires, shaped for the pages. Scoped by owner; none checks who is looking
(views gate first: ``access.py`` for the owner, ``care.access`` for everyone else).

Every read is one query whatever the number of responses; scores are worked out in Python
from the decrypted answers, by the rules of the version each response names.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Max

from tandem.accounts.models import User
from tandem.questionnaires.instruments import INSTRUMENTS, Instrument, get_instrument
from tandem.questionnaires.models import Response, Schedule
from tandem.questionnaires.scoring import Score


@dataclass(frozen=True)
class ScoredResponse:
    response: Response
    instrument: Instrument
    score: Score

    @property
    def pk(self) -> int:
        return self.response.pk

    @property
    def submitted_at(self) -> datetime | None:
        return self.response.submitted_at


def scored(response: Response) -> ScoredResponse | None:
    """The response with its score, or None for an instrument version no longer known."""
    instrument = get_instrument(response.instrument, response.version)
    if instrument is None:
        return None
    return ScoredResponse(response, instrument, instrument.score(response.answers))


def submitted_responses(owner: User, instrument: str | None = None) -> list[ScoredResponse]:
    """``owner``'s submitted responses, oldest first, with their scores (one query)."""
    query = Response.objects.filter(owner=owner, submitted_at__isnull=False)
    if instrument is not None:
        query = query.filter(instrument=instrument)
    found = (scored(response) for response in query.order_by("submitted_at", "pk"))
    return [item for item in found if item is not None]


def draft_for_owner(owner: User, instrument: Instrument) -> Response | None:
    return Response.objects.filter(
        owner=owner, instrument=instrument.key, submitted_at__isnull=True
    ).first()


@dataclass(frozen=True)
class Summary:
    """One instrument on the questionnaires page: its latest scores and whether it is due."""

    instrument: Instrument
    latest: ScoredResponse | None
    previous: ScoredResponse | None
    has_draft: bool
    schedule: Schedule | None
    due_on: date | None

    @property
    def change(self) -> int | None:
        if self.latest is None or self.previous is None:
            return None
        now, before = self.latest.score.value, self.previous.score.value
        return None if now is None or before is None else now - before


def _latest_two(owner: User) -> dict[str, list[ScoredResponse]]:
    """Per instrument, the two latest submitted responses, newest first: one query, read
    newest first, decrypting only the two rows kept per instrument."""
    found: dict[str, list[ScoredResponse]] = {}
    rows = Response.objects.filter(owner=owner, submitted_at__isnull=False).order_by(
        "-submitted_at", "-pk"
    )
    for response in rows.iterator(chunk_size=100):
        kept = found.setdefault(response.instrument, [])
        if len(kept) < 2:
            item = scored(response)
            if item is not None:
                kept.append(item)
        if len(found) == len(INSTRUMENTS) and all(len(v) == 2 for v in found.values()):
            break
    return found


def summaries_for_owner(owner: User, today: date) -> list[Summary]:
    latest = _latest_two(owner)
    drafts = set(
        Response.objects.filter(owner=owner, submitted_at__isnull=True).values_list(
            "instrument", flat=True
        )
    )
    schedules = {s.instrument: s for s in Schedule.objects.filter(owner=owner)}
    summaries = []
    for key, instrument in INSTRUMENTS.items():
        two = latest.get(key, [])
        schedule = schedules.get(key)
        summaries.append(
            Summary(
                instrument=instrument,
                latest=two[0] if two else None,
                previous=two[1] if len(two) > 1 else None,
                has_draft=key in drafts,
                schedule=schedule,
                due_on=_due_on(schedule, two[0] if two else None, today),
            )
        )
    return summaries


def _due_on(schedule: Schedule | None, latest: ScoredResponse | None, today: date) -> date | None:
    """The due date of the check-in waiting for an answer, if one is."""
    if schedule is None:
        return None
    due_on = schedule.due_on(today)
    if due_on is None:
        return None
    answered_on = latest.submitted_at if latest is not None else None
    if answered_on is not None and answered_on.date() >= due_on:
        return None
    return due_on


def due_schedules(*, today: date) -> Iterator[tuple[Schedule, date]]:
    """Every schedule with a check-in due and not yet answered nor reminded of, across all
    people (the reminder job): two queries however many schedules."""
    schedules = list(Schedule.objects.select_related("owner").filter(owner__is_active=True))
    if not schedules:
        return
    answered = {
        (row["owner_id"], row["instrument"]): row["last"]
        for row in Response.objects.filter(
            owner_id__in={s.owner_id for s in schedules}, submitted_at__isnull=False
        )
        .values("owner_id", "instrument")
        .annotate(last=Max("submitted_at"))
    }
    for schedule in schedules:
        due_on = schedule.due_on(today)
        if due_on is None or schedule.reminded_for == due_on:
            continue
        last = answered.get((schedule.owner_id, schedule.instrument))
        if last is not None and last.date() >= due_on:
            continue
        yield schedule, due_on


def schedule_for_owner(owner: User, instrument: Instrument) -> Schedule | None:
    return Schedule.objects.filter(owner=owner, instrument=instrument.key).first()


def previous_response(owner: User, response: Response) -> ScoredResponse | None:
    """The submitted response of the same instrument just before ``response``."""
    before = (
        Response.objects.filter(
            owner=owner,
            instrument=response.instrument,
            submitted_at__isnull=False,
            submitted_at__lt=response.submitted_at,
        )
        .order_by("-submitted_at", "-pk")
        .first()
    )
    return scored(before) if before is not None else None
