"""A course whose moderation is "every post waits" really holds posts on its board: the course's
setting is the board's ``CommunitySettings``, so the forum's screen holds the post, other
participants do not see it, and it waits in the review queue of the board's community."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from tandem.accounts.models import Role, User
from tandem.conftest import login_client
from tandem.courses import services
from tandem.courses.models import Course, CourseTopic
from tandem.courses.tests.conftest import schedule
from tandem.forum import services as forum_services
from tandem.forum.models import ModerationState, Post, Topic
from tandem.moderation import services as moderation_services
from tandem.moderation.models import CommunitySettings, PreModeration
from tandem.moderation.selectors.queue import open_items

pytestmark = pytest.mark.django_db

REPLY = "Music and a cup of tea help me."


@pytest.fixture
def people(make_member: Callable[..., User]) -> dict[str, User]:
    return {
        "otter": make_member(Role.SERVICE_USER, pseudonym="Otter", email="otter@example.org"),
        "robin": make_member(Role.SERVICE_USER, pseudonym="Robin", email="robin@example.org"),
        "mo": make_member(Role.MODERATOR, totp=True, pseudonym="Mo", email="mo@example.org"),
    }


def _open_day_one(course: Course, facilitator: User, moderator: User) -> Topic:
    """Release day 1's topic; under pre-moderation the facilitator's topic waits for a
    moderator too, who lets it through."""
    services.save_topic(
        course=course,
        facilitator=facilitator,
        day=1,
        question="What helps?",
        reading="",
        invited=[],
    )
    assert services.release_due_topics(course.opening_at + timedelta(minutes=5)) == 1
    topic = CourseTopic.objects.select_related("forum_topic").get(course=course).forum_topic
    assert topic is not None and topic.is_held
    assert course.board is not None
    (item,) = open_items(course.board)
    moderation_services.approve_item(moderator=moderator, item=item, reason="Course topic")
    topic.refresh_from_db()
    assert not Topic.objects.filter(pk=topic.pk, is_held=True).exists()
    return topic


def _reader(user: User, course: Course, client_factory: Callable[[], Client]) -> Client:
    assert course.board is not None
    forum_services.join_community(
        user=user, community=course.board, accepted_version=course.board.code_of_conduct_version
    )
    return login_client(client_factory(), user)


def test_a_pre_moderated_course_holds_a_participants_reply_for_review(
    make_course: Callable[..., Course],
    facilitator: User,
    people: dict[str, User],
    client_factory: Callable[[], Client],
) -> None:
    otter, robin, moderator = people["otter"], people["robin"], people["mo"]
    course = make_course(moderation=PreModeration.EVERY_POST)
    assert course.board is not None
    settings = CommunitySettings.objects.get(community=course.board)
    assert settings.premoderation == PreModeration.EVERY_POST
    for person in (otter, robin):
        services.enrol(user=person, course=course)
    topic = _open_day_one(course, facilitator, moderator)

    reply = forum_services.reply_to_topic(author=otter, topic=topic, body=REPLY)

    reply.refresh_from_db()
    assert reply.moderation_state == ModerationState.HELD
    (item,) = open_items(course.board)
    assert item.post_id == reply.pk
    # Another participant does not see it; its author does, as waiting.
    page = reverse("forum:topic-detail", args=[topic.pk])
    robin_sees = _reader(robin, course, client_factory).get(page)
    assert robin_sees.status_code == 200
    assert REPLY not in robin_sees.content.decode()
    otter_sees = _reader(otter, course, client_factory).get(page)
    assert REPLY in otter_sees.content.decode()
    # The moderator finds it in the board's queue.
    queue = login_client(client_factory(), moderator).get(
        reverse("moderation:queue", args=[course.board.pk])
    )
    assert queue.status_code == 200
    assert REPLY in queue.content.decode()

    # Once approved, everyone on the course sees it.
    moderation_services.approve_item(moderator=moderator, item=item, reason="Fine")
    assert Post.objects.get(pk=reply.pk).moderation_state == ModerationState.VISIBLE
    assert REPLY in _reader(robin, course, client_factory).get(page).content.decode()


def test_a_course_without_pre_moderation_publishes_a_reply_at_once(
    make_course: Callable[..., Course], facilitator: User, people: dict[str, User]
) -> None:
    course = make_course(moderation=PreModeration.NONE)
    services.save_topic(
        course=course,
        facilitator=facilitator,
        day=1,
        question="What helps?",
        reading="",
        invited=[],
    )
    services.enrol(user=people["otter"], course=course)
    services.release_due_topics(course.opening_at + timedelta(minutes=5))
    topic = CourseTopic.objects.select_related("forum_topic").get(course=course).forum_topic
    assert topic is not None and not topic.is_held
    reply = forum_services.reply_to_topic(author=people["otter"], topic=topic, body=REPLY)
    reply.refresh_from_db()
    assert reply.moderation_state == ModerationState.VISIBLE
    assert course.board is not None and not open_items(course.board).exists()


def test_changing_the_course_to_pre_moderation_holds_later_replies(
    make_course: Callable[..., Course], facilitator: User, people: dict[str, User]
) -> None:
    course = make_course(moderation=PreModeration.NONE)
    services.enrol(user=people["otter"], course=course)
    course = Course.objects.select_related("organisation").get(pk=course.pk)
    services.update_course(
        course=course,
        schedule=schedule(opening_at=course.opening_at, moderation=PreModeration.EVERY_POST),
    )
    topic = _open_day_one(course, facilitator, people["mo"])
    reply = forum_services.reply_to_topic(author=people["otter"], topic=topic, body=REPLY)
    reply.refresh_from_db()
    assert reply.moderation_state == ModerationState.HELD
