"""Toolbox services: goals, their steps and progress, and activities."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tandem.accounts.models import User
from tandem.care.models import Comment, Module
from tandem.toolbox import selectors, services
from tandem.toolbox.models import GoalStatus
from tandem.toolbox.tests.factories import (
    ActivityFactory,
    GoalFactory,
    default_domain,
)
from tandem.toolbox.tests.helpers_services import _raw

pytestmark = pytest.mark.django_db


# --- Goals and steps -------------------------------------------------------------------------


def test_a_goal_keeps_its_steps_in_order_and_progress_follows_them(service_user: User) -> None:
    goal = services.create_goal(
        owner=service_user,
        domain=default_domain("work_study"),
        title="Find a course",
        why="I want to learn again",
        target_date=timezone.localdate() + timedelta(days=30),
        manual_progress=80,
        steps=["Look online", "", "Call the college", "Visit"],
    )
    steps = list(goal.steps.all())
    assert [s.text for s in steps] == ["Look online", "Call the college", "Visit"]
    assert goal.progress == 0  # with steps, the hand-set figure is ignored
    services.set_step_done(owner=service_user, step=steps[0], done=True)
    assert selectors.goals_for_owner(service_user).get().progress == 33
    assert "Find a course" not in _raw("toolbox_goal", "title", goal.pk)


def test_without_steps_progress_is_set_by_hand(service_user: User) -> None:
    goal = services.create_goal(
        owner=service_user, domain=default_domain(), title="Tidy up", manual_progress=40
    )
    assert selectors.goals_for_owner(service_user).get(pk=goal.pk).progress == 40


def test_a_goal_needs_a_title(service_user: User) -> None:
    with pytest.raises(ValidationError) as error:
        services.create_goal(owner=service_user, domain=default_domain(), title="  ")
    assert "title" in error.value.message_dict


def test_progress_by_hand_stays_within_0_to_100(service_user: User) -> None:
    with pytest.raises(ValidationError):
        services.create_goal(
            owner=service_user, domain=default_domain(), title="x", manual_progress=101
        )


def test_over_long_steps_are_refused_with_their_number(service_user: User) -> None:
    with pytest.raises(ValidationError) as error:
        services.create_goal(
            owner=service_user, domain=default_domain(), title="x", steps=["ok", "y" * 301]
        )
    assert "Step 2" in str(error.value.message_dict["steps"])


def test_too_many_steps_are_refused(service_user: User) -> None:
    with pytest.raises(ValidationError):
        services.create_goal(
            owner=service_user,
            domain=default_domain(),
            title="x",
            steps=[f"s{i}" for i in range(services.MAX_STEPS_PER_GOAL + 1)],
        )


def test_moving_a_goal_to_another_domain_moves_its_activities(service_user: User) -> None:
    goal = GoalFactory.create(owner=service_user)
    activity = ActivityFactory.create(owner=service_user, goal=goal, domain=goal.domain)
    services.update_goal(
        owner=service_user,
        goal=goal,
        domain=default_domain("leisure"),
        title="Renamed",
        why="",
        target_date=None,
        manual_progress=0,
        status=GoalStatus.PAUSED,
    )
    activity.refresh_from_db()
    assert activity.domain == default_domain("leisure")
    goal.refresh_from_db()
    assert (goal.title, goal.status) == ("Renamed", GoalStatus.PAUSED)


def test_changing_someone_elses_goal_is_refused(service_user: User, other_user: User) -> None:
    goal = GoalFactory.create(owner=other_user)
    with pytest.raises(PermissionDenied):
        services.set_goal_status(owner=service_user, goal=goal, status=GoalStatus.DROPPED)
    with pytest.raises(PermissionDenied):
        services.add_step(owner=service_user, goal=goal, text="sneaky")
    with pytest.raises(PermissionDenied):
        services.delete_goal(owner=service_user, goal=goal)


def test_an_unknown_goal_status_is_refused(service_user: User) -> None:
    goal = GoalFactory.create(owner=service_user)
    with pytest.raises(ValidationError):
        services.set_goal_status(owner=service_user, goal=goal, status="lost")


def test_steps_can_be_added_moved_and_deleted(service_user: User) -> None:
    goal = GoalFactory.create(owner=service_user)
    first = services.add_step(owner=service_user, goal=goal, text="First")
    second = services.add_step(owner=service_user, goal=goal, text="Second")
    services.move_step(owner=service_user, step=second, up=True)
    assert [s.text for s in goal.steps.all()] == ["Second", "First"]
    services.move_step(owner=service_user, step=second, up=True)  # already at the top
    assert [s.text for s in goal.steps.all()] == ["Second", "First"]
    services.delete_step(owner=service_user, step=first)
    assert [s.text for s in goal.steps.all()] == ["Second"]


def test_step_changes_count_as_changes_to_the_goal(service_user: User) -> None:
    goal = GoalFactory.create(owner=service_user)
    before = goal.updated_at
    step = services.add_step(owner=service_user, goal=goal, text="Call")
    services.set_step_done(owner=service_user, step=step, done=True)
    goal.refresh_from_db()
    assert goal.updated_at > before
    step.refresh_from_db()
    assert step.done and step.done_at is not None


def test_deleting_a_goal_keeps_its_activities_and_drops_its_comments(
    service_user: User, provider: User
) -> None:
    goal = GoalFactory.create(owner=service_user)
    activity = ActivityFactory.create(owner=service_user, goal=goal)
    Comment.objects.create(
        owner=service_user, author=provider, module=Module.GOALS, item_id=goal.pk, body="Nice"
    )
    services.delete_goal(owner=service_user, goal=goal)
    activity.refresh_from_db()
    assert activity.goal is None
    assert not Comment.objects.exists()


# --- Activities ------------------------------------------------------------------------------


def test_an_activity_under_a_goal_takes_the_goals_domain(service_user: User) -> None:
    goal = GoalFactory.create(owner=service_user, domain=default_domain("money"))
    activity = services.log_activity(owner=service_user, description="Opened post", goal=goal)
    assert activity.domain == goal.domain
    assert activity.done_on == timezone.localdate()


def test_an_activity_needs_a_domain_or_a_goal(service_user: User) -> None:
    with pytest.raises(ValidationError):
        services.log_activity(owner=service_user, description="Something")


def test_an_activity_cannot_mix_a_goal_with_another_domain(service_user: User) -> None:
    goal = GoalFactory.create(owner=service_user, domain=default_domain("money"))
    with pytest.raises(ValidationError) as error:
        services.log_activity(
            owner=service_user, description="x", goal=goal, domain=default_domain("home")
        )
    assert "goal" in error.value.message_dict


def test_an_activity_cannot_hang_on_someone_elses_goal(
    service_user: User, other_user: User
) -> None:
    with pytest.raises(PermissionDenied):
        services.log_activity(
            owner=service_user, description="x", goal=GoalFactory.create(owner=other_user)
        )


def test_an_activity_can_be_changed_and_deleted(service_user: User) -> None:
    activity = ActivityFactory.create(owner=service_user)
    services.update_activity(
        owner=service_user,
        activity=activity,
        description="Swam",
        done_on=timezone.localdate(),
        domain=default_domain("physical_health"),
        goal=None,
    )
    activity.refresh_from_db()
    assert activity.description == "Swam"
    services.delete_activity(owner=service_user, activity=activity)
    assert not type(activity).objects.exists()
