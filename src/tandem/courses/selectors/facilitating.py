"""Reads for a course's facilitators: the people they may invite or add, and the requests and
topics they act on."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from tandem.accounts.models import Role, User
from tandem.courses.models import (
    Course,
    CourseTopic,
    Enrolment,
)
from tandem.forum.access import PROFESSIONAL_ROLES
from tandem.forum.models import Audience


def _members_with(course: Course, roles: tuple[str, ...]) -> QuerySet[User]:
    verified = Q(memberships__role__in=[r for r in roles if r != Role.PROVIDER])
    if Role.PROVIDER in roles:
        verified |= Q(memberships__role=Role.PROVIDER, memberships__verified_at__isnull=False)
    return (
        User.objects.filter(is_active=True, memberships__organisation=course.organisation_id)
        .filter(verified)
        .distinct()
        .order_by("pseudonym")
    )


def professionals_for(course: Course) -> QuerySet[User]:
    """People of the course's organisation who can be invited to answer a topic first."""
    if course.audience == Audience.SERVICE_USERS:
        return User.objects.none()
    return _members_with(course, tuple(PROFESSIONAL_ROLES))


def possible_facilitators(course: Course) -> QuerySet[User]:
    """People of the course's organisation who may run it (facilitators, verified providers)
    and do not yet."""
    return _members_with(course, (Role.FACILITATOR, Role.PROVIDER)).exclude(
        facilitated_courses=course
    )


def people_to_invite(course: Course) -> QuerySet[User]:
    """People of the course's organisation the course is open to."""
    roles: tuple[str, ...] = ()
    if course.audience != Audience.PROFESSIONALS:
        roles += (Role.SERVICE_USER,)
    if course.audience != Audience.SERVICE_USERS:
        roles += tuple(PROFESSIONAL_ROLES)
    return _members_with(course, roles)


def request_on(course: Course, enrolment_id: int) -> Enrolment:
    """A request to enrol on ``course`` (for its facilitator), else Http404."""
    enrolment = (
        Enrolment.objects.filter(pk=enrolment_id, course=course).select_related("user").first()
    )
    if enrolment is None:
        raise Http404
    return enrolment


def topic_on(course: Course, topic_id: int) -> CourseTopic:
    """A topic of ``course`` (for its facilitator), else Http404."""
    topic = CourseTopic.objects.filter(pk=topic_id, course=course).first()
    if topic is None:
        raise Http404
    return topic


def next_free_day(course: Course) -> int:
    taken = set(CourseTopic.objects.filter(course=course).values_list("day", flat=True))
    return next((d for d in range(1, course.discussion_days + 1) if d not in taken), 1)
