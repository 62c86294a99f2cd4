"""Reads of questionnaires, shaped for the pages. Scoped by owner; none checks who is looking
(views gate first: ``access.py`` for the owner, ``care.access`` for everyone else).

Every read is one query whatever the number of responses; scores are worked out in Python
from the decrypted answers, by the rules of the version each response names.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Max

from tandem.accounts.models import User
from tandem.questionnaires import catalogue
from tandem.questionnaires.instruments import Instrument
from tandem.questionnaires.models import ProposalStatus, Response, Schedule, ScheduleProposal
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


Instruments = Mapping[tuple[str, int], Instrument]


def scored(response: Response, instruments: Instruments | None = None) -> ScoredResponse | None:
    """The response with its score by the instrument version it names (looked up in
    ``instruments`` when given, else in the catalogue), or None for a version no longer known."""
    pair = (response.instrument, response.version)
    found = instruments if instruments is not None else catalogue.resolve([pair])
    instrument = found.get(pair)
    if instrument is None:
        return None
    return ScoredResponse(response, instrument, instrument.score(response.answers))


def scored_all(responses: list[Response]) -> list[ScoredResponse]:
    """``responses`` scored, in order: at most one more query, for the custom instruments."""
    instruments = catalogue.resolve((r.instrument, r.version) for r in responses)
    found = (scored(response, instruments) for response in responses)
    return [item for item in found if item is not None]


def submitted_responses(owner: User, instrument: str | None = None) -> list[ScoredResponse]:
    """``owner``'s submitted responses, oldest first, with their scores (one query, and one
    more when some answer custom instruments)."""
    query = Response.objects.filter(owner=owner, submitted_at__isnull=False)
    if instrument is not None:
        query = query.filter(instrument=instrument)
    return scored_all(list(query.order_by("submitted_at", "pk")))


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
    # False for a custom instrument answered before and no longer offered: its scores stay.
    offered: bool = True

    @property
    def change(self) -> int | None:
        if self.latest is None or self.previous is None:
            return None
        now, before = self.latest.score.value, self.previous.score.value
        return None if now is None or before is None else now - before


def _latest_two(owner: User) -> dict[str, list[ScoredResponse]]:
    """Per instrument, the two latest submitted responses, newest first: one query (and one
    for custom instruments), reading only the ids and keys of the rest, decrypting only the
    two rows kept per instrument."""
    kept: dict[str, list[int]] = {}
    rows = (
        Response.objects.filter(owner=owner, submitted_at__isnull=False)
        .order_by("-submitted_at", "-pk")
        .values_list("pk", "instrument")
    )
    for pk, key in rows.iterator(chunk_size=500):
        two = kept.setdefault(key, [])
        if len(two) < 2:
            two.append(pk)
    wanted = [pk for pks in kept.values() for pk in pks]
    responses = Response.objects.filter(pk__in=wanted).order_by("-submitted_at", "-pk")
    found: dict[str, list[ScoredResponse]] = {}
    for item in scored_all(list(responses)):
        found.setdefault(item.instrument.key, []).append(item)
    return found


def summaries_for_owner(owner: User, today: date) -> list[Summary]:
    """Every instrument ``owner`` is offered, built-in first, then custom ones, and any custom
    one they answered that is no longer offered (shown by the version they last answered)."""
    latest = _latest_two(owner)
    drafts = set(
        Response.objects.filter(owner=owner, submitted_at__isnull=True).values_list(
            "instrument", flat=True
        )
    )
    schedules = {
        s.instrument: s for s in Schedule.objects.filter(owner=owner).select_related("proposed_by")
    }
    instruments = [*catalogue.built_in(), *catalogue.offered_to(owner)]
    listed = {instrument.key for instrument in instruments}
    instruments += [two[0].instrument for key, two in latest.items() if key not in listed and two]
    summaries = []
    for instrument in instruments:
        key = instrument.key
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
                offered=key in listed,
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


def waiting_proposals(owner: User) -> list[ScheduleProposal]:
    """Check-ins proposed to ``owner`` and not yet answered, newest first (one query)."""
    return list(
        ScheduleProposal.objects.filter(owner=owner, status=ProposalStatus.WAITING)
        .select_related("provider")
        .order_by("-created_at", "-pk")
    )


def schedules_for_owner(owner: User) -> list[Schedule]:
    """``owner``'s schedules (for the provider proposing more), one query."""
    return list(Schedule.objects.filter(owner=owner).order_by("instrument"))
