"""Course pages run the same number of queries with little data and with more: the course
list, a course page, its board (the forum's community page) and the dashboard."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.accounts.models import Role, User
from tandem.courses import services
from tandem.courses.models import Course, CourseTopic
from tandem.forum import services as forum_services
from tandem.forum.models import ReactionKind

pytestmark = pytest.mark.django_db

OPENING = datetime(2027, 1, 11, 18, 0, tzinfo=UTC)


def _count(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def _bounded(client: Client, path: str, grow: Callable[[int], object]) -> None:
    grow(2)
    client.get(path)  # first visits create per-person rows
    small = _count(client, path)
    grow(6)
    large = _count(client, path)
    assert small == large, f"{path}: {small} queries, then {large}"


@pytest.fixture
def grown(
    make_course: Callable[..., Course], facilitator: User, make_member: Callable[..., User]
) -> tuple[Course, Callable[[int], None]]:
    course = make_course(opening_at=OPENING, capacity=100, days=14)
    people: list[User] = []

    def grow(n: int) -> None:
        for _ in range(n):
            person = make_member()
            pro = make_member(Role.PROVIDER, profession="Nurse")
            for p in (person, pro):
                services.enrol(user=p, course=course)
                forum_services.join_community(user=p, community=course.board, accepted_version=1)  # type: ignore[arg-type]
            people.extend([person, pro])
            day = CourseTopic.objects.filter(course=course).count() + 1
            services.save_topic(
                course=course,
                facilitator=facilitator,
                day=day,
                question=f"Question {day}",
                reading="",
                invited=[pro],
            )
        services.release_due_topics(OPENING.replace(year=2027, day=25))
        for topic in CourseTopic.objects.filter(course=course, forum_topic__isnull=False):
            assert topic.forum_topic is not None
            forum_topic = topic.forum_topic
            forum_topic.community = course.board  # type: ignore[assignment]
            post = forum_services.reply_to_topic(
                author=people[-1], topic=forum_topic, body="Me too."
            )
            forum_services.toggle_reaction(user=people[0], post=post, kind=ReactionKind.HEAR_YOU)

    return course, grow


def test_the_course_list_is_bounded(
    logged_in: Callable[[User], Client], make_course: Callable[..., Course], service_user: User
) -> None:
    def grow(n: int) -> None:
        for _ in range(n):
            services.enrol(user=service_user, course=make_course())

    _bounded(logged_in(service_user), reverse("courses:course-list"), grow)


def test_the_course_page_is_bounded(
    logged_in: Callable[[User], Client],
    grown: tuple[Course, Callable[[int], None]],
    facilitator: User,
) -> None:
    course, grow = grown
    _bounded(logged_in(facilitator), reverse("courses:course-detail", args=[course.pk]), grow)


def test_the_board_is_bounded(
    logged_in: Callable[[User], Client],
    grown: tuple[Course, Callable[[int], None]],
    facilitator: User,
) -> None:
    course, grow = grown
    forum_services.join_community(user=facilitator, community=course.board, accepted_version=1)  # type: ignore[arg-type]
    _bounded(
        logged_in(facilitator), reverse("forum:community-detail", args=[course.board_id]), grow
    )


def test_the_dashboard_is_bounded_and_counts_each_side(
    logged_in: Callable[[User], Client],
    grown: tuple[Course, Callable[[int], None]],
    facilitator: User,
) -> None:
    course, grow = grown
    client = logged_in(facilitator)
    _bounded(client, reverse("courses:course-dashboard", args=[course.pk]), grow)
    response = client.get(reverse("courses:course-dashboard", args=[course.pk]))
    rows = response.context["board"].topics
    # The newest topic: its opening post (the facilitator, counted as a professional), one
    # reply (the last professional) and one reaction (the first service user). The first
    # topic got a reply from each round of growth: three professionals.
    released = [(r.service_users, r.professionals) for r in rows if r.topic.released_at]
    assert released[-1] == (1, 2)
    assert released[0] == (1, 3)
    assert response.context["board"].enrolled == 16
