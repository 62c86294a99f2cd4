"""The courses' share of a person's data export, and what erasing their account does to their
places (``courses/personal_data.py``)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from tandem.accounts.models import Role, User
from tandem.core.personal_data import personal_data_sources
from tandem.courses import services
from tandem.courses.models import (
    CalendarFeed,
    Course,
    CourseTopic,
    Enrolment,
    EnrolmentState,
)
from tandem.courses.personal_data import SOURCE, export
from tandem.courses.services.calendar_feed import hash_token
from tandem.datarights.archive import build_archive
from tandem.datarights.models import ForumPostsChoice
from tandem.datarights.services.deletion import erase_account, request_deletion

pytestmark = pytest.mark.django_db


def _by_title(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["course"]: row for row in data["courses"]}


@pytest.fixture
def otter(make_member: Callable[..., User]) -> User:
    return make_member(Role.SERVICE_USER, pseudonym="Otter", email="otter@example.org")


def test_enrolled_waiting_invited_and_left_courses_are_exported_with_their_status(
    service_user: User,
    otter: User,
    facilitator: User,
    make_course: Callable[..., Course],
) -> None:
    enrolled = make_course(title="Living with voices")
    services.enrol(user=service_user, course=enrolled)
    full = make_course(title="Sleep and routines", capacity=1)
    services.enrol(user=otter, course=full)
    services.enrol(user=service_user, course=full)
    invited = make_course(title="Hearing each other")
    services.invite(course=invited, facilitator=facilitator, user=service_user)
    left = make_course(title="Walking together")
    services.enrol(user=service_user, course=left)
    services.leave(user=service_user, course=left)
    asked = make_course(title="Talking to family", needs_approval=True)
    services.enrol(user=service_user, course=asked)

    courses = _by_title(export(service_user))

    assert {title: row["status"] for title, row in courses.items()} == {
        "Living with voices": EnrolmentState.ENROLLED,
        "Sleep and routines": EnrolmentState.WAITING,
        "Hearing each other": EnrolmentState.INVITED,
        "Walking together": EnrolmentState.LEFT,
        "Talking to family": EnrolmentState.REQUESTED,
    }
    row = courses["Sleep and routines"]
    assert row["opening_at"] == full.opening_at.isoformat()
    assert row["closing_at"] == full.closing_at.isoformat()
    assert row["waiting_since"] is not None
    assert row["created_at"] is not None
    assert row["facilitator"] is False
    assert row["role"] == "service_user"
    json.dumps(export(service_user))  # plain JSON values only


def test_another_persons_enrolment_is_not_exported(
    service_user: User, otter: User, make_course: Callable[..., Course]
) -> None:
    services.enrol(user=service_user, course=make_course(title="Living with voices"))
    services.enrol(user=otter, course=make_course(title="Otter's own course"))

    assert list(_by_title(export(service_user))) == ["Living with voices"]
    assert list(_by_title(export(otter))) == ["Otter's own course"]


def test_a_facilitator_sees_the_courses_they_run_and_topics_they_were_invited_to_answer(
    facilitator: User, provider: User, make_course: Callable[..., Course]
) -> None:
    course = make_course(title="Living with voices")
    topic = CourseTopic.objects.create(course=course, day=2, question="What helps at night?")
    topic.invited.add(provider)
    CourseTopic.objects.create(course=course, day=3, question="Not for Pat")

    run = _by_title(export(facilitator))["Living with voices"]
    assert run["facilitator"] is True
    assert run["status"] is None
    data = export(provider)
    assert data["topics_invited_to_answer"] == [
        {"course": "Living with voices", "day": 2, "question": "What helps at night?"}
    ]


def test_the_calendar_feed_is_said_to_exist_without_its_token_or_hash(
    service_user: User, otter: User
) -> None:
    assert export(service_user)["calendar_feed"] == {"has_feed": False, "created_at": None}
    token = services.create_feed(user=service_user)
    services.create_feed(user=otter)

    data = export(service_user)
    text = json.dumps(data)

    assert data["calendar_feed"]["has_feed"] is True
    assert token not in text
    assert hash_token(token) not in text
    for token_hash in CalendarFeed.objects.values_list("token_hash", flat=True):
        assert token_hash not in text


def test_the_export_readme_lists_the_courses_file(
    service_user: User, make_course: Callable[..., Course]
) -> None:
    services.enrol(user=service_user, course=make_course(title="Living with voices"))
    assert SOURCE in personal_data_sources()

    archive = zipfile.ZipFile(io.BytesIO(build_archive(service_user, lambda _done, _step: None)))

    readme = archive.read("README.txt").decode()
    assert "courses.json" in readme
    assert SOURCE.description in readme
    data = json.loads(archive.read("courses.json"))
    assert _by_title(data)["Living with voices"]["status"] == EnrolmentState.ENROLLED


def test_erasure_frees_the_persons_place_for_the_first_one_waiting(
    service_user: User, otter: User, make_course: Callable[..., Course]
) -> None:
    course = make_course(capacity=1)
    services.enrol(user=service_user, course=course)
    services.enrol(user=otter, course=course)
    services.create_feed(user=service_user)

    erase_account(deletion=request_deletion(user=service_user, forum_posts=ForumPostsChoice.DELETE))

    assert Enrolment.objects.get(course=course, user=otter).state == EnrolmentState.ENROLLED
    assert not Enrolment.objects.filter(course=course).exclude(user=otter).exists()
    assert not CalendarFeed.objects.exists()
