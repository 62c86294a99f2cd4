"""Goals with their progress, one goal's page, and activities."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from tandem.accounts.models import User
from tandem.toolbox.models import Activity, Goal, GoalStatus, GoalStatusChange, GoalStep


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


@dataclass(frozen=True)
class GoalMark:
    """One status a goal took, for a time axis: "started", "achieved", "paused"..."""

    at: datetime
    goal_id: int
    title: str
    status: str
    started: bool

    @property
    def label(self) -> str:
        if self.started:
            return gettext("Goal “%(title)s” started") % {"title": self.title}
        return gettext("Goal “%(title)s”: %(status)s") % {
            "title": self.title,
            "status": GoalStatus(self.status).label.lower(),
        }


def goal_timeline(owner: User) -> list[GoalMark]:
    """Every status ``owner``'s goals took, oldest first, in one query (the titles are
    decrypted here, for the owner's own pages)."""
    seen: set[int] = set()
    marks = []
    changes = GoalStatusChange.objects.filter(goal__owner=owner).select_related("goal")
    for change in changes.order_by("changed_at", "id"):
        marks.append(
            GoalMark(
                at=change.changed_at,
                goal_id=change.goal_id,
                title=change.goal.title,
                status=change.status,
                started=change.goal_id not in seen,
            )
        )
        seen.add(change.goal_id)
    return marks
