"""The care provider's home: who needs them, and their caseload at a glance.

Counts and names of people on the provider's own caseload only: every read is scoped to the
provider's active relationships, and module changes come from ``care``'s caseload selector,
which counts only what each person shares with this provider.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from tandem.accounts.models import User
from tandem.care.caseload import CaseloadEntry, caseload_for_provider
from tandem.care.models import (
    Agreement,
    AgreementVersion,
    CareRelationship,
    JointSession,
    RelationshipStatus,
    VersionStatus,
)
from tandem.care.triage import add_working_days
from tandem.messaging.models import CARE_KIND, Participant, ProviderAway, Side, Thread
from tandem.messaging.selectors import away_for_provider
from tandem.web.home.measures import with_measures

SHOWN = 5
# An agreement always sets a reply time; this covers a relationship whose agreement is missing.
DEFAULT_REPLY_DAYS = 2


@dataclass(frozen=True)
class OverdueThread:
    thread: Thread
    # When the reply time agreed with this person ran out.
    due_at: datetime


def overdue_threads(provider: User, now: datetime | None = None) -> list[OverdueThread]:
    """Care threads ``provider`` is in, with a person on their active caseload, waiting for
    the care team for longer than the reply time of that person's agreement, longest wait
    first (one query).

    Working days are never fewer than calendar days, so only threads waiting for at least a
    day are read; the exact deadline is worked out here.
    """
    now = now or timezone.now()
    caseload = CareRelationship.objects.filter(
        provider=provider, status=RelationshipStatus.ACTIVE
    ).values("service_user_id")
    reply_days = Agreement.objects.filter(
        relationship__service_user=OuterRef("service_user"),
        relationship__provider=provider,
        relationship__status=RelationshipStatus.ACTIVE,
    ).values("reply_within_days")[:1]
    threads = (
        Thread.objects.filter(
            kind=CARE_KIND,
            waiting_for=Side.CARE_TEAM,
            waiting_since__lte=now - timedelta(days=1),
            closed_at__isnull=True,
            pk__in=Participant.objects.filter(user=provider, side=Side.CARE_TEAM).values(
                "thread_id"
            ),
            service_user_id__in=caseload,
        )
        .annotate(reply_days=Subquery(reply_days))
        .select_related("service_user")
        .order_by("waiting_since", "pk")
    )
    overdue = []
    for thread in threads:
        assert thread.waiting_since is not None  # noqa: S101 - filtered on above
        due = add_working_days(thread.waiting_since, thread.reply_days or DEFAULT_REPLY_DAYS)
        if due <= now:
            overdue.append(OverdueThread(thread=thread, due_at=due))
    return overdue


def open_joint_sessions(provider: User) -> list[JointSession]:
    """Joint sessions open now with people on ``provider``'s active caseload (one query)."""
    sessions = JointSession.objects.filter(
        relationship__provider=provider,
        relationship__status=RelationshipStatus.ACTIVE,
        ended_at__isnull=True,
    ).select_related("relationship__service_user")
    return [s for s in sessions.order_by("started_at") if s.is_open]


def proposals_waiting_for_provider(provider: User) -> list[AgreementVersion]:
    """Changes to an agreement that the person proposed, on ``provider``'s active caseload,
    waiting for the provider's answer: the next step is theirs (one query)."""
    return list(
        AgreementVersion.objects.filter(
            relationship__provider=provider,
            relationship__status=RelationshipStatus.ACTIVE,
            status=VersionStatus.PROPOSED,
            proposed_by=F("relationship__service_user"),
        )
        .select_related("relationship__service_user")
        .order_by("proposed_at", "pk")
    )


@dataclass(frozen=True)
class ProviderHome:
    verified: bool
    overdue: list[OverdueThread]
    changed: list[CaseloadEntry]
    changes_available: bool
    people: int
    open_sessions: list[JointSession]
    agreements: list[AgreementVersion]
    away: ProviderAway | None

    @property
    def needs_me(self) -> bool:
        return bool(self.overdue or self.changed or self.open_sessions or self.agreements)


def provider_home(provider: User, *, verified: bool) -> ProviderHome:
    """The provider's section. An unverified provider sees nobody's information, so nothing
    is read for them; a verified one costs a fixed number of queries (the caseload's, plus
    five: overdue threads, questionnaire answers, open joint sessions, agreement proposals and
    away)."""
    if not verified:
        return ProviderHome(
            verified=False,
            overdue=[],
            changed=[],
            changes_available=False,
            people=0,
            open_sessions=[],
            agreements=[],
            away=None,
        )
    caseload = caseload_for_provider(provider)
    return ProviderHome(
        verified=True,
        overdue=overdue_threads(provider),
        changed=[entry for entry in with_measures(caseload.entries) if entry.changes],
        changes_available=caseload.changes_available,
        people=len(caseload.entries),
        open_sessions=open_joint_sessions(provider),
        agreements=proposals_waiting_for_provider(provider),
        away=away_for_provider(provider),
    )
