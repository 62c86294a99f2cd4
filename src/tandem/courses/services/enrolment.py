"""Enrolling, asking to enrol, the waiting list, invitations and leaving.

Places are counted under a lock on the course's row (``SELECT … FOR UPDATE`` on PostgreSQL;
SQLite runs one writing transaction at a time), so two people taking the last place at once
cannot both get it: one is enrolled, the other waits. Holding a place and reading the board are
one fact: every change to ``ENROLLED`` adds or removes the person on the board's community in
the same transaction (``forum.services.add_member`` / ``remove_member``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.courses.access import course_role_for, is_verified_provider_in
from tandem.courses.models import Course, CourseRole, Enrolment, EnrolmentState
from tandem.courses.services.notifying import notify_people
from tandem.forum import services as forum_services


def _locked(course: Course) -> Course:
    """The course's row, locked until the transaction ends: places are counted under it."""
    locked = (
        Course.objects.select_for_update(of=("self",)).select_related("board").get(pk=course.pk)
    )
    locked.organisation = course.organisation
    return locked


def places_taken(course: Course) -> int:
    return Enrolment.objects.filter(course=course, state=EnrolmentState.ENROLLED).count()


def _badge(user: User, course: Course, role: str) -> str:
    """The badge a professional carries: their profession when they are a verified provider,
    else their role's name."""
    if role != CourseRole.PROFESSIONAL:
        return ""
    if is_verified_provider_in(user, course.organisation_id):
        return user.profession or _("Professional")
    return _("Facilitator")


def _take_place(course: Course, enrolment: Enrolment) -> None:
    """Enrol if a place is free, else put on the waiting list (the course is locked)."""
    now = timezone.now()
    if places_taken(course) < course.capacity:
        enrolment.state = EnrolmentState.ENROLLED
        enrolment.waiting_since = None
    else:
        enrolment.state = EnrolmentState.WAITING
        enrolment.waiting_since = now
    enrolment.full_clean(exclude=["course", "user", "invited_by"])
    enrolment.save()
    if enrolment.state == EnrolmentState.ENROLLED and course.board is not None:
        forum_services.add_member(community=course.board, user=enrolment.user)


def _check_open(course: Course) -> None:
    if course.has_ended(timezone.now()):
        raise ValidationError(_("This course has ended."), code="ended")


@transaction.atomic
def enrol(*, user: User, course: Course) -> Enrolment:
    """Enrol ``user`` (or put them on the waiting list when the course is full, or record
    their request when a facilitator approves enrolments; an invitation skips the approval).

    Enrolling again while enrolled, waiting or asking changes nothing. Raise ValidationError
    when the course is not for them or has ended.
    """
    course = _locked(course)
    _check_open(course)
    role = course_role_for(user, course)
    if role is None:
        raise ValidationError(
            _("This course is for %(audience)s.")
            % {"audience": course.get_audience_display().lower()},
            code="audience",
        )
    enrolment = Enrolment.objects.filter(course=course, user=user).first()
    if enrolment is not None and enrolment.is_active:
        return enrolment
    invited = enrolment is not None and enrolment.state == EnrolmentState.INVITED
    if enrolment is None:
        enrolment = Enrolment(course=course, user=user)
    enrolment.role = role
    enrolment.professional_title = _badge(user, course, role)
    if course.needs_approval and not invited:
        enrolment.state = EnrolmentState.REQUESTED
        enrolment.full_clean(exclude=["course", "user", "invited_by"])
        enrolment.save()
        return enrolment
    _take_place(course, enrolment)
    return enrolment


@transaction.atomic
def approve(*, course: Course, enrolment: Enrolment) -> Enrolment:
    """Accept a request to enrol (a facilitator, as the gate found): a place if one is free,
    else the waiting list. The person is told, without content."""
    course = _locked(course)
    enrolment = Enrolment.objects.select_related("user").get(pk=enrolment.pk, course=course)
    if enrolment.state != EnrolmentState.REQUESTED:
        raise ValidationError(_("This request has already been answered."))
    _take_place(course, enrolment)
    notify_people(
        course=course,
        people=[enrolment.user],
        kind="courses.request_answered",
        title=_("Your request to join a course was answered"),
    )
    return enrolment


@transaction.atomic
def decline(*, course: Course, enrolment: Enrolment) -> Enrolment:
    """Turn down a request to enrol: the row goes back to "left", so they may ask again."""
    enrolment = Enrolment.objects.select_related("user").get(pk=enrolment.pk, course=course)
    if enrolment.state != EnrolmentState.REQUESTED:
        raise ValidationError(_("This request has already been answered."))
    enrolment.state = EnrolmentState.LEFT
    enrolment.save(update_fields=["state", "updated_at"])
    notify_people(
        course=course,
        people=[enrolment.user],
        kind="courses.request_answered",
        title=_("Your request to join a course was answered"),
    )
    return enrolment


@transaction.atomic
def invite(*, course: Course, facilitator: User, user: User) -> Enrolment:
    """Invite ``user`` (a facilitator's choice): they see the invitation on the course page
    and enrol with one click, without waiting for approval. Someone already on the course,
    waiting or asking is left as they are."""
    role = course_role_for(user, course)
    if role is None:
        raise ValidationError(
            {"person": _("This course is not open to this person's role.")}, code="audience"
        )
    enrolment = Enrolment.objects.filter(course=course, user=user).first()
    if enrolment is not None and (enrolment.is_active or enrolment.state == EnrolmentState.INVITED):
        return enrolment
    if enrolment is None:
        enrolment = Enrolment(course=course, user=user)
    enrolment.state = EnrolmentState.INVITED
    enrolment.role = role
    enrolment.professional_title = _badge(user, course, role)
    enrolment.invited_by = facilitator
    enrolment.full_clean(exclude=["course", "user", "invited_by"])
    enrolment.save()
    notify_people(
        course=course,
        people=[user],
        kind="courses.invited",
        title=_("You are invited to a course"),
    )
    return enrolment


@transaction.atomic
def leave(*, user: User, course: Course) -> Enrolment | None:
    """Leave the course (or its waiting list, or withdraw a request). The board closes to the
    person at once, and a freed place goes to the first person waiting, who is told."""
    course = _locked(course)
    enrolment = Enrolment.objects.filter(course=course, user=user).first()
    if enrolment is None or enrolment.state == EnrolmentState.LEFT:
        return enrolment
    had_place = enrolment.state == EnrolmentState.ENROLLED
    enrolment.state = EnrolmentState.LEFT
    enrolment.waiting_since = None
    enrolment.save(update_fields=["state", "waiting_since", "updated_at"])
    if had_place:
        if course.board is not None and not course.facilitators.filter(pk=user.pk).exists():
            forum_services.remove_member(community=course.board, user=user)
        promote_waiting(course=course)
    return enrolment


def promote_waiting(*, course: Course) -> list[Enrolment]:
    """Give free places to the people waiting longest (the course is locked by the caller)."""
    free = course.capacity - places_taken(course)
    if free <= 0 or course.has_ended(timezone.now()):
        return []
    waiting = list(
        Enrolment.objects.filter(course=course, state=EnrolmentState.WAITING)
        .select_related("user")
        .order_by("waiting_since", "pk")[:free]
    )
    for enrolment in waiting:
        _take_place(course, enrolment)
    notify_people(
        course=course,
        people=[e.user for e in waiting],
        kind="courses.place_free",
        title=_("A place on your course is yours"),
    )
    return waiting
