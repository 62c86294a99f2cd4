"""Goals on the trend's time axis: the status history the goal services keep, the marks the
chart draws, and who sees them (the owner only: goals are another module's grant)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.accounts.models import User
from tandem.care.models import Level, Module
from tandem.questionnaires.charts import trend_chart
from tandem.questionnaires.instruments import INSTRUMENTS
from tandem.questionnaires.selectors import submitted_responses
from tandem.questionnaires.tests.factories import make_response
from tandem.toolbox import services as toolbox_services
from tandem.toolbox.models import GoalStatus, GoalStatusChange
from tandem.toolbox.selectors.goals import goal_timeline
from tandem.toolbox.tests.factories import default_domain, share_with

pytestmark = pytest.mark.django_db


def test_goal_services_keep_one_row_per_status_taken(service_user: User) -> None:
    goal = toolbox_services.create_goal(
        owner=service_user, domain=default_domain(), title="Sleep better"
    )
    toolbox_services.set_goal_status(owner=service_user, goal=goal, status=GoalStatus.ACTIVE)
    toolbox_services.set_goal_status(owner=service_user, goal=goal, status=GoalStatus.PAUSED)
    toolbox_services.update_goal(
        owner=service_user,
        goal=goal,
        domain=goal.domain,
        title="Sleep better still",
        why="",
        target_date=None,
        manual_progress=10,
        status=GoalStatus.PAUSED,  # unchanged: no row
    )
    toolbox_services.update_goal(
        owner=service_user,
        goal=goal,
        domain=goal.domain,
        title="Sleep better still",
        why="",
        target_date=None,
        manual_progress=100,
        status=GoalStatus.ACHIEVED,
    )
    statuses = list(GoalStatusChange.objects.filter(goal=goal).values_list("status", flat=True))
    assert statuses == ["active", "paused", "achieved"]
    toolbox_services.delete_goal(owner=service_user, goal=goal)
    assert not GoalStatusChange.objects.exists()


def test_the_timeline_is_oldest_first_says_started_once_and_takes_one_query(
    service_user: User, make_member: Callable[..., User]
) -> None:
    first = toolbox_services.create_goal(owner=service_user, domain=default_domain(), title="Walk")
    second = toolbox_services.create_goal(owner=service_user, domain=default_domain(), title="Read")
    toolbox_services.set_goal_status(owner=service_user, goal=first, status=GoalStatus.ACHIEVED)
    someone_else = make_member()
    toolbox_services.create_goal(owner=someone_else, domain=default_domain(), title="Not mine")
    with CaptureQueriesContext(connection) as queries:
        marks = goal_timeline(service_user)
    assert len(queries) == 1
    assert [(m.goal_id, m.status, m.started) for m in marks] == [
        (first.pk, "active", True),
        (second.pk, "active", True),
        (first.pk, "achieved", False),
    ]
    assert [m.label for m in marks] == [
        "Goal “Walk” started",
        "Goal “Read” started",
        "Goal “Walk”: achieved",
    ]


def test_the_chart_marks_goals_between_its_first_and_last_score(service_user: User) -> None:
    now = timezone.now()
    for weeks in (8, 4, 0):
        make_response(service_user, "phq9", value=1, submitted_at=now - timedelta(weeks=weeks))
    inside = toolbox_services.create_goal(
        owner=service_user, domain=default_domain(), title="Inside"
    )
    before = toolbox_services.create_goal(
        owner=service_user, domain=default_domain(), title="Before"
    )
    GoalStatusChange.objects.filter(goal=inside).update(changed_at=now - timedelta(weeks=6))
    GoalStatusChange.objects.filter(goal=before).update(changed_at=now - timedelta(weeks=10))
    history = submitted_responses(service_user, "phq9")
    chart = trend_chart(INSTRUMENTS["phq9"], history, goal_timeline(service_user))
    assert [marker.label for marker in chart.goals] == ["Goal “Inside” started"]
    marker = chart.goals[0]
    # Six weeks ago on an eight-week axis: a quarter of the way along.
    assert chart.left < marker.x < chart.points[1].x
    assert abs(marker.x - (chart.left + chart.plot_width * 0.25)) < 1
    assert "Goal “Inside” started" in chart.description
    assert "Before" not in chart.description
    # One score gives an axis with no length: no goal is placed on it.
    single = trend_chart(INSTRUMENTS["phq9"], history[-1:], goal_timeline(service_user))
    assert single.goals == []
    # One answer is said in the singular, not "1 answers, first 9, latest 9".
    assert ": 1 answer, 9, on a scale of 0 to 27" in single.description
    assert "3 answers, first 9, latest 9" in chart.description


def test_the_owner_sees_goals_beside_scores_and_the_care_team_does_not(
    service_user: User, provider: User, logged_in: Callable[[User], Client]
) -> None:
    now = timezone.now()
    for weeks in (8, 0):
        make_response(service_user, "phq9", value=1, submitted_at=now - timedelta(weeks=weeks))
    goal = toolbox_services.create_goal(
        owner=service_user, domain=default_domain(), title="Private goal title"
    )
    GoalStatusChange.objects.filter(goal=goal).update(changed_at=now - timedelta(weeks=4))
    share_with(provider, service_user, Module.QUESTIONNAIRES, level=Level.VIEW)
    own = logged_in(service_user).get("/questionnaires/phq9/trends/").content.decode()
    assert 'class="goal-mark"' in own
    assert "Private goal title" in own
    assert "Your goals on the same dates" in own
    shared = logged_in(provider).get(f"/people/{service_user.pk}/questionnaires/")
    assert shared.status_code == 200
    assert "Private goal title" not in shared.content.decode()
    assert 'class="goal-mark"' not in shared.content.decode()
