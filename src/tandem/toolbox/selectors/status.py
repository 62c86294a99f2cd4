"""Status ratings, the control panel and one life domain's page."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from tandem.accounts.models import User
from tandem.toolbox.charts import RatingChart, rating_chart
from tandem.toolbox.models import Activity, Goal, GoalStatus, LifeDomain, StatusRating
from tandem.toolbox.selectors.common import latest_per
from tandem.toolbox.selectors.domains import visible_domains
from tandem.toolbox.selectors.goals import activities_for_owner, goals_for_owner, with_progress

# How much of each domain the control panel shows; the module pages show the rest.
PANEL_RATINGS = 8
PANEL_ACTIVITIES = 3
PANEL_GOALS = 4
STATUS_CHART_RATINGS = 20


def ratings_for_owner(owner: User, domain: LifeDomain | None = None) -> QuerySet[StatusRating]:
    ratings = StatusRating.objects.filter(owner=owner).select_related("domain")
    if domain is not None:
        ratings = ratings.filter(domain=domain)
    return ratings.order_by("-recorded_at", "-id")


@dataclass
class DomainStatus:
    domain: LifeDomain
    ratings: list[StatusRating] = field(default_factory=list)  # newest first
    chart: RatingChart | None = None
    activities: list[Activity] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    goals_total: int = 0

    @property
    def latest(self) -> StatusRating | None:
        return self.ratings[0] if self.ratings else None

    @property
    def previous(self) -> StatusRating | None:
        return self.ratings[1] if len(self.ratings) > 1 else None

    @property
    def more_goals(self) -> int:
        return max(0, self.goals_total - len(self.goals))


def _domain_rows(domains: list[LifeDomain]) -> dict[int, DomainStatus]:
    return {domain.pk: DomainStatus(domain=domain) for domain in domains}


def _attach_ratings(owner: User, rows: dict[int, DomainStatus], limit: int) -> None:
    ratings = latest_per(
        StatusRating.objects.filter(owner=owner, domain_id__in=list(rows)),
        "domain_id",
        ["-recorded_at", "-id"],
        limit,
    ).order_by("domain_id", "-recorded_at", "-id")
    for rating in ratings:
        rows[rating.domain_id].ratings.append(rating)
    for row in rows.values():
        row.chart = rating_chart(row.ratings)


def status_overview(owner: User) -> list[DomainStatus]:
    """Each visible domain with its latest ratings and a chart (two queries)."""
    rows = _domain_rows(visible_domains(owner))
    _attach_ratings(owner, rows, STATUS_CHART_RATINGS)
    return list(rows.values())


def control_panel(owner: User) -> list[DomainStatus]:
    """Status → process → goals for every visible domain: latest ratings, recent activities
    and active goals with progress (five queries, whatever the amount of data)."""
    rows = _domain_rows(visible_domains(owner))
    domain_ids = list(rows)
    _attach_ratings(owner, rows, PANEL_RATINGS)
    activities = latest_per(
        Activity.objects.filter(owner=owner, domain_id__in=domain_ids),
        "domain_id",
        ["-done_on", "-id"],
        PANEL_ACTIVITIES,
    ).order_by("domain_id", "-done_on", "-id")
    for activity in activities:
        rows[activity.domain_id].activities.append(activity)
    active = Goal.objects.filter(owner=owner, status=GoalStatus.ACTIVE, domain_id__in=domain_ids)
    goals = latest_per(
        with_progress(active), "domain_id", ["-updated_at", "-id"], PANEL_GOALS
    ).order_by("domain_id", "-updated_at", "-id")
    for goal in goals:
        rows[goal.domain_id].goals.append(goal)
    for domain_id, total in active.values_list("domain_id").annotate(n=Count("id")).order_by():
        rows[domain_id].goals_total = total
    return list(rows.values())


@dataclass(frozen=True)
class DomainDetail:
    status: DomainStatus
    goals: list[Goal]
    activities: list[Activity]


DOMAIN_DETAIL_ITEMS = 50


def domain_detail(owner: User, domain: LifeDomain) -> DomainDetail:
    rows = _domain_rows([domain])
    _attach_ratings(owner, rows, STATUS_CHART_RATINGS)
    goals = list(
        goals_for_owner(owner)
        .filter(domain=domain)
        .exclude(status=GoalStatus.DROPPED)[:DOMAIN_DETAIL_ITEMS]
    )
    activities = list(activities_for_owner(owner).filter(domain=domain)[:DOMAIN_DETAIL_ITEMS])
    return DomainDetail(status=rows[domain.pk], goals=goals, activities=activities)
