"""Homes for organisation admins, course facilitators and researchers: what each acts on.

An admin: what waits in each organisation they administer. A facilitator: the courses they
run this week (their topics to answer come from ``courses.selectors.topics_this_week``, read
once for the whole page in ``web.home``). A researcher: their organisations' studies, with
how many people take part, each linking to its dashboard. One query each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import (
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from tandem.accounts.models import Invitation, Membership, Organisation, Role, User
from tandem.care.models import SecurityEvent
from tandem.courses.selectors import CourseLine, course_list
from tandem.research.access import studies_for_researcher
from tandem.research.models import ConsentStatus, Study

# Refused reads are shown for the last week: what an admin may want to look into now.
SECURITY_EVENT_DAYS = 7
# A facilitator's courses "this week": on now or opening within this many calendar days.
COURSE_WEEK_DAYS = 7
# A home page is a glance: beyond this many studies, the researcher follows the link.
STUDIES_SHOWN = 5


@dataclass(frozen=True)
class AdminLine:
    organisation: Organisation
    open_invitations: int
    unverified_providers: int
    refused_reads: int

    @property
    def needs_me(self) -> bool:
        return bool(self.open_invitations or self.unverified_providers or self.refused_reads)


def _count_of(queryset: QuerySet[Any]) -> Coalesce:
    """COUNT(*) of ``queryset`` as a correlated subquery. A plain ``Func`` rather than
    ``Count``: an aggregate would make Django group by the outer row, and several counts over
    joins would multiply each other."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted), Value(0), output_field=IntegerField())


def admin_home(user: User) -> list[AdminLine]:
    """Per organisation ``user`` administers: invitations still open, providers waiting to be
    verified and refused reads involving its members in the last week (one query)."""
    now = timezone.now()
    invitations = Invitation.objects.filter(
        organisation=OuterRef("pk"),
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
    )
    unverified = Membership.objects.filter(
        organisation=OuterRef("pk"), role=Role.PROVIDER, verified_at__isnull=True
    )
    members = Membership.objects.filter(organisation=OuterRef(OuterRef("pk"))).values("user_id")
    refused = SecurityEvent.objects.filter(
        Q(viewer_id__in=members) | Q(owner_id__in=members),
        created_at__gte=now - timedelta(days=SECURITY_EVENT_DAYS),
    )
    organisations = (
        Organisation.objects.filter(memberships__user=user, memberships__role=Role.ORG_ADMIN)
        .annotate(
            open_invitations=_count_of(invitations),
            unverified_providers=_count_of(unverified),
            refused_reads=_count_of(refused),
        )
        .order_by("name", "pk")
    )
    return [
        AdminLine(
            organisation=o,
            open_invitations=o.open_invitations,
            unverified_providers=o.unverified_providers,
            refused_reads=o.refused_reads,
        )
        for o in organisations
    ]


def facilitator_courses(user: User, now: datetime | None = None) -> list[CourseLine]:
    """The courses ``user`` runs that are on now or open within a week (by the calendar of
    the course's organisation: on a Monday, a course opening next Monday evening counts),
    soonest first, with their places (one query: ``courses.selectors.course_list``)."""
    now = now or timezone.now()
    return [
        line
        for line in course_list(user, now)
        if line.is_facilitator and line.course.closing_at > now and _opens_within_a_week(line, now)
    ]


def _opens_within_a_week(line: CourseLine, now: datetime) -> bool:
    zone = line.course.zone
    last_day = now.astimezone(zone).date() + timedelta(days=COURSE_WEEK_DAYS)
    return line.course.opening_at.astimezone(zone).date() <= last_day


@dataclass(frozen=True)
class StudyLine:
    study: Study
    # People whose consent stands (the dashboard's participants).
    taking_part: int
    is_open: bool
    has_ended: bool


@dataclass(frozen=True)
class ResearchGlance:
    studies: list[StudyLine]
    # More studies than shown: the page links to the list of all of them.
    more: bool


def researcher_studies(user: User) -> ResearchGlance:
    """The studies of the organisations where ``user`` is a researcher (the research app's
    own gate, ``research.access.studies_for_researcher``), newest first, with how many people
    take part in each (one query)."""
    today = timezone.localdate()
    studies = list(
        studies_for_researcher(user)
        .annotate(taking_part=Count("consents", filter=Q(consents__status=ConsentStatus.CONSENTED)))
        .order_by("-start_date", "pk")[: STUDIES_SHOWN + 1]
    )
    return ResearchGlance(
        studies=[
            StudyLine(
                study=study,
                taking_part=study.taking_part,
                is_open=study.is_open_on(today),
                has_ended=study.end_date < today,
            )
            for study in studies[:STUDIES_SHOWN]
        ],
        more=len(studies) > STUDIES_SHOWN,
    )
