"""Reads of a toolbox, shaped for the pages. Every read is scoped by its owner and names its
joins; none of them checks who is looking (the views gate that first, through
``care.access.get_owner_for_viewer`` or the owner gates in ``toolbox.access``).

Each page reads a fixed number of queries whatever the data size: per-domain "latest N"
lists use a window function (one query for all domains), goal progress comes from two
subqueries, and long lists are paginated by the views.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from django.db.models import (
    Avg,
    Count,
    F,
    IntegerField,
    Max,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from tandem.accounts.models import Membership, Organisation, Role, User
from tandem.care.models import CareRelationship, Grant, Level, Module, RelationshipStatus
from tandem.toolbox.charts import NetworkMap, RatingChart, network_map, rating_chart
from tandem.toolbox.models import (
    CRISIS_PLAN_SECTIONS,
    Activity,
    CrisisPlan,
    ExercisePractice,
    Goal,
    GoalStatus,
    GoalStep,
    JournalEntry,
    JournalShare,
    LifeDomain,
    Medication,
    NetworkMember,
    StatusRating,
)

# How much of each domain the control panel shows; the module pages show the rest.
PANEL_RATINGS = 8
PANEL_ACTIVITIES = 3
PANEL_GOALS = 4
STATUS_CHART_RATINGS = 20
MAP_MEMBERS_PER_CIRCLE = 16

_M = TypeVar("_M", StatusRating, Activity, Goal, NetworkMember)


def _latest_per(
    queryset: QuerySet[_M], partition: str, order: list[str], limit: int
) -> QuerySet[_M]:
    """The first ``limit`` rows of ``queryset`` per value of ``partition``, in one query."""
    ordering = [F(name[1:]).desc() if name.startswith("-") else F(name).asc() for name in order]
    return queryset.annotate(
        row_number=Window(RowNumber(), partition_by=[F(partition)], order_by=ordering)
    ).filter(row_number__lte=limit)


# --- Life domains ----------------------------------------------------------------------------


def _service_user_organisation_ids(user: User) -> QuerySet[Membership, int]:
    return Membership.objects.filter(user=user, role=Role.SERVICE_USER).values_list(
        "organisation_id", flat=True
    )


def visible_domains_query(user: User) -> QuerySet[LifeDomain]:
    """The life domains ``user`` works with: the defaults their organisation has not hidden,
    their organisation's own, and their own personal domains (one query, with subqueries)."""
    organisations = _service_user_organisation_ids(user)
    hidden = LifeDomain.hidden_by_organisations.through.objects.filter(
        organisation_id__in=organisations
    ).values("lifedomain_id")
    return LifeDomain.objects.filter(archived_at__isnull=True).filter(
        Q(owner=user)
        | Q(owner__isnull=True, organisation_id__in=organisations)
        | (Q(owner__isnull=True, organisation__isnull=True) & ~Q(pk__in=hidden))
    )


def visible_domains(user: User) -> list[LifeDomain]:
    return list(visible_domains_query(user).order_by("position", "id"))


@dataclass(frozen=True)
class OrganisationDomains:
    defaults: list[LifeDomain]
    hidden_ids: set[int]
    own: list[LifeDomain]


def domains_for_organisation(organisation: Organisation) -> OrganisationDomains:
    """The defaults (each marked hidden or not for ``organisation``) and its own domains."""
    defaults = list(
        LifeDomain.objects.filter(
            owner__isnull=True, organisation__isnull=True, archived_at__isnull=True
        ).order_by("position", "id")
    )
    hidden = set(
        LifeDomain.hidden_by_organisations.through.objects.filter(
            organisation=organisation
        ).values_list("lifedomain_id", flat=True)
    )
    own = list(
        LifeDomain.objects.filter(organisation=organisation, archived_at__isnull=True).order_by(
            "position", "id"
        )
    )
    return OrganisationDomains(defaults=defaults, hidden_ids=hidden, own=own)


# --- Goals -----------------------------------------------------------------------------------


def with_progress(goals: QuerySet[Goal]) -> QuerySet[Goal]:
    """Annotate ``steps_total`` and ``steps_done`` so ``Goal.progress`` needs no query."""
    steps = GoalStep.objects.filter(goal=OuterRef("pk")).order_by().values("goal")
    counted = steps.annotate(n=Count("id")).values("n")
    counted_done = steps.filter(done=True).annotate(n=Count("id")).values("n")
    return goals.annotate(
        steps_total=Coalesce(Subquery(counted, output_field=IntegerField()), Value(0)),
        steps_done=Coalesce(Subquery(counted_done, output_field=IntegerField()), Value(0)),
    )


def goals_for_owner(owner: User, status: str | None = None) -> QuerySet[Goal]:
    goals = Goal.objects.filter(owner=owner).select_related("domain")
    if status:
        goals = goals.filter(status=status)
    return with_progress(goals).order_by("-updated_at", "-id")


def active_goals_for_choice(owner: User) -> QuerySet[Goal]:
    return (
        Goal.objects.filter(owner=owner, status=GoalStatus.ACTIVE)
        .select_related("domain")
        .order_by("-updated_at", "-id")
    )


@dataclass(frozen=True)
class GoalDetail:
    goal: Goal
    steps: list[GoalStep]
    activities: list[Activity]
    activities_total: int

    @property
    def progress(self) -> int:
        return self.goal.progress_from(len(self.steps), sum(1 for s in self.steps if s.done))


GOAL_DETAIL_ACTIVITIES = 20


def goal_detail(owner: User, goal: Goal) -> GoalDetail:
    steps = list(GoalStep.objects.filter(goal=goal, goal__owner=owner).order_by("position", "id"))
    activities = Activity.objects.filter(owner=owner, goal=goal).order_by("-done_on", "-id")
    return GoalDetail(
        goal=goal,
        steps=steps,
        activities=list(activities[:GOAL_DETAIL_ACTIVITIES]),
        activities_total=activities.count(),
    )


def activities_for_owner(owner: User) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(owner=owner)
        .select_related("domain", "goal")
        .order_by("-done_on", "-id")
    )


# --- Status and the control panel ------------------------------------------------------------


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
    ratings = _latest_per(
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
    activities = _latest_per(
        Activity.objects.filter(owner=owner, domain_id__in=domain_ids),
        "domain_id",
        ["-done_on", "-id"],
        PANEL_ACTIVITIES,
    ).order_by("domain_id", "-done_on", "-id")
    for activity in activities:
        rows[activity.domain_id].activities.append(activity)
    active = Goal.objects.filter(owner=owner, status=GoalStatus.ACTIVE, domain_id__in=domain_ids)
    goals = _latest_per(
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


# --- Medications, network --------------------------------------------------------------------


def current_medications(owner: User) -> QuerySet[Medication]:
    today = timezone.localdate()
    return Medication.objects.filter(
        Q(stopped_on__isnull=True) | Q(stopped_on__gt=today), owner=owner
    ).order_by("-created_at", "-id")


def past_medications(owner: User) -> QuerySet[Medication]:
    return Medication.objects.filter(owner=owner, stopped_on__lte=timezone.localdate()).order_by(
        "-stopped_on", "-id"
    )


def network_for_owner(owner: User) -> QuerySet[NetworkMember]:
    return NetworkMember.objects.filter(owner=owner).order_by("circle", "created_at", "id")


def network_map_for_owner(owner: User) -> NetworkMap:
    """The map: up to MAP_MEMBERS_PER_CIRCLE people per ring, and how many more (two queries)."""
    totals = dict(
        NetworkMember.objects.filter(owner=owner)
        .values_list("circle")
        .annotate(n=Count("id"))
        .order_by()
    )
    members: dict[str, list[NetworkMember]] = defaultdict(list)
    for member in _latest_per(
        NetworkMember.objects.filter(owner=owner),
        "circle",
        ["created_at", "id"],
        MAP_MEMBERS_PER_CIRCLE,
    ).order_by("circle", "created_at", "id"):
        members[member.circle].append(member)
    return network_map(members, totals)


# --- Crisis plan -----------------------------------------------------------------------------


def crisis_plan_for_owner(owner: User) -> CrisisPlan | None:
    return CrisisPlan.objects.filter(owner=owner).first()


@dataclass(frozen=True)
class PlanSection:
    key: str
    title: str
    prompt: str
    text: str

    @property
    def lines(self) -> list[str]:
        return [line.strip() for line in self.text.splitlines() if line.strip()]


def crisis_plan_sections(plan: CrisisPlan | None) -> list[PlanSection]:
    return [
        PlanSection(
            key=key,
            title=str(title),
            prompt=str(prompt),
            text=getattr(plan, key) if plan is not None else "",
        )
        for key, title, prompt in CRISIS_PLAN_SECTIONS
    ]


# --- Exercises -------------------------------------------------------------------------------


def practice_for_owner(owner: User) -> QuerySet[ExercisePractice]:
    return ExercisePractice.objects.filter(owner=owner).order_by("-practised_at", "-id")


@dataclass(frozen=True)
class PracticeSummary:
    times: int
    average_helped: float | None


def practice_summaries(owner: User) -> dict[str, PracticeSummary]:
    """How often the owner did each exercise and how much it helped on average (one query)."""
    return {
        row["exercise"]: PracticeSummary(times=row["times"], average_helped=row["average"])
        for row in ExercisePractice.objects.filter(owner=owner)
        .values("exercise")
        .annotate(times=Count("id"), average=Avg("helped"))
        .order_by()
    }


# --- Journal ---------------------------------------------------------------------------------


def journal_for_owner(owner: User) -> QuerySet[JournalEntry]:
    """The owner's entries, newest first, with whom each is shared (one extra query a page)."""
    return (
        JournalEntry.objects.filter(owner=owner)
        .prefetch_related(
            Prefetch(
                "shares",
                queryset=JournalShare.objects.select_related("relationship__provider").order_by(
                    "shared_at", "id"
                ),
            )
        )
        .order_by("-created_at", "-id")
    )


def journal_shared_with(viewer: User, owner: User) -> QuerySet[JournalEntry]:
    """``owner``'s entries shared with ``viewer``'s active care relationship."""
    return JournalEntry.objects.filter(
        owner=owner,
        pk__in=JournalShare.objects.filter(
            relationship__provider=viewer,
            relationship__service_user=owner,
            relationship__status=RelationshipStatus.ACTIVE,
        ).values("entry_id"),
    ).order_by("-created_at", "-id")


@dataclass(frozen=True)
class ShareTarget:
    relationship: CareRelationship
    can_see_journal: bool  # the provider holds a journal grant, so a share reaches them


def share_targets(owner: User) -> list[ShareTarget]:
    """The owner's active care relationships, each with whether its provider may read shared
    journal entries (one query)."""
    relationships = (
        CareRelationship.objects.filter(service_user=owner, status=RelationshipStatus.ACTIVE)
        .select_related("provider")
        .annotate(
            journal_level=Coalesce(
                Subquery(
                    Grant.objects.filter(relationship=OuterRef("pk"), module=Module.JOURNAL).values(
                        "level"
                    )[:1],
                    output_field=IntegerField(),
                ),
                Value(Level.NONE),
            )
        )
        .order_by("provider__full_name", "provider__pseudonym", "id")
    )
    return [
        ShareTarget(
            relationship=relationship,
            can_see_journal=relationship.journal_level >= Level.VIEW,
        )
        for relationship in relationships
    ]


def shares_of_entry(entry: JournalEntry) -> list[JournalShare]:
    return list(
        JournalShare.objects.filter(entry=entry)
        .select_related("relationship__provider")
        .order_by("shared_at", "id")
    )


# --- For the caseload ------------------------------------------------------------------------


def _merge(
    into: dict[int, dict[str, datetime]],
    module: str,
    rows: Iterable[tuple[int, datetime | None]],
) -> None:
    for owner_id, changed_at in rows:
        if changed_at is None:
            continue
        current = into[owner_id].get(module)
        if current is None or changed_at > current:
            into[owner_id][module] = changed_at


def _latest_by_owner(
    model: type[Model], time_field: str, owner_ids: list[int]
) -> list[tuple[int, datetime | None]]:
    rows = (
        model._default_manager.filter(owner_id__in=owner_ids)
        .values_list("owner_id")
        .annotate(latest=Max(time_field))
        .order_by()
    )
    return [(int(owner_id), latest) for owner_id, latest in rows]


def latest_changes(
    owner_ids: list[int], *, provider: User | None = None
) -> dict[int, dict[str, datetime]]:
    """Per owner, per ``care.Module`` value, when something in that module last changed.

    Owners or modules with nothing in them are left out. Eight queries, whatever the number
    of owners. For the journal only shared entries count (the time of sharing or of the last
    edit); pass ``provider`` to count only entries shared with that provider, so nobody learns
    of entries shared with someone else. The caller decides which modules a viewer may see.
    """
    if not owner_ids:
        return {}
    found: dict[int, dict[str, datetime]] = defaultdict(dict)
    sources: list[tuple[str, type[Model], str]] = [
        (Module.STATUS, StatusRating, "created_at"),
        (Module.GOALS, Goal, "updated_at"),
        (Module.GOALS, Activity, "updated_at"),
        (Module.MEDICATIONS, Medication, "updated_at"),
        (Module.NETWORK, NetworkMember, "updated_at"),
        (Module.CRISIS_PLAN, CrisisPlan, "updated_at"),
        (Module.EXERCISES, ExercisePractice, "practised_at"),
    ]
    for module, model, time_field in sources:
        _merge(found, module, _latest_by_owner(model, time_field, owner_ids))
    shares = JournalShare.objects.filter(
        entry__owner_id__in=owner_ids, relationship__status=RelationshipStatus.ACTIVE
    )
    if provider is not None:
        shares = shares.filter(relationship__provider=provider)
    journal = (
        shares.values_list("entry__owner_id")
        .annotate(shared=Max("shared_at"), edited=Max("entry__updated_at"))
        .order_by()
    )
    _merge(
        found,
        Module.JOURNAL,
        [(int(owner_id), max(shared, edited)) for owner_id, shared, edited in journal],
    )
    return dict(found)
