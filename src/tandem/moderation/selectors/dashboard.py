"""Reads for the moderation dashboard: how each rule does, time to first review, and the
communities each moderator or admin looks after."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from tandem.accounts.models import Organisation, User
from tandem.forum.models import Community
from tandem.moderation.access import moderated_communities, staff_communities
from tandem.moderation.models import (
    ItemState,
    Level,
    ModeratorDuty,
    Outcome,
    ReviewItem,
    Risk,
    ScreeningDecision,
)
from tandem.moderation.screening import rule_labels


def moderated_community_ids(user: User) -> QuerySet[Any]:
    """Ids of communities ``user`` moderates or administers (notification scope)."""
    return moderated_communities(user).values("pk")


def rule_label(rule: str, labels: dict[str, str]) -> str:
    if rule.startswith("watched:"):
        return f"Watched word “{rule.removeprefix('watched:')}”"
    if rule == "premoderation":
        return "Pre-moderation (new member or every post)"
    return labels.get(rule, rule)


# ---------------------------------------------------------------------------------------------
# Screening statistics and the dashboard


@dataclass(frozen=True)
class RuleStat:
    rule: str
    label: str
    fired: int
    held: int
    upheld: int
    overruled: int

    @property
    def overrule_rate(self) -> int | None:
        decided = self.upheld + self.overruled
        return round(100 * self.overruled / decided) if decided else None


def rule_stats(community: Community, since: datetime | None = None) -> list[RuleStat]:
    """How often each rule fired in ``community`` and how often moderators overruled it."""
    labels = rule_labels()
    decisions = ScreeningDecision.objects.filter(community=community)
    if since is not None:
        decisions = decisions.filter(created_at__gte=since)
    rows = (
        decisions.values("rule")
        .annotate(
            fired=Count("pk"),
            held=Count("pk", filter=Q(level__in=[Level.HIGH, Level.HOLD])),
            upheld=Count("pk", filter=Q(outcome=Outcome.UPHELD)),
            overruled=Count("pk", filter=Q(outcome=Outcome.OVERRULED)),
        )
        .order_by("-fired", "rule")
    )
    return [
        RuleStat(
            rule=row["rule"],
            label=rule_label(row["rule"], labels),
            fired=row["fired"],
            held=row["held"],
            upheld=row["upheld"],
            overruled=row["overruled"],
        )
        for row in rows
    ]


def percentile(values: list[float], share: float) -> float | None:
    """The ``share`` percentile of ``values`` (nearest rank), None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class ReviewTimes:
    days: int
    reviewed: int
    median_minutes: float | None
    p90_minutes: float | None
    high_risk_only: bool = False
    # Holds of the period still waiting for anyone to act (not in the percentiles: they have
    # no first review yet, which is itself what a dashboard must show).
    waiting: int = 0


def review_times(
    community_ids: list[int],
    days: int,
    now: datetime | None = None,
    *,
    high_risk_only: bool = False,
) -> ReviewTimes:
    """Time from hold to first action (by a moderator, or by a clinician asked to help), for
    held posts of the last ``days``; with ``high_risk_only``, for high-risk holds only. One
    query."""
    now = now or timezone.now()
    holds = ReviewItem.objects.filter(
        community_id__in=community_ids,
        is_held=True,
        created_at__gte=now - timedelta(days=days),
    )
    if high_risk_only:
        holds = holds.filter(risk__gte=Risk.HIGH)
    pairs = list(holds.values_list("created_at", "first_reviewed_at", "state"))
    minutes = [
        (reviewed - created).total_seconds() / 60 for created, reviewed, _s in pairs if reviewed
    ]
    median = percentile(minutes, 0.5)
    p90 = percentile(minutes, 0.9)
    return ReviewTimes(
        days=days,
        reviewed=len(minutes),
        median_minutes=round(median, 1) if median is not None else None,
        p90_minutes=round(p90, 1) if p90 is not None else None,
        high_risk_only=high_risk_only,
        waiting=sum(
            1 for _c, reviewed, state in pairs if reviewed is None and state == ItemState.OPEN
        ),
    )


@dataclass
class CommunityLine:
    community: Community
    open_items: int
    open_high: int
    oldest: datetime | None


@dataclass
class OrganisationDashboard:
    organisation: Organisation
    is_moderator: bool
    is_admin: bool
    on_duty: bool
    on_duty_names: list[str]
    communities: list[CommunityLine]
    times: list[ReviewTimes]


def dashboards_for_user(user: User) -> list[OrganisationDashboard]:
    """One dashboard per organisation ``user`` moderates or administers."""
    staff = staff_communities(
        moderated_communities(user)
        .select_related("organisation")
        .order_by("organisation__name", "name")
    )
    communities = [found.community for found in staff]
    counts: dict[int, dict[str, Any]] = {}
    for row in (
        ReviewItem.objects.filter(community__in=[c.pk for c in communities], state=ItemState.OPEN)
        .values("community_id")
        .annotate(
            n=Count("pk"),
            high=Count("pk", filter=Q(risk__gte=3)),
            oldest=Min("created_at"),
        )
    ):
        counts[row["community_id"]] = row
    by_org: dict[int, list[Community]] = defaultdict(list)
    organisations: dict[int, Organisation] = {}
    flags: dict[int, tuple[bool, bool]] = {}
    for found in staff:
        community = found.community
        by_org[community.organisation_id].append(community)
        organisations[community.organisation_id] = community.organisation
        flags[community.organisation_id] = (found.is_moderator, found.is_admin)
    duties = ModeratorDuty.objects.filter(
        organisation_id__in=list(organisations), on_duty=True
    ).select_related("user")
    on_duty: dict[int, list[str]] = defaultdict(list)
    mine: set[int] = set()
    for duty in duties:
        on_duty[duty.organisation_id].append(duty.user.pseudonym)
        if duty.user_id == user.pk:
            mine.add(duty.organisation_id)
    dashboards = []
    for organisation_id, members in by_org.items():
        ids = [c.pk for c in members]
        is_mod, is_admin = flags[organisation_id]
        dashboards.append(
            OrganisationDashboard(
                organisation=organisations[organisation_id],
                is_moderator=is_mod,
                is_admin=is_admin,
                on_duty=organisation_id in mine,
                on_duty_names=sorted(on_duty[organisation_id]),
                communities=[
                    CommunityLine(
                        community=c,
                        open_items=counts.get(c.pk, {}).get("n", 0),
                        open_high=counts.get(c.pk, {}).get("high", 0),
                        oldest=counts.get(c.pk, {}).get("oldest"),
                    )
                    for c in members
                ],
                times=[
                    review_times(ids, 7, high_risk_only=True),
                    review_times(ids, 30, high_risk_only=True),
                    review_times(ids, 7),
                    review_times(ids, 30),
                ],
            )
        )
    return dashboards
