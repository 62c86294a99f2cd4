"""What the printable summary of an export shows, read for its owner: the crisis plan, each goal
with its progress over time, medications, network, and each questionnaire's scores over time.

The trends are the questionnaires app's own (``questionnaires.selectors`` and
``questionnaires.charts``), so the summary draws the same chart as the person's trends page,
with the same words for it; the template adds the table of scores, the chart's text alternative.
A fixed number of queries whatever the amount of data: one per kind of thing read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.questionnaires import selectors as questionnaires
from tandem.questionnaires.charts import TrendChart, trend_chart
from tandem.questionnaires.instruments import Instrument
from tandem.questionnaires.selectors import ScoredResponse
from tandem.toolbox.models import (
    CRISIS_PLAN_SECTIONS,
    CrisisPlan,
    Goal,
    GoalStatus,
    GoalStatusChange,
    GoalStep,
    Medication,
    NetworkMember,
)
from tandem.toolbox.selectors.goals import goal_timeline, with_progress


@dataclass(frozen=True)
class PlanSection:
    label: str
    text: str


@dataclass(frozen=True)
class GoalEvent:
    """One dated thing that happened to a goal: it started, took a status, a step was done."""

    at: datetime
    text: str


@dataclass
class GoalProgress:
    goal: Goal
    steps_total: int
    steps_done: int
    history: list[GoalEvent] = field(default_factory=list)

    @property
    def progress(self) -> int:
        return self.goal.progress_from(self.steps_total, self.steps_done)


@dataclass(frozen=True)
class Trend:
    """One instrument's scores, oldest first, and its chart."""

    instrument: Instrument
    chart: TrendChart
    rows: list[ScoredResponse]


@dataclass(frozen=True)
class Summary:
    crisis_plan: list[PlanSection]
    goals: list[GoalProgress]
    medications: list[Medication]
    network: list[NetworkMember]
    trends: list[Trend]


def _crisis_plan(user: User) -> list[PlanSection]:
    plan = CrisisPlan.objects.filter(owner=user).first()
    if plan is None:
        return []
    return [
        PlanSection(label=str(label), text=getattr(plan, key))
        for key, label, _prompt in CRISIS_PLAN_SECTIONS
        if getattr(plan, key).strip()
    ]


def _goals(user: User) -> list[GoalProgress]:
    """Every goal with its progress today and its history: each status it took and each step
    done, oldest first (three queries)."""
    goals = with_progress(Goal.objects.filter(owner=user).select_related("domain")).order_by("pk")
    found = {
        goal.pk: GoalProgress(goal=goal, steps_total=goal.steps_total, steps_done=goal.steps_done)  # type: ignore[attr-defined]  # annotated by with_progress
        for goal in goals
    }
    started: set[int] = set()
    for change in GoalStatusChange.objects.filter(goal__owner=user).order_by("changed_at", "pk"):
        if change.goal_id not in found:
            continue
        if change.goal_id in started:
            text = _("Status changed to: %(status)s") % {"status": GoalStatus(change.status).label}
        else:
            text = _("Goal started")
        started.add(change.goal_id)
        found[change.goal_id].history.append(GoalEvent(at=change.changed_at, text=text))
    done_steps = GoalStep.objects.filter(goal__owner=user, done=True, done_at__isnull=False)
    for step in done_steps.order_by("done_at", "pk"):
        if step.goal_id in found and step.done_at is not None:
            text = _("Step done: %(step)s") % {"step": step.text}
            found[step.goal_id].history.append(GoalEvent(at=step.done_at, text=text))
    for item in found.values():
        item.history.sort(key=lambda event: event.at)
    return list(found.values())


def _trends(user: User) -> list[Trend]:
    """Each instrument the person answered, by the version answered last, with its scores
    oldest first and the goals' marks on the same time axis (two queries, three with custom
    instruments)."""
    history = questionnaires.submitted_responses(user)
    by_key: dict[str, list[ScoredResponse]] = {}
    for item in history:
        by_key.setdefault(item.instrument.key, []).append(item)
    goals = goal_timeline(user) if by_key else []
    trends = []
    for items in by_key.values():
        instrument = items[-1].instrument
        chart = trend_chart(instrument, items, goals)
        trends.append(Trend(instrument=instrument, chart=chart, rows=items))
    return sorted(trends, key=lambda trend: str(trend.instrument.name).casefold())


def summary_for(user: User) -> Summary:
    """Everything the printable summary shows of ``user``'s own data (for its owner only)."""
    return Summary(
        crisis_plan=_crisis_plan(user),
        goals=_goals(user),
        medications=list(Medication.objects.filter(owner=user).order_by("pk")),
        network=list(NetworkMember.objects.filter(owner=user).order_by("pk")),
        trends=_trends(user),
    )
