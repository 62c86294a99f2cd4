"""Gates for courses: fetch a course *for* a person, or raise Http404.

A course is seen by the people of its organisation (to enrol); its calendar by the people on
it and its facilitators; its dashboard and settings by its facilitators only. A course of
another organisation, a missing one and one the person may not see all look the same: 404.

The board is not gated here: it is a closed forum community, so the forum's own gates decide
(``forum.access``), from the membership that enrolling adds and leaving removes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from tandem.accounts.models import Membership, Organisation, Role, User
from tandem.courses.models import Course, CourseRole, Enrolment
from tandem.forum.access import PROFESSIONAL_ROLES
from tandem.forum.models import Audience

# Roles that may run a course: a peer facilitator, or a verified care provider.
FACILITATING_ROLES = (Role.FACILITATOR, Role.PROVIDER)


@dataclass(frozen=True)
class CourseAccess:
    """What the gate decided about one person and one course of their organisation."""

    course: Course
    enrolment: Enrolment | None
    is_facilitator: bool

    @property
    def is_enrolled(self) -> bool:
        return self.enrolment is not None and self.enrolment.is_enrolled

    @property
    def is_on_course(self) -> bool:
        """Enrolled or running it: may read the board and the calendar."""
        return self.is_facilitator or self.is_enrolled


def _roles_in(user: User, organisation_id: int) -> set[str]:
    """The person's roles in the organisation; an unverified provider counts as none."""
    return set(
        Membership.objects.filter(user=user, organisation=organisation_id)
        .exclude(role=Role.PROVIDER, verified_at__isnull=True)
        .values_list("role", flat=True)
    )


def courses_visible_to(user: User) -> QuerySet[Course]:
    """Courses of the organisations ``user`` belongs to (no role needed to see one)."""
    if not user.is_active:
        return Course.objects.none()
    mine = Membership.objects.filter(user=user, organisation=OuterRef("organisation"))
    return Course.objects.filter(Exists(mine))


def get_course_access(user: User, course_id: int) -> CourseAccess:
    """The course (with its organisation and board) and the person's place on it, if it is a
    course of one of their organisations; else Http404. Two queries."""
    course = (
        courses_visible_to(user)
        .filter(pk=course_id)
        .annotate(
            is_facilitator=Exists(
                Course.facilitators.through.objects.filter(course=OuterRef("pk"), user=user)
            )
        )
        .select_related("organisation", "board")
        .first()
    )
    if course is None:
        raise Http404
    enrolment = Enrolment.objects.filter(course=course, user=user).first()
    return CourseAccess(
        course=course, enrolment=enrolment, is_facilitator=bool(course.is_facilitator)
    )


def get_course_for_participant(user: User, course_id: int) -> CourseAccess:
    """The course if ``user`` is enrolled on it or facilitates it (its calendar), else 404."""
    found = get_course_access(user, course_id)
    if not found.is_on_course:
        raise Http404
    return found


def get_course_for_facilitator(user: User, course_id: int) -> CourseAccess:
    """The course if ``user`` facilitates it (its dashboard, topics, requests), else 404."""
    found = get_course_access(user, course_id)
    if not found.is_facilitator:
        raise Http404
    return found


def course_role_for(user: User, course: Course) -> str | None:
    """The role ``user`` would take on ``course``: professional when they hold a professional
    role in its organisation (a verified provider, facilitator or moderator) and the course is
    open to professionals, else service user when they are one and it is open to them; None
    when the course is not for them."""
    roles = _roles_in(user, course.organisation_id)
    if roles & set(PROFESSIONAL_ROLES) and course.audience != Audience.SERVICE_USERS:
        return CourseRole.PROFESSIONAL
    if Role.SERVICE_USER in roles and course.audience != Audience.PROFESSIONALS:
        return CourseRole.SERVICE_USER
    return None


def is_verified_provider_in(user: User, organisation_id: int) -> bool:
    return Role.PROVIDER in _roles_in(user, organisation_id)


def check_can_create_course(user: User, organisation_id: int) -> None:
    """Raise PermissionDenied unless ``user`` is a facilitator or a verified provider of the
    organisation."""
    if not _roles_in(user, organisation_id) & set(FACILITATING_ROLES):
        raise PermissionDenied


def organisations_for_facilitator(user: User) -> list[int]:
    """Ids of the organisations where ``user`` may create courses."""
    return sorted(
        {
            org_id
            for org_id, role, verified in Membership.objects.filter(
                user=user, role__in=FACILITATING_ROLES
            ).values_list("organisation_id", "role", "verified_at")
            if role != Role.PROVIDER or verified is not None
        }
    )


def organisation_for_new_course(user: User) -> Organisation:
    """The organisation a new course of ``user``'s belongs to (the first where they may run
    courses), else Http404."""
    ids = organisations_for_facilitator(user)
    organisation = Organisation.objects.filter(pk__in=ids[:1]).first() if ids else None
    if organisation is None:
        raise Http404
    return organisation
