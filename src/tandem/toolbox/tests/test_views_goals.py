"""The toolbox through the test client: goals and their comments, activities, and paginated lists."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import User
from tandem.care.models import Comment, Level, Module
from tandem.toolbox.models import (
    Activity,
    Goal,
    GoalStep,
)
from tandem.toolbox.tests.factories import (
    ActivityFactory,
    GoalFactory,
    default_domain,
    share_with,
)

pytestmark = pytest.mark.django_db


# --- Goals -----------------------------------------------------------------------------------


def test_setting_a_goal_with_steps_and_working_through_them(
    owner_client: Client, service_user: User
) -> None:
    response = owner_client.post(
        "/toolbox/goals/create/",
        {
            "title": "Join a walking group",
            "domain": default_domain("physical_health").pk,
            "why": "Fresh air and people",
            "target_date": (timezone.localdate() + timedelta(days=30)).isoformat(),
            "steps": "Find a group\nCall them\nGo once",
        },
    )
    goal = Goal.objects.get(owner=service_user)
    assert response.status_code == 302
    assert response["Location"] == f"/toolbox/goals/{goal.pk}/"
    steps = list(goal.steps.all())
    assert [s.text for s in steps] == ["Find a group", "Call them", "Go once"]
    owner_client.post(f"/toolbox/steps/{steps[0].pk}/toggle/", {"done": "1"})
    owner_client.post(f"/toolbox/steps/{steps[2].pk}/move/", {"direction": "up"})
    owner_client.post(f"/toolbox/goals/{goal.pk}/", {"text": "Buy boots"})
    page = owner_client.get(f"/toolbox/goals/{goal.pk}/").content.decode()
    assert "25 % done" in page
    assert page.index("Go once") < page.index("Call them") < page.index("Buy boots")
    owner_client.post(f"/toolbox/steps/{steps[1].pk}/delete/")
    assert not GoalStep.objects.filter(pk=steps[1].pk).exists()


def test_a_goal_without_a_title_is_refused_and_the_rest_is_kept(owner_client: Client) -> None:
    response = owner_client.post(
        "/toolbox/goals/create/",
        {"title": "", "domain": default_domain().pk, "why": "Because I want to", "steps": "One"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "My goal: This field is required." in html
    assert "Because I want to" in html
    assert not Goal.objects.exists()


def test_an_over_long_goal_title_is_refused(owner_client: Client) -> None:
    response = owner_client.post(
        "/toolbox/goals/create/", {"title": "x" * 201, "domain": default_domain().pk}
    )
    assert response.status_code == 400
    assert not Goal.objects.exists()


def test_the_goal_form_starts_with_the_domain_from_the_control_panel(
    owner_client: Client,
) -> None:
    money = default_domain("money")
    html = owner_client.get(f"/toolbox/goals/create/?domain={money.pk}").content.decode()
    assert f'<option value="{money.pk}" selected>' in html


def test_editing_a_goal_and_marking_it_achieved(owner_client: Client, service_user: User) -> None:
    goal = GoalFactory.create(owner=service_user)
    assert owner_client.get(f"/toolbox/goals/{goal.pk}/edit/").status_code == 200
    response = owner_client.post(
        f"/toolbox/goals/{goal.pk}/edit/",
        {
            "title": "Done it",
            "domain": goal.domain_id,
            "manual_progress": "100",
            "status": "achieved",
        },
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert (goal.title, goal.status, goal.manual_progress) == ("Done it", "achieved", 100)
    listing = owner_client.get("/toolbox/goals/?status=achieved").content.decode()
    assert "Done it" in listing
    assert "Done it" not in owner_client.get("/toolbox/goals/").content.decode()


def test_bad_progress_is_refused_on_edit(owner_client: Client, service_user: User) -> None:
    goal = GoalFactory.create(owner=service_user)
    response = owner_client.post(
        f"/toolbox/goals/{goal.pk}/edit/",
        {"title": "x", "domain": goal.domain_id, "manual_progress": "150", "status": "active"},
    )
    assert response.status_code == 400


def test_deleting_a_goal_asks_first(owner_client: Client, service_user: User) -> None:
    goal = GoalFactory.create(owner=service_user)
    confirm = owner_client.get(f"/toolbox/goals/{goal.pk}/delete/")
    assert b"Yes, delete" in confirm.content
    assert Goal.objects.exists()
    assert owner_client.post(f"/toolbox/goals/{goal.pk}/delete/").status_code == 302
    assert not Goal.objects.exists()


def test_provider_comments_on_a_goal_and_the_owner_answers(
    owner_client: Client, provider_client: Client, service_user: User, provider: User
) -> None:
    share_with(provider, service_user, Module.GOALS, level=Level.COMMENT)
    goal = GoalFactory.create(owner=service_user)
    base = f"/people/{service_user.pk}/goals/{goal.pk}"
    assert b"Add comment" in provider_client.get(f"{base}/").content
    response = provider_client.post(f"{base}/comments/", {"body": "Great first step"})
    assert response.status_code == 302
    empty = provider_client.post(f"{base}/comments/", {"body": ""})
    assert empty.status_code == 400
    page = owner_client.get(f"/toolbox/goals/{goal.pk}/").content.decode()
    assert "Great first step" in page
    answer = owner_client.post(f"/toolbox/goals/{goal.pk}/comments/", {"body": "Thank you"})
    assert answer.status_code == 302
    assert list(Comment.objects.values_list("author_id", flat=True)) == [
        provider.pk,
        service_user.pk,
    ]
    assert "Thank you" in provider_client.get(f"{base}/").content.decode()
    assert "2 comments" in provider_client.get(f"/people/{service_user.pk}/goals/").content.decode()


def test_an_over_long_comment_is_refused(owner_client: Client, service_user: User) -> None:
    goal = GoalFactory.create(owner=service_user)
    response = owner_client.post(f"/toolbox/goals/{goal.pk}/comments/", {"body": "x" * 2001})
    assert response.status_code == 400
    assert not Comment.objects.exists()


# --- Activities ------------------------------------------------------------------------------


def test_logging_an_activity_for_a_goal(owner_client: Client, service_user: User) -> None:
    goal = GoalFactory.create(owner=service_user, domain=default_domain("money"))
    page = owner_client.get(f"/toolbox/activities/?goal={goal.pk}").content.decode()
    assert f'<option value="{goal.pk}" selected>' in page
    response = owner_client.post(
        "/toolbox/activities/",
        {
            "description": "Opened the letters",
            "done_on": timezone.localdate().isoformat(),
            "goal": goal.pk,
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get(owner=service_user)
    assert (activity.goal, activity.domain) == (goal, goal.domain)


def test_an_activity_without_domain_or_goal_is_refused(owner_client: Client) -> None:
    response = owner_client.post(
        "/toolbox/activities/",
        {"description": "Walked", "done_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 400
    assert b"Choose a life domain, or a goal." in response.content
    assert b"Walked" in response.content


def test_an_activity_can_be_changed_and_deleted(owner_client: Client, service_user: User) -> None:
    activity = ActivityFactory.create(owner=service_user)
    response = owner_client.post(
        f"/toolbox/activities/{activity.pk}/edit/",
        {
            "description": "Cycled",
            "done_on": timezone.localdate().isoformat(),
            "domain": default_domain("leisure").pk,
        },
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.description == "Cycled"
    owner_client.post(f"/toolbox/activities/{activity.pk}/delete/")
    assert not Activity.objects.exists()


# --- Pagination ------------------------------------------------------------------------------


def test_lists_paginate_at_50(owner_client: Client, service_user: User) -> None:
    ActivityFactory.create_batch(51, owner=service_user)
    first = owner_client.get("/toolbox/activities/").content.decode()
    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in owner_client.get("/toolbox/activities/?page=2").content.decode()
