"""Reads for calendars: a person's courses and their topics, and the owner of a calendar address.
Only times and days: the calendar builder writes no titles or questions."""

from __future__ import annotations

from django.db.models import Q

from tandem.accounts.models import User
from tandem.courses.models import (
    CalendarFeed,
    Course,
    CourseTopic,
    Enrolment,
    EnrolmentState,
)
from tandem.courses.services.calendar_feed import hash_token


def courses_for_feed(user: User) -> list[tuple[Course, list[CourseTopic]]]:
    """Courses ``user`` is enrolled on or runs, with their topics, for their calendar feed
    (two queries). Only times and days: the calendar builder writes no titles or questions."""
    on = Enrolment.objects.filter(user=user, state=EnrolmentState.ENROLLED).values("course_id")
    courses = list(
        Course.objects.filter(Q(pk__in=on) | Q(facilitators=user))
        .distinct()
        .select_related("organisation")
        .order_by("opening_at", "pk")
    )
    by_course: dict[int, list[CourseTopic]] = {c.pk: [] for c in courses}
    for topic in CourseTopic.objects.filter(course__in=[c.pk for c in courses]).order_by("day"):
        by_course[topic.course_id].append(topic)
    return [(c, by_course[c.pk]) for c in courses]


def topics_of(course: Course) -> list[CourseTopic]:
    return list(CourseTopic.objects.filter(course=course).order_by("day", "pk"))


def has_feed(user: User) -> bool:
    return CalendarFeed.objects.filter(user=user).exists()


def feed_owner(token: str) -> User | None:
    """The active person whose calendar address holds ``token``, else None. The token is
    compared by its hash (looked up by the unique index), never stored in clear."""
    feed = (
        CalendarFeed.objects.filter(token_hash=hash_token(token), user__is_active=True)
        .select_related("user")
        .first()
    )
    return feed.user if feed is not None else None
