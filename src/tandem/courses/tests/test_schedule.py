"""The course clock: topics open on their day, reminders and nudges go once, and the board of
a finished course becomes read-only."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from tandem.accounts.models import Role, User
from tandem.courses import services
from tandem.courses.models import Course, CourseTopic, SentReminder
from tandem.forum import services as forum_services
from tandem.forum.models import Community, Post
from tandem.notifications.models import Notification

pytestmark = pytest.mark.django_db

OPENING = datetime(2027, 1, 11, 18, 0, tzinfo=UTC)  # Monday, 18:00 in London


@pytest.fixture
def week(make_course: Callable[..., Course], facilitator: User) -> Course:
    course = make_course(opening_at=OPENING)
    for day in (1, 2, 3):
        services.save_topic(
            course=course,
            facilitator=facilitator,
            day=day,
            question=f"Question of day {day}",
            reading="Read *this* first." if day == 1 else "",
            invited=[],
        )
    return course


def test_each_topic_opens_on_its_day_posted_by_the_facilitator(
    week: Course, facilitator: User, service_user: User
) -> None:
    services.enrol(user=service_user, course=week)
    assert services.release_due_topics(OPENING - timedelta(minutes=1)) == 0
    assert services.release_due_topics(OPENING) == 1
    first = CourseTopic.objects.get(course=week, day=1)
    assert first.forum_topic is not None
    assert first.forum_topic.author == facilitator
    assert first.forum_topic.community_id == week.board_id
    assert first.forum_topic.title == "Question of day 1"
    assert "Read *this* first." in Post.objects.get(topic=first.forum_topic).body
    assert (
        Notification.objects.filter(recipient=service_user, kind="courses.topic_open").count() == 1
    )
    # Running again opens nothing twice; the next day opens the next topic.
    assert services.release_due_topics(OPENING + timedelta(hours=1)) == 0
    assert services.release_due_topics(OPENING + timedelta(days=1)) == 1


def test_an_opened_topic_names_the_invited_professionals(
    make_course: Callable[..., Course], facilitator: User, make_member: Callable[..., User]
) -> None:
    course = make_course(opening_at=OPENING)
    pat = make_member(Role.PROVIDER, pseudonym="Pat", profession="Nurse")
    services.save_topic(
        course=course, facilitator=facilitator, day=1, question="Q", reading="", invited=[pat]
    )
    services.enrol(user=pat, course=course)
    services.release_due_topics(OPENING)
    topic = CourseTopic.objects.get(course=course)
    assert "Invited to answer first: @Pat." in Post.objects.get(topic=topic.forum_topic).body


def test_an_invited_professional_who_has_not_answered_is_nudged_once(
    make_course: Callable[..., Course], facilitator: User, make_member: Callable[..., User]
) -> None:
    course = make_course(opening_at=OPENING)
    pat = make_member(Role.PROVIDER, pseudonym="Pat", profession="Nurse")
    kim = make_member(Role.PROVIDER, pseudonym="Kim", profession="Psychologist")
    services.save_topic(
        course=course, facilitator=facilitator, day=1, question="Q", reading="", invited=[pat, kim]
    )
    for person in (pat, kim):
        services.enrol(user=person, course=course)
    services.release_due_topics(OPENING)
    topic = CourseTopic.objects.select_related("forum_topic__community").get(course=course)
    assert topic.forum_topic is not None
    forum_services.join_community(
        user=kim, community=topic.forum_topic.community, accepted_version=1
    )
    forum_services.reply_to_topic(author=kim, topic=topic.forum_topic, body="From my work…")
    assert services.nudge_invited(OPENING + timedelta(hours=23)) == 0
    assert services.nudge_invited(OPENING + timedelta(hours=25)) == 1
    assert services.nudge_invited(OPENING + timedelta(hours=48)) == 0
    nudges = Notification.objects.filter(kind="courses.nudge")
    assert [n.recipient for n in nudges] == [pat]
    assert "Q" not in nudges[0].title.split()  # content-free: no question, no course title


def test_reminders_go_the_day_and_the_hour_before_each_session_once(
    week: Course, service_user: User
) -> None:
    services.enrol(user=service_user, course=week)
    assert services.send_session_reminders(OPENING - timedelta(days=2)) == 0
    assert services.send_session_reminders(OPENING - timedelta(hours=23)) == 1
    assert services.send_session_reminders(OPENING - timedelta(hours=22)) == 0
    assert services.send_session_reminders(OPENING - timedelta(minutes=30)) == 1
    assert services.send_session_reminders(OPENING + timedelta(minutes=30)) == 0
    kinds = set(SentReminder.objects.filter(course=week).values_list("kind", flat=True))
    assert kinds == {"opening_day", "opening_hour"}
    # Each reminder reaches the enrolled person and the facilitator.
    assert Notification.objects.filter(recipient=service_user, kind="courses.reminder").count() == 2
    for reminder in Notification.objects.filter(kind="courses.reminder"):
        assert "Living with voices" not in reminder.title


def test_a_cancelled_session_is_not_reminded_of(week: Course, service_user: User) -> None:
    services.enrol(user=service_user, course=week)
    services.set_session_cancelled(course=week, session="opening", cancelled=True)
    assert services.send_session_reminders(OPENING - timedelta(minutes=30)) == 0


def test_the_board_is_read_only_after_the_course_ends(
    week: Course, facilitator: User, service_user: User
) -> None:
    services.enrol(user=service_user, course=week)
    services.release_due_topics(OPENING)
    assert services.archive_ended_boards(week.closing_at) == 0
    assert services.archive_ended_boards(week.ends_at) == 1
    board = Community.objects.get(course=week)
    assert board.is_locked
    topic = CourseTopic.objects.get(course=week, day=1).forum_topic
    assert topic is not None
    topic.community = board
    forum_services.join_community(user=service_user, community=board, accepted_version=1)
    with pytest.raises(PermissionDenied):
        forum_services.reply_to_topic(author=service_user, topic=topic, body="Too late?")
    # After the end, no more topics open.
    assert services.release_due_topics(week.ends_at + timedelta(days=1)) == 0


def test_the_periodic_command_runs_the_clock(week: Course) -> None:
    out = io.StringIO()
    with time_machine.travel(OPENING + timedelta(minutes=5)):
        call_command("run_courses", stdout=out)
    assert "topics opened 1" in out.getvalue()
