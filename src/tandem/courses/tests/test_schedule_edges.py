"""The course clock when something is missing or refused: a topic that cannot open yet stays
unreleased (and opens at a later tick once it can), a refused feature does not stop a topic
opening, a reminder another run already sent is not sent again, and nobody is nudged on a
course that has ended."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from tandem.accounts.models import Role, User
from tandem.courses import services
from tandem.courses.models import Course, CourseTopic, ReminderKind, SentReminder
from tandem.courses.services import schedule as schedule_module
from tandem.courses.services.notifying import notify_course
from tandem.forum import services as forum_services
from tandem.forum.models import Category, Topic
from tandem.notifications.models import Notification

pytestmark = pytest.mark.django_db

OPENING = datetime(2027, 1, 11, 18, 0, tzinfo=UTC)  # Monday, 18:00 in London


@pytest.fixture
def day_one(make_course: Callable[..., Course], facilitator: User) -> Course:
    """A course opening at OPENING with the topic of its first day written."""
    course = make_course(opening_at=OPENING)
    services.save_topic(
        course=course,
        facilitator=facilitator,
        day=1,
        question="What helps on a hard day?",
        reading="",
        invited=[],
    )
    return course


def _topic(course: Course) -> CourseTopic:
    return CourseTopic.objects.get(course=course, day=1)


def _assert_not_opened(course: Course) -> None:
    topic = _topic(course)
    assert topic.released_at is None
    assert topic.forum_topic is None
    assert not Topic.objects.filter(community=course.board_id).exists()
    assert not Notification.objects.filter(kind="courses.topic_open").exists()


def test_a_course_without_a_board_opens_nothing(day_one: Course) -> None:
    Course.objects.filter(pk=day_one.pk).update(board=None)
    course = Course.objects.select_related("organisation", "board").get(pk=day_one.pk)
    assert services.release_due_topics(OPENING) == 0
    topic = _topic(course)
    topic.course = course
    assert schedule_module._release(topic, OPENING) is False
    topic.refresh_from_db()
    assert topic.released_at is None
    assert topic.forum_topic is None


def test_a_course_without_a_facilitator_opens_its_topic_once_it_has_one_again(
    day_one: Course, facilitator: User
) -> None:
    day_one.facilitators.clear()
    assert services.release_due_topics(OPENING) == 0
    _assert_not_opened(day_one)
    # Tried again at the next tick: once someone runs the course, the topic opens.
    day_one.facilitators.add(facilitator)
    assert services.release_due_topics(OPENING + timedelta(minutes=5)) == 1
    topic = _topic(day_one)
    assert topic.forum_topic is not None
    assert topic.forum_topic.author == facilitator


def test_a_board_without_a_category_opens_its_topic_once_it_has_one_again(
    day_one: Course,
) -> None:
    Category.objects.filter(community=day_one.board_id).delete()
    assert services.release_due_topics(OPENING) == 0
    _assert_not_opened(day_one)
    assert day_one.board is not None
    category = Category.objects.create(community=day_one.board, name="Topics", position=0)
    assert services.release_due_topics(OPENING + timedelta(minutes=5)) == 1
    topic = _topic(day_one)
    assert topic.forum_topic is not None
    assert topic.forum_topic.category == category


def test_a_topic_the_forum_refuses_stays_unreleased_and_nobody_is_told(
    day_one: Course,
    service_user: User,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    services.enrol(user=service_user, course=day_one)

    def refuse(**fields: object) -> Topic:
        raise ValidationError("You have posted too many topics today.")

    with monkeypatch.context() as patch:
        patch.setattr(forum_services, "create_topic", refuse)
        with caplog.at_level(logging.WARNING, logger=schedule_module.__name__):
            assert services.release_due_topics(OPENING) == 0
    _assert_not_opened(day_one)
    # Logged, without the text of the topic.
    assert [r.getMessage() for r in caplog.records] == [
        f"Course topic {_topic(day_one).pk} could not be opened yet."
    ]
    assert "hard day" not in caplog.text
    # Once the forum accepts it, the next tick opens it and everyone on the course is told.
    assert services.release_due_topics(OPENING + timedelta(minutes=5)) == 1
    assert _topic(day_one).released_at == OPENING + timedelta(minutes=5)
    assert (
        Notification.objects.filter(recipient=service_user, kind="courses.topic_open").count() == 1
    )


def test_a_topic_opens_even_when_its_facilitator_may_not_feature_topics(
    day_one: Course,
    facilitator: User,
    service_user: User,
    make_member: Callable[..., User],
) -> None:
    # A verified professional may run a course, but featuring topics on a board is for
    # the organisation's facilitators: the topic opens, just not as the topic of the day.
    professional = make_member(Role.PROVIDER, pseudonym="Pat", profession="Nurse")
    services.add_facilitator(course=day_one, user=professional)
    day_one.facilitators.remove(facilitator)
    services.enrol(user=service_user, course=day_one)
    assert services.release_due_topics(OPENING) == 1
    topic = _topic(day_one)
    assert topic.released_at == OPENING
    assert topic.forum_topic is not None
    assert topic.forum_topic.author == professional
    assert topic.forum_topic.featured_from is None
    assert topic.forum_topic.featured_until is None
    assert (
        Notification.objects.filter(recipient=service_user, kind="courses.topic_open").count() == 1
    )


def test_the_facilitators_topic_is_the_topic_of_the_day(day_one: Course) -> None:
    assert services.release_due_topics(OPENING) == 1
    forum_topic = _topic(day_one).forum_topic
    assert forum_topic is not None
    assert forum_topic.featured_from == OPENING.date()
    assert forum_topic.featured_until == OPENING.date()


def test_a_reminder_another_run_already_sent_is_not_sent_twice(
    day_one: Course, service_user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.enrol(user=service_user, course=day_one)
    assert services.send_session_reminders(OPENING - timedelta(hours=23)) == 1  # the day before
    reminders_due = schedule_module._reminders_due

    def another_run_gets_there_first(course: Course) -> list[tuple[str, datetime, bool]]:
        # Between this run reading which reminders went and sending one, another run
        # sends the hour-before reminder.
        SentReminder.objects.create(course=course, kind=ReminderKind.OPENING_HOUR)
        notify_course(course=course, kind="courses.reminder", title="Starts in an hour")
        return reminders_due(course)

    monkeypatch.setattr(schedule_module, "_reminders_due", another_run_gets_there_first)
    assert services.send_session_reminders(OPENING - timedelta(minutes=30)) == 0
    kinds = sorted(SentReminder.objects.filter(course=day_one).values_list("kind", flat=True))
    assert kinds == [ReminderKind.OPENING_DAY, ReminderKind.OPENING_HOUR]
    # The day before and the hour before, each once: the other run's hour reminder only.
    assert Notification.objects.filter(recipient=service_user, kind="courses.reminder").count() == 2


def test_an_invited_professional_is_not_nudged_once_the_course_has_ended(
    make_course: Callable[..., Course], facilitator: User, make_member: Callable[..., User]
) -> None:
    course = make_course(opening_at=OPENING, days=1)
    pat = make_member(Role.PROVIDER, pseudonym="Pat", profession="Nurse")
    services.save_topic(
        course=course, facilitator=facilitator, day=1, question="Q", reading="", invited=[pat]
    )
    services.enrol(user=pat, course=course)
    assert services.release_due_topics(OPENING) == 1
    # Nothing ran between the topic opening and the end of the course.
    assert services.nudge_invited(course.ends_at) == 0
    assert services.nudge_invited(course.ends_at + timedelta(days=1)) == 0
    assert not Notification.objects.filter(recipient=pat, kind="courses.nudge").exists()
    assert _topic(course).nudged_at is None
