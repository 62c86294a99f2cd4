"""Telling people on a course that something happened, through notifications (content-free
email, quiet hours and the person's preference are the notifications app's)."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse

from tandem.accounts.models import User
from tandem.courses.models import Course, Enrolment, EnrolmentState
from tandem.notifications.services import notify

# The notification scope of a course: a person who leaves stops seeing its notifications.
COURSE_SCOPE = "courses.course"


def people_on_course(course: Course) -> list[User]:
    """The enrolled people and the facilitators, each once."""
    enrolled = [
        e.user
        for e in Enrolment.objects.filter(course=course, state=EnrolmentState.ENROLLED)
        .select_related("user")
        .order_by("pk")
    ]
    seen = {u.pk for u in enrolled}
    facilitators = [u for u in course.facilitators.order_by("pk") if u.pk not in seen]
    return [u for u in [*enrolled, *facilitators] if u.is_active]


def notify_people(
    *, course: Course, people: Iterable[User], kind: str, title: str, url: str | None = None
) -> int:
    """Notify each of ``people``; the title says what happened, never what anyone wrote."""
    count = 0
    for person in people:
        notify(
            recipient=person,
            kind=kind,
            title=title,
            url=url or reverse("courses:course-detail", kwargs={"course_id": course.pk}),
            scope_type=COURSE_SCOPE,
            scope_id=course.pk,
        )
        count += 1
    return count


def notify_course(*, course: Course, kind: str, title: str, url: str | None = None) -> int:
    return notify_people(
        course=course, people=people_on_course(course), kind=kind, title=title, url=url
    )
