"""The figures of a study, read from the events of the people taking part (and nobody else).

Every query starts from ``events_of_participants(study)``: the study's events whose pseudonym belongs to a
consent given and not withdrawn. A person who said no was never recorded, and one who withdrew
had their events deleted (``services.withdraw_consent``); reading through the consents as well
means no figure can count them even for an event written in the same moment.

A dashboard costs the same few queries whatever the number of events: each figure is one
aggregate query, and Python works only on the grouped rows.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.core.usage import Action, Module
from tandem.research.models import (
    CONTRIBUTION_ACTIONS,
    MODULE_CHOICES,
    POSTING_ACTIONS,
    UNANSWERED,
    Consent,
    ConsentStatus,
    ExportRecord,
    ResearchEvent,
    Study,
)

MODULE_LABELS = dict(MODULE_CHOICES)
# The table leaves out signing in: it is not a module, and login is counted as a visit nowhere.
TABLE_MODULES = [module for module, _label in MODULE_CHOICES if module != Module.PORTAL]


def consents_taking_part(study: Study) -> QuerySet[Consent]:
    return Consent.objects.filter(study=study, status=ConsentStatus.CONSENTED)


def events_of_participants(study: Study) -> QuerySet[ResearchEvent]:
    return ResearchEvent.objects.filter(
        study=study, pseudonym__in=consents_taking_part(study).values("pseudonym")
    )


def takes_part(user: User) -> bool:
    """Whether ``user`` has consented to a study that is open today (one query)."""
    today = timezone.localdate()
    return Consent.objects.filter(
        user=user,
        status=ConsentStatus.CONSENTED,
        study__start_date__lte=today,
        study__end_date__gte=today,
    ).exists()


def answer_of(user: User, study: Study) -> Consent | None:
    return Consent.objects.filter(study=study, user=user).first()


def studies_with_answers(
    user: User, studies: QuerySet[Study]
) -> list[tuple[Study, Consent | None]]:
    """Each study with ``user``'s answer to it, if any (two queries)."""
    listed = list(studies)
    answers = {
        consent.study_id: consent
        for consent in Consent.objects.filter(user=user, study__in=[s.pk for s in listed])
    }
    return [(study, answers.get(study.pk)) for study in listed]


@dataclass(frozen=True)
class ModuleRow:
    """One line of the ReConnect table: visits and postings to one module, per role."""

    module: str
    label: str
    service_user_visits: int
    provider_visits: int
    service_user_postings: int
    provider_postings: int

    @property
    def visits(self) -> int:
        return self.service_user_visits + self.provider_visits

    @property
    def postings(self) -> int:
        return self.service_user_postings + self.provider_postings


def module_table(study: Study) -> list[ModuleRow]:
    """Visits and postings per module and role over the whole study, most visited first."""
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    rows = (
        events_of_participants(study)
        .filter(Q(action=Action.VISIT) | Q(action__in=POSTING_ACTIONS))
        .values_list("module", "role", "action")
        .annotate(n=Count("id"))
        .order_by()
    )
    for module, role, action, n in rows:
        kind = "visits" if action == Action.VISIT else "postings"
        counts[(module, role, kind)] += n
    table = [
        ModuleRow(
            module=module,
            label=str(MODULE_LABELS[module]),
            service_user_visits=counts[(module, Role.SERVICE_USER, "visits")],
            provider_visits=counts[(module, Role.PROVIDER, "visits")],
            service_user_postings=counts[(module, Role.SERVICE_USER, "postings")],
            provider_postings=counts[(module, Role.PROVIDER, "postings")],
        )
        for module in TABLE_MODULES
    ]
    return sorted(table, key=lambda row: (-row.visits, -row.postings, row.label))


@dataclass(frozen=True)
class WeekRow:
    week: date
    service_users: int
    providers: int

    @property
    def people(self) -> int:
        return self.service_users + self.providers


def weekly_participation(study: Study) -> list[WeekRow]:
    """People who did anything in Tandem, per week (Monday) of the study, per role. A message
    left unanswered is something that happened to a person, not something they did."""
    rows = (
        events_of_participants(study)
        .exclude(action=UNANSWERED)
        .annotate(week=TruncWeek("hour"))
        .values_list("week", "role")
        .annotate(n=Count("pseudonym", distinct=True))
        .order_by()
    )
    people: dict[tuple[date, str], int] = {}
    for week, role, n in rows:
        people[(week.date(), role)] = n
    weeks = sorted({week for week, _role in people})
    return [
        WeekRow(
            week=week,
            service_users=people.get((week, Role.SERVICE_USER), 0),
            providers=people.get((week, Role.PROVIDER), 0),
        )
        for week in weeks
    ]


@dataclass(frozen=True)
class Inequality:
    """How unevenly taking part (postings and reactions) is spread over the participants."""

    participants: int
    contributions: int
    top_1_share: float  # per cent of all contributions, by the most active 1 % of people
    next_9_share: float  # by the next 9 %
    rest_90_share: float  # by the other 90 %
    gini: float
    silent: int  # participants who never posted or reacted


def gini(values: Sequence[int]) -> float:
    """The Gini coefficient of ``values`` (0: everyone the same; near 1: one person does all)."""
    ordered = sorted(values)
    total = sum(ordered)
    n = len(ordered)
    if n == 0 or total == 0:
        return 0.0
    weighted = sum(rank * value for rank, value in enumerate(ordered, start=1))
    return (2 * weighted) / (n * total) - (n + 1) / n


def inequality(study: Study, participants: int) -> Inequality:
    """The 1/9/90 shares and the Gini over all ``participants`` (those with no contribution
    count as zero, or the silent majority would vanish from the figures)."""
    per_person = list(
        events_of_participants(study)
        .filter(action__in=CONTRIBUTION_ACTIONS)
        .values_list("pseudonym")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
        .order_by()
    )
    values = sorted(per_person, reverse=True) + [0] * max(0, participants - len(per_person))
    total = sum(values)
    n = len(values)
    top_1 = math.ceil(n * 0.01) if n else 0
    top_10 = math.ceil(n * 0.10) if n else 0

    def share(part: Sequence[int]) -> float:
        return round(100 * sum(part) / total, 1) if total else 0.0

    return Inequality(
        participants=n,
        contributions=total,
        top_1_share=share(values[:top_1]),
        next_9_share=share(values[top_1:top_10]),
        rest_90_share=share(values[top_10:]),
        gini=round(gini(values), 2),
        silent=sum(1 for value in values if value == 0),
    )


@dataclass(frozen=True)
class ProviderUse:
    """Providers taking part, by how they used Tandem (ReConnect: 8 of 27 never did)."""

    providers: int
    never: int  # no event at all
    looked_only: int  # visited or read, never wrote
    messaging_only: int  # wrote only messages
    messaging_and_more: int  # messages and something else (a goal comment, a joint session…)
    other_only: int  # wrote, but never a message


def provider_use(study: Study, providers: int) -> ProviderUse:
    wrote: dict[str, set[str]] = defaultdict(set)
    seen: set[str] = set()
    rows = (
        events_of_participants(study)
        .filter(role=Role.PROVIDER)
        .values_list("pseudonym", "module")
        .annotate(n=Count("id"), written=Count("id", filter=Q(action__in=CONTRIBUTION_ACTIONS)))
        .order_by()
    )
    for pseudonym, module, _n, written in rows:
        seen.add(pseudonym)
        if written:
            wrote[pseudonym].add(module)
    messaging_only = sum(1 for modules in wrote.values() if modules == {Module.MESSAGING})
    messaging_and_more = sum(
        1 for modules in wrote.values() if Module.MESSAGING in modules and len(modules) > 1
    )
    return ProviderUse(
        providers=providers,
        never=max(0, providers - len(seen)),
        looked_only=len(seen) - len(wrote),
        messaging_only=messaging_only,
        messaging_and_more=messaging_and_more,
        other_only=len(wrote) - messaging_only - messaging_and_more,
    )


@dataclass(frozen=True)
class ReplyTimes:
    """How long service users waited for their care team's replies, in hours, and how often
    nobody replied in the agreed time ("waiting for the other")."""

    replies: int
    median_hours: float | None
    p90_hours: float | None
    late: int  # replies that came after the agreement's reply time
    with_agreement: int  # replies where an agreement said how long a reply may take
    # Waits still without a reply when the agreed time ran out (research.unanswered): some
    # may have been answered later, and then also count as late when that provider takes part.
    unanswered: int


def reply_times(study: Study) -> ReplyTimes:
    rows = list(
        events_of_participants(study)
        .filter(
            Q(role=Role.PROVIDER, action=Action.MESSAGE_SENT, wait_hours__isnull=False)
            | Q(action=UNANSWERED)
        )
        .values_list("action", "wait_hours", "late")
        .order_by("wait_hours")
    )
    replies = [(wait, late) for action, wait, late in rows if action == Action.MESSAGE_SENT]
    waits = [wait for wait, _late in replies if wait is not None]
    p90: float | None = None
    if len(waits) >= 2:  # quantiles needs two values; one reply has no spread to speak of
        p90 = round(statistics.quantiles(waits, n=10, method="inclusive")[-1], 1)
    elif waits:
        p90 = float(waits[0])
    return ReplyTimes(
        replies=len(waits),
        median_hours=round(float(statistics.median(waits)), 1) if waits else None,
        p90_hours=p90,
        late=sum(1 for _wait, late in replies if late),
        with_agreement=sum(1 for _wait, late in replies if late is not None),
        unanswered=len(rows) - len(replies),
    )


@dataclass(frozen=True)
class Dashboard:
    study: Study
    service_users: int
    providers: int
    events: int
    modules: list[ModuleRow]
    weeks: list[WeekRow]
    inequality: Inequality
    provider_use: ProviderUse
    replies: ReplyTimes
    exports: list[ExportRecord]

    @property
    def participants(self) -> int:
        return self.service_users + self.providers


def dashboard(study: Study) -> Dashboard:
    """Every figure of the researcher's dashboard (eight queries, whatever the data size)."""
    roles = dict(
        consents_taking_part(study)
        .values_list("role")
        .annotate(n=Count("id"))
        .values_list("role", "n")
        .order_by()
    )
    service_users = roles.get(Role.SERVICE_USER, 0)
    providers = roles.get(Role.PROVIDER, 0)
    return Dashboard(
        study=study,
        service_users=service_users,
        providers=providers,
        events=events_of_participants(study).count(),
        modules=module_table(study),
        weeks=weekly_participation(study),
        inequality=inequality(study, service_users + providers),
        provider_use=provider_use(study, providers),
        replies=reply_times(study),
        exports=list(
            ExportRecord.objects.filter(study=study)
            .select_related("researcher")
            .order_by("-created_at")[:10]
        ),
    )
