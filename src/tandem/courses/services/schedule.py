"""What happens on the course's clock, run by ``manage.py run_courses`` (a periodic command):
each day's topic opens on the board, reminders go out before the live sessions, invited
professionals who have not answered are nudged once, and a finished course's board becomes
read-only. Each step is idempotent, so running it often only makes things happen sooner.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tandem.accounts.models import User
from tandem.courses.models import (
    MAX_DISCUSSION_DAYS,
    SESSION_MINUTES,
    Course,
    CourseTopic,
    ReminderKind,
    SentReminder,
)
from tandem.courses.services.notifying import notify_course, notify_people
from tandem.forum import services as forum_services
from tandem.forum.access import get_community_access
from tandem.forum.models import Category, Community, Post, Topic

logger = logging.getLogger(__name__)

# An invited professional who has not answered their topic this long after it opened is
# nudged, once.
NUDGE_AFTER = timedelta(hours=24)


@dataclass(frozen=True)
class TickSummary:
    released: int = 0
    reminded: int = 0
    nudged: int = 0
    locked: int = 0

    def __str__(self) -> str:
        parts = [
            f"{name} {value}"
            for name, value in (
                ("topics opened", self.released),
                ("reminders", self.reminded),
                ("nudges", self.nudged),
                ("boards archived", self.locked),
            )
            if value
        ]
        return ", ".join(parts)


def topic_body(topic: CourseTopic) -> str:
    """The opening post of a course topic: the question, who is invited to answer first (by
    display name, with their badge), and the reading."""
    lines = [topic.question]
    invited = list(topic.invited.order_by("pseudonym"))
    if invited:
        names = ", ".join(f"@{p.pseudonym}" for p in invited)
        lines += ["", _("Invited to answer first: %(names)s.") % {"names": names}]
    if topic.reading:
        lines += ["", _("**Reading**"), "", topic.reading]
    return "\n".join(lines)


def _release(topic: CourseTopic, now: datetime) -> bool:
    """Open ``topic`` on the board, posted by the course's first facilitator; tell everyone
    on the course. Return False when posting was refused (tried again at the next tick)."""
    course = topic.course
    board = course.board
    author = course.facilitators.order_by("pk").first()
    if board is None or author is None:
        return False
    category = Category.objects.filter(community=board).order_by("position", "pk").first()
    if category is None:
        return False
    try:
        with transaction.atomic():
            forum_topic = forum_services.create_topic(
                author=author,
                community=board,
                category=category,
                title=topic.question,
                body=topic_body(topic),
            )
            topic.forum_topic = forum_topic
            topic.released_at = now
            topic.save(update_fields=["forum_topic", "released_at"])
            _feature(author=author, board=board, forum_topic=forum_topic, course=course, now=now)
    except ValidationError:
        # A posting limit or the screen refused it: logged without the text, tried again.
        logger.warning("Course topic %s could not be opened yet.", topic.pk)
        return False
    notify_course(
        course=course,
        kind="courses.topic_open",
        title=_("A new topic is open on your course"),
        url=reverse("forum:topic-detail", kwargs={"topic_id": forum_topic.pk}),
    )
    return True


def _feature(
    *, author: User, board: Community, forum_topic: Topic, course: Course, now: datetime
) -> None:
    """Make the opened topic the board's topic of the day (the forum's "topic of the week"),
    when the forum lets the facilitator feature topics there; otherwise it is simply the
    newest topic."""
    member = get_community_access(author, board.pk, require_conduct=False)
    today = now.astimezone(course.zone).date()
    try:
        forum_services.feature_topic(member=member, topic=forum_topic, start=today, end=today)
    except PermissionDenied:
        return


def release_due_topics(now: datetime) -> int:
    """Open every topic whose day has come on a course that has not ended."""
    started = (
        Course.objects.filter(
            opening_at__lte=now,
            opening_at__gt=now - timedelta(days=MAX_DISCUSSION_DAYS + 1),
            board__isnull=False,
        )
        .select_related("organisation", "board")
        .order_by("pk")
    )
    released = 0
    for course in started:
        if course.has_ended(now):
            continue
        for topic in CourseTopic.objects.filter(course=course, released_at__isnull=True).order_by(
            "day"
        ):
            topic.course = course
            if course.release_at(topic.day) <= now and _release(topic, now):
                released += 1
    return released


def _reminders_due(course: Course) -> list[tuple[str, datetime, bool]]:
    return [
        (ReminderKind.OPENING_DAY, course.opening_at - timedelta(days=1), course.opening_cancelled),
        (
            ReminderKind.OPENING_HOUR,
            course.opening_at - timedelta(hours=1),
            course.opening_cancelled,
        ),
        (ReminderKind.CLOSING_DAY, course.closing_at - timedelta(days=1), course.closing_cancelled),
        (
            ReminderKind.CLOSING_HOUR,
            course.closing_at - timedelta(hours=1),
            course.closing_cancelled,
        ),
    ]


REMINDER_TITLES: dict[str, object] = {
    ReminderKind.OPENING_DAY: _lazy("Your course's opening session is tomorrow"),
    ReminderKind.OPENING_HOUR: _lazy("Your course's opening session starts in an hour"),
    ReminderKind.CLOSING_DAY: _lazy("Your course's closing session is tomorrow"),
    ReminderKind.CLOSING_HOUR: _lazy("Your course's closing session starts in an hour"),
}


def send_session_reminders(now: datetime) -> int:
    """The day before and the hour before each live session, once each, to everyone on the
    course. A reminder whose moment passed while nothing ran is sent only if the session has
    not started yet; a cancelled session is not reminded of."""
    upcoming = (
        Course.objects.filter(closing_at__gt=now).select_related("organisation").order_by("pk")
    )
    sent = 0
    for course in upcoming:
        done = set(SentReminder.objects.filter(course=course).values_list("kind", flat=True))
        for kind, due, cancelled in _reminders_due(course):
            session_at = course.opening_at if kind.startswith("opening") else course.closing_at
            if kind in done or cancelled or not due <= now < session_at:
                continue
            try:
                with transaction.atomic():
                    SentReminder.objects.create(course=course, kind=kind)
                    notify_course(
                        course=course, kind="courses.reminder", title=str(REMINDER_TITLES[kind])
                    )
            except IntegrityError:
                continue  # another run sent it
            sent += 1
    return sent


def nudge_invited(now: datetime) -> int:
    """Nudge, once, each invited professional who has not posted in their topic a day after
    it opened. Content-free: the notification names neither the topic nor the course."""
    topics = (
        CourseTopic.objects.filter(
            released_at__lte=now - NUDGE_AFTER,
            nudged_at__isnull=True,
            forum_topic__isnull=False,
        )
        .select_related("course__organisation")
        .prefetch_related("invited")
        .order_by("pk")
    )
    nudged = 0
    for topic in topics:
        if topic.course.has_ended(now):
            continue
        answered = set(
            Post.objects.filter(
                topic=topic.forum_topic_id, is_draft=False, deleted_at__isnull=True
            ).values_list("author_id", flat=True)
        )
        waiting = [p for p in topic.invited.all() if p.pk not in answered and p.is_active]
        with transaction.atomic():
            topic.nudged_at = now
            topic.save(update_fields=["nudged_at"])
            nudged += notify_people(
                course=topic.course,
                people=waiting,
                kind="courses.nudge",
                title=_("A course topic is waiting for your answer"),
                url=reverse("forum:topic-detail", kwargs={"topic_id": topic.forum_topic_id}),
            )
    return nudged


def archive_ended_boards(now: datetime) -> int:
    """Make the board of every course that has ended read-only (the forum's lock: members
    still read, nobody posts)."""
    ended = Course.objects.filter(
        closing_at__lte=now - timedelta(minutes=SESSION_MINUTES),
        board__isnull=False,
        board__is_locked=False,
    ).values("board_id")
    return Community.objects.filter(pk__in=ended).update(is_locked=True)


def run_schedule(now: datetime | None = None) -> TickSummary:
    """One turn of the course clock."""
    now = now or timezone.now()
    return TickSummary(
        released=release_due_topics(now),
        reminded=send_session_reminders(now),
        nudged=nudge_invited(now),
        locked=archive_ended_boards(now),
    )
