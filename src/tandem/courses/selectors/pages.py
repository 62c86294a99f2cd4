"""The course list, a course's page and a professional's topics of the week, each scoped by the
person asking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from tandem.accounts.models import User
from tandem.courses.access import CourseAccess, courses_visible_to
from tandem.courses.models import (
    Course,
    CourseTopic,
    Enrolment,
    EnrolmentState,
)
from tandem.forum.models import Post

# Finished courses stay in the list this long for the people who were on them.
PAST_SHOWN_DAYS = 90


def course_scope_ids(user: User) -> QuerySet[Any]:
    """Courses whose notifications ``user`` may still see: those they are on (enrolled,
    waiting, asking or invited) or facilitate. Leaving hides them at once."""
    on = Enrolment.objects.filter(user=user).exclude(state=EnrolmentState.LEFT).values("course_id")
    return Course.objects.filter(Q(pk__in=on) | Q(facilitators=user)).values("pk")


def _places_taken() -> Coalesce:
    taken = (
        Enrolment.objects.filter(course=OuterRef("pk"), state=EnrolmentState.ENROLLED)
        .order_by()
        .values("course")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(taken), Value(0), output_field=IntegerField())


@dataclass(frozen=True)
class CourseLine:
    course: Course
    my_state: str | None
    is_facilitator: bool
    places_taken: int

    @property
    def places_left(self) -> int:
        return max(self.course.capacity - self.places_taken, 0)


def course_list(user: User, now: datetime | None = None) -> list[CourseLine]:
    """Courses of ``user``'s organisations that have not ended, soonest first, then finished
    ones they were on or ran (recent ones only), with their place on each (one query)."""
    now = now or timezone.now()
    mine = Enrolment.objects.filter(course=OuterRef("pk"), user=user).values("state")[:1]
    facilitates = Course.facilitators.through.objects.filter(course=OuterRef("pk"), user=user)
    rows = (
        courses_visible_to(user)
        .annotate(
            my_state=Subquery(mine),
            is_facilitator=Exists(facilitates),
            taken=_places_taken(),
        )
        .filter(
            Q(closing_at__gt=now)
            | Q(
                closing_at__gt=now - timedelta(days=PAST_SHOWN_DAYS),
                my_state__isnull=False,
            )
            | Q(closing_at__gt=now - timedelta(days=PAST_SHOWN_DAYS), is_facilitator=True)
        )
        .select_related("organisation")
        .order_by("opening_at", "pk")
    )
    return [
        CourseLine(
            course=c,
            my_state=c.my_state,
            is_facilitator=bool(c.is_facilitator),
            places_taken=c.taken,
        )
        for c in rows
    ]


@dataclass(frozen=True)
class TopicLine:
    topic: CourseTopic
    release_at: datetime
    invited: list[User]


@dataclass(frozen=True)
class CoursePage:
    access: CourseAccess
    topics: list[TopicLine]
    facilitators: list[User]
    places_taken: int
    waiting: int
    # Requests to enrol, for the facilitators only (empty for everyone else).
    requests: list[Enrolment]

    @property
    def places_left(self) -> int:
        return max(self.access.course.capacity - self.places_taken, 0)


def course_page(access: CourseAccess) -> CoursePage:
    """The schedule, topics (with who is invited), facilitators and places of a course the
    gate let the person see (four queries; five for a facilitator)."""
    course = access.course
    topics = list(
        CourseTopic.objects.filter(course=course)
        .select_related("forum_topic")
        .prefetch_related("invited")
        .order_by("day", "pk")
    )
    counts = dict(
        Enrolment.objects.filter(
            course=course, state__in=[EnrolmentState.ENROLLED, EnrolmentState.WAITING]
        )
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    requests: list[Enrolment] = []
    if access.is_facilitator:
        requests = list(
            Enrolment.objects.filter(course=course, state=EnrolmentState.REQUESTED)
            .select_related("user")
            .order_by("created_at", "pk")
        )
    return CoursePage(
        access=access,
        topics=[
            TopicLine(
                topic=t,
                release_at=course.release_at(t.day),
                invited=sorted(t.invited.all(), key=lambda u: u.pseudonym.lower()),
            )
            for t in topics
        ],
        facilitators=list(course.facilitators.order_by("pseudonym")),
        places_taken=counts.get(EnrolmentState.ENROLLED, 0),
        waiting=counts.get(EnrolmentState.WAITING, 0),
        requests=requests,
    )


@dataclass(frozen=True)
class MyTopic:
    topic: CourseTopic
    release_at: datetime
    answered: bool


def topics_this_week(user: User, now: datetime | None = None) -> list[MyTopic]:
    """Course topics ``user`` is invited to answer first that open within a week of now (past
    or coming), on courses they are enrolled on or run, with whether they have answered
    (two queries). For a professional's home page."""
    now = now or timezone.now()
    on_course = Enrolment.objects.filter(
        course=OuterRef("course"), user=user, state=EnrolmentState.ENROLLED
    )
    facilitates = Course.facilitators.through.objects.filter(course=OuterRef("course"), user=user)
    answered = Post.objects.filter(
        topic=OuterRef("forum_topic"), author=user, is_draft=False, deleted_at__isnull=True
    )
    topics = (
        CourseTopic.objects.filter(
            invited=user,
            course__opening_at__lte=now + timedelta(days=7),
            course__closing_at__gt=now,
        )
        .filter(Exists(on_course) | Exists(facilitates))
        .annotate(has_answered=Exists(answered))
        .select_related("course__organisation", "forum_topic")
        .order_by("course__opening_at", "day", "pk")
    )
    found = []
    for topic in topics:
        release = topic.course.release_at(topic.day)
        if abs(release - now) <= timedelta(days=7):
            found.append(MyTopic(topic=topic, release_at=release, answered=topic.has_answered))
    return found
