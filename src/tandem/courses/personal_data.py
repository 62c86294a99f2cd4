"""The courses' share of a person's data (``tandem.core.personal_data``), registered from
``CoursesConfig.ready()``.

Export: each course the person is or was on, was invited to, asked to join or waits for, and
each course they facilitate: the course's title and dates, their enrolment's status and its
dates, whether they facilitate it; the course topics they were invited to answer first (the
question only); and whether they have a calendar feed, with when it was made (never its token,
which Tandem does not keep, nor the token's hash, which would let whoever holds the export
try guesses against it).

Erasure: the person leaves every course they hold a place on, wait for or asked to join,
through ``courses.services.leave``, as the leave button does, so a freed place goes to the
first person waiting (the cascade alone would leave it empty). Everything else goes with the
account: enrolments and the calendar feed belong to their person by CASCADE foreign keys, and
the facilitator and invited-to-answer lists are many-to-many rows that cascade too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser

from tandem.accounts.models import User
from tandem.core.personal_data import Erasure, ExportData, PersonalDataSource
from tandem.courses import services
from tandem.courses.models import CalendarFeed, Course, CourseTopic, Enrolment, EnrolmentState

ACTIVE_STATES = (EnrolmentState.ENROLLED, EnrolmentState.WAITING, EnrolmentState.REQUESTED)


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _course(course: Course, enrolment: Enrolment | None, facilitates: bool) -> dict[str, Any]:
    return {
        "course": course.title,
        "opening_at": _when(course.opening_at),
        "closing_at": _when(course.closing_at),
        "discussion_days": course.discussion_days,
        "facilitator": facilitates,
        "status": enrolment.state if enrolment is not None else None,
        "role": enrolment.role if enrolment is not None else None,
        "professional_title": enrolment.professional_title if enrolment is not None else None,
        "created_at": _when(enrolment.created_at) if enrolment is not None else None,
        "updated_at": _when(enrolment.updated_at) if enrolment is not None else None,
        "waiting_since": _when(enrolment.waiting_since) if enrolment is not None else None,
    }


def export(user: AbstractBaseUser) -> ExportData:
    enrolments = {
        enrolment.course_id: enrolment
        for enrolment in Enrolment.objects.filter(user_id=user.pk).select_related("course")
    }
    facilitated = {
        course.pk: course
        for course in Course.objects.filter(facilitators__id=user.pk).order_by("pk")
    }
    courses = {pk: enrolment.course for pk, enrolment in enrolments.items()} | facilitated
    topics = (
        CourseTopic.objects.filter(invited__id=user.pk)
        .select_related("course")
        .order_by("course_id", "day", "pk")
    )
    feed = CalendarFeed.objects.filter(user_id=user.pk).only("created_at").first()
    return {
        "courses": [
            _course(courses[pk], enrolments.get(pk), pk in facilitated)
            for pk in sorted(courses, key=lambda pk: (courses[pk].opening_at, pk))
        ],
        "topics_invited_to_answer": [
            {"course": topic.course.title, "day": topic.day, "question": topic.question}
            for topic in topics
        ],
        "calendar_feed": {
            "has_feed": feed is not None,
            "created_at": _when(feed.created_at) if feed is not None else None,
        },
    }


def erase(erasure: Erasure) -> None:
    person = erasure.user
    assert isinstance(person, User)  # noqa: S101 - the registry erases accounts of this model
    active = Enrolment.objects.filter(user_id=person.pk, state__in=ACTIVE_STATES)
    for enrolment in active.select_related("course").order_by("pk"):
        services.leave(user=person, course=enrolment.course)


SOURCE = PersonalDataSource(
    name="courses",
    description=(
        "Courses you are or were on, were invited to, asked to join, wait for or facilitate: "
        "each course's title and dates, your place on it (enrolled, waiting, invited, asked, "
        "left) and when it changed; the course topics you were invited to answer first (the "
        "question); and whether you have a calendar address (never the address itself)."
    ),
    export=export,
    erase=erase,
    order=60,
)
