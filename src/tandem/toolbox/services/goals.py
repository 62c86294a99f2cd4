"""Goals, their steps, and the activities that hang on a goal or a domain."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.care.models import Module
from tandem.core import usage
from tandem.toolbox.dates import check_dates, not_in_future, not_in_past
from tandem.toolbox.models import (
    Activity,
    Goal,
    GoalStatus,
    GoalStatusChange,
    GoalStep,
    LifeDomain,
)
from tandem.toolbox.services.common import (
    check_domain_usable,
    check_owner,
    delete_comments,
    save_cleaned,
)
from tandem.toolbox.services.kept import keep_deleted

MAX_STEPS_PER_GOAL = 50


def create_goal_from_form(*, owner: User, data: Mapping[str, Any]) -> Goal:
    """:func:`create_goal` with a valid ``GoalCreateForm``'s cleaned data (the page and the API)."""
    return create_goal(
        owner=owner,
        domain=data["domain"],
        title=data["title"],
        why=data["why"],
        target_date=data["target_date"],
        manual_progress=data["manual_progress"] or 0,
        steps=data["steps"].splitlines(),
    )


def create_goal(
    *,
    owner: User,
    domain: LifeDomain,
    title: str,
    why: str = "",
    target_date: date | None = None,
    manual_progress: int = 0,
    steps: Iterable[str] = (),
) -> Goal:
    """Create an active goal, with its first steps in the order given (blank lines skipped).

    A new goal's target date cannot be in the past (editing keeps a date that has passed).
    """
    check_domain_usable(owner, domain)
    check_dates(target_date=(target_date, not_in_past))
    step_texts = [text.strip() for text in steps if text.strip()]
    if len(step_texts) > MAX_STEPS_PER_GOAL:
        raise ValidationError(
            {"steps": _("A goal can have up to %(max)s steps.") % {"max": MAX_STEPS_PER_GOAL}}
        )
    goal = Goal(
        owner=owner,
        domain=domain,
        title=title.strip(),
        why=why.strip(),
        target_date=target_date,
        manual_progress=manual_progress,
    )
    with transaction.atomic():
        save_cleaned(goal)
        GoalStatusChange.objects.create(goal=goal, status=goal.status, changed_at=goal.created_at)
        for position, text in enumerate(step_texts):
            step = GoalStep(goal=goal, text=text, position=position)
            try:
                step.full_clean()
            except ValidationError as error:
                raise ValidationError(
                    {
                        "steps": _("Step %(n)s: %(problem)s")
                        % {"n": position + 1, "problem": " ".join(error.messages)}
                    }
                ) from error
            step.save()
    usage.record(owner.pk, usage.Module.GOALS, usage.Action.GOAL_CHANGED)
    return goal


def update_goal_from_form(*, owner: User, goal: Goal, data: Mapping[str, Any]) -> Goal:
    """:func:`update_goal` with a valid ``GoalEditForm``'s cleaned data (the page and the API)."""
    return update_goal(
        owner=owner,
        goal=goal,
        domain=data["domain"],
        title=data["title"],
        why=data["why"],
        target_date=data["target_date"],
        manual_progress=data["manual_progress"] or 0,
        status=data["status"],
    )


def update_goal(
    *,
    owner: User,
    goal: Goal,
    domain: LifeDomain,
    title: str,
    why: str,
    target_date: date | None,
    manual_progress: int,
    status: str,
) -> Goal:
    check_owner(owner, goal)
    if domain.pk != goal.domain_id:
        check_domain_usable(owner, domain)
    goal.domain = domain
    goal.title = title.strip()
    goal.why = why.strip()
    goal.target_date = target_date
    goal.manual_progress = manual_progress
    changed = status != goal.status
    goal.status = status
    with transaction.atomic():
        save_cleaned(
            goal,
            update_fields=[
                "domain",
                "title",
                "why",
                "target_date",
                "manual_progress",
                "status",
                "updated_at",
            ],
        )
        if changed:
            _record_status(goal)
        # Activities follow their goal into its new domain.
        Activity.objects.filter(goal=goal).exclude(domain=domain).update(
            domain=domain, updated_at=timezone.now()
        )
    usage.record(owner.pk, usage.Module.GOALS, usage.Action.GOAL_CHANGED)
    return goal


def set_goal_status(*, owner: User, goal: Goal, status: str) -> Goal:
    check_owner(owner, goal)
    if status not in GoalStatus.values:
        raise ValidationError({"status": _("Choose a status from the list.")})
    changed = status != goal.status
    goal.status = status
    with transaction.atomic():
        save_cleaned(goal, update_fields=["status", "updated_at"])
        if changed:
            _record_status(goal)
    usage.record(owner.pk, usage.Module.GOALS, usage.Action.GOAL_CHANGED)
    return goal


def _record_status(goal: Goal) -> None:
    """The one place a goal's status history grows (after a change is saved)."""
    GoalStatusChange.objects.create(goal=goal, status=goal.status, changed_at=goal.updated_at)


def delete_goal(*, owner: User, goal: Goal) -> None:
    """Delete a goal, its steps and the comments on it. Its activities stay, without a goal."""
    check_owner(owner, goal)
    with transaction.atomic():
        delete_comments(owner, Module.GOALS, [goal.pk])
        goal.delete()


def _touch(goal: Goal) -> None:
    # Steps change the goal's progress: the goal counts as changed (latest_changes, sorting).
    goal.save(update_fields=["updated_at"])
    usage.record(goal.owner_id, usage.Module.GOALS, usage.Action.GOAL_CHANGED)


def add_step(*, owner: User, goal: Goal, text: str) -> GoalStep:
    """Add a step at the end of the goal's list."""
    check_owner(owner, goal)
    with transaction.atomic():
        steps = GoalStep.objects.select_for_update().filter(goal=goal)
        if steps.count() >= MAX_STEPS_PER_GOAL:
            raise ValidationError(
                {"text": _("A goal can have up to %(max)s steps.") % {"max": MAX_STEPS_PER_GOAL}}
            )
        last = steps.aggregate(last=models.Max("position"))["last"]
        step = GoalStep(goal=goal, text=text.strip(), position=0 if last is None else last + 1)
        save_cleaned(step)
        _touch(goal)
    return step


def set_step_done(*, owner: User, step: GoalStep, done: bool) -> GoalStep:
    check_owner(owner, step.goal)
    step.done = done
    step.done_at = timezone.now() if done else None
    with transaction.atomic():
        save_cleaned(step, update_fields=["done", "done_at"])
        _touch(step.goal)
    return step


def move_step(*, owner: User, step: GoalStep, up: bool) -> None:
    """Swap a step with its neighbour above (``up``) or below; at either end, do nothing."""
    goal = step.goal
    check_owner(owner, goal)
    with transaction.atomic():
        steps = list(
            GoalStep.objects.select_for_update().filter(goal=goal).order_by("position", "id")
        )
        index = next(i for i, s in enumerate(steps) if s.pk == step.pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(steps):
            return
        steps[index], steps[other] = steps[other], steps[index]
        for position, each in enumerate(steps):
            each.position = position
        GoalStep.objects.bulk_update(steps, ["position"])
        _touch(goal)


def delete_step(*, owner: User, step: GoalStep) -> None:
    goal = step.goal
    check_owner(owner, goal)
    with transaction.atomic():
        keep_deleted(owner=owner, item=step)
        _touch(goal)


def _activity_domain(owner: User, domain: LifeDomain | None, goal: Goal | None) -> LifeDomain:
    if goal is not None:
        check_owner(owner, goal)
        if domain is not None and domain.pk != goal.domain_id:
            raise ValidationError(
                {"goal": _("This goal belongs to another life domain.")}, code="domain"
            )
        return goal.domain
    if domain is None:
        raise ValidationError(
            _("Choose the life domain or the goal this activity belongs to."), code="required"
        )
    check_domain_usable(owner, domain)
    return domain


def log_activity(
    *,
    owner: User,
    description: str,
    done_on: date | None = None,
    domain: LifeDomain | None = None,
    goal: Goal | None = None,
) -> Activity:
    """Record something the owner did, under a goal (and so its domain) or just a domain."""
    check_dates(done_on=(done_on, not_in_future))
    activity = Activity(
        owner=owner,
        domain=_activity_domain(owner, domain, goal),
        goal=goal,
        description=description.strip(),
        done_on=done_on or timezone.localdate(),
    )
    with transaction.atomic():
        save_cleaned(activity)
    return activity


def update_activity(
    *,
    owner: User,
    activity: Activity,
    description: str,
    done_on: date,
    domain: LifeDomain | None,
    goal: Goal | None,
) -> Activity:
    check_owner(owner, activity)
    check_dates(done_on=(done_on, not_in_future))
    activity.domain = _activity_domain(owner, domain, goal)
    activity.goal = goal
    activity.description = description.strip()
    activity.done_on = done_on
    with transaction.atomic():
        save_cleaned(
            activity, update_fields=["domain", "goal", "description", "done_on", "updated_at"]
        )
    return activity


def delete_activity(*, owner: User, activity: Activity) -> None:
    keep_deleted(owner=owner, item=activity)
