"""Enrolment: places, the waiting list, requests, invitations, leaving, and the board's
membership that follows each of them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from tandem.accounts.models import Role, User
from tandem.courses import services
from tandem.courses.models import Course, CourseRole, EnrolmentState
from tandem.forum.models import Audience, CommunityMember
from tandem.notifications.models import Notification


def on_board(user: User, course: Course) -> bool:
    return CommunityMember.objects.filter(community=course.board, user=user).exists()


def test_enrolling_takes_a_place_and_opens_the_board(course: Course, service_user: User) -> None:
    enrolment = services.enrol(user=service_user, course=course)
    assert enrolment.state == EnrolmentState.ENROLLED
    assert enrolment.role == CourseRole.SERVICE_USER
    assert on_board(service_user, course)


def test_the_facilitator_is_on_the_board_from_the_start(course: Course, facilitator: User) -> None:
    assert on_board(facilitator, course)


def test_a_full_course_puts_the_next_person_on_the_waiting_list(
    make_course: Callable[..., Course], make_member: Callable[..., User]
) -> None:
    course = make_course(capacity=1)
    first, second = make_member(), make_member()
    assert services.enrol(user=first, course=course).state == EnrolmentState.ENROLLED
    waiting = services.enrol(user=second, course=course)
    assert waiting.state == EnrolmentState.WAITING
    assert not on_board(second, course)


def test_leaving_closes_the_board_and_promotes_the_first_waiting(
    make_course: Callable[..., Course], make_member: Callable[..., User]
) -> None:
    course = make_course(capacity=1)
    first, second, third = make_member(), make_member(), make_member()
    services.enrol(user=first, course=course)
    services.enrol(user=second, course=course)
    services.enrol(user=third, course=course)
    services.leave(user=first, course=course)
    assert not on_board(first, course)
    states = {e.user_id: e.state for e in course.enrolments.all()}
    assert states == {
        first.pk: EnrolmentState.LEFT,
        second.pk: EnrolmentState.ENROLLED,
        third.pk: EnrolmentState.WAITING,
    }
    assert on_board(second, course)
    assert Notification.objects.filter(recipient=second, kind="courses.place_free").exists()


def test_more_places_let_people_in_from_the_waiting_list(
    make_course: Callable[..., Course], make_member: Callable[..., User]
) -> None:
    from tandem.courses.tests.conftest import schedule

    course = make_course(capacity=1)
    services.enrol(user=make_member(), course=course)
    waiting = make_member()
    services.enrol(user=waiting, course=course)
    new = schedule(opening_at=course.opening_at, capacity=2)
    services.update_course(course=course, schedule=new)
    assert course.enrolments.get(user=waiting).state == EnrolmentState.ENROLLED


def test_enrolling_twice_changes_nothing(course: Course, service_user: User) -> None:
    first = services.enrol(user=service_user, course=course)
    again = services.enrol(user=service_user, course=course)
    assert first.pk == again.pk and again.state == EnrolmentState.ENROLLED


def test_approval_courses_record_a_request_until_a_facilitator_accepts(
    make_course: Callable[..., Course], service_user: User
) -> None:
    course = make_course(needs_approval=True)
    enrolment = services.enrol(user=service_user, course=course)
    assert enrolment.state == EnrolmentState.REQUESTED
    assert not on_board(service_user, course)
    services.approve(course=course, enrolment=enrolment)
    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.ENROLLED
    assert on_board(service_user, course)
    with pytest.raises(ValidationError):
        services.approve(course=course, enrolment=enrolment)


def test_a_declined_request_can_be_made_again(
    make_course: Callable[..., Course], service_user: User
) -> None:
    course = make_course(needs_approval=True)
    enrolment = services.enrol(user=service_user, course=course)
    services.decline(course=course, enrolment=enrolment)
    assert course.enrolments.get().state == EnrolmentState.LEFT
    assert services.enrol(user=service_user, course=course).state == EnrolmentState.REQUESTED


def test_an_invitation_skips_the_approval(
    make_course: Callable[..., Course], service_user: User, facilitator: User
) -> None:
    course = make_course(needs_approval=True)
    services.invite(course=course, facilitator=facilitator, user=service_user)
    assert Notification.objects.filter(recipient=service_user, kind="courses.invited").exists()
    assert services.enrol(user=service_user, course=course).state == EnrolmentState.ENROLLED


def test_a_professional_enrols_in_their_professional_role_with_their_badge(
    course: Course, make_member: Callable[..., User]
) -> None:
    pat = make_member(Role.PROVIDER, pseudonym="Pat", profession="Mental health nurse")
    enrolment = services.enrol(user=pat, course=course)
    assert enrolment.role == CourseRole.PROFESSIONAL
    assert enrolment.professional_title == "Mental health nurse"


def test_an_unverified_provider_is_not_a_professional_on_a_course(
    make_course: Callable[..., Course], make_member: Callable[..., User]
) -> None:
    course = make_course(audience=Audience.PROFESSIONALS)
    unverified = make_member(Role.PROVIDER)
    unverified.memberships.update(verified_at=None)
    with pytest.raises(ValidationError, match="professionals"):
        services.enrol(user=unverified, course=course)


def test_a_service_user_cannot_enrol_on_a_course_for_professionals(
    make_course: Callable[..., Course], service_user: User
) -> None:
    course = make_course(audience=Audience.PROFESSIONALS)
    with pytest.raises(ValidationError):
        services.enrol(user=service_user, course=course)
    assert not course.enrolments.exists()


def test_nobody_enrols_once_the_course_has_ended(course: Course, service_user: User) -> None:
    with (
        time_machine.travel(course.closing_at + timedelta(hours=2)),
        pytest.raises(ValidationError, match="ended"),
    ):
        services.enrol(user=service_user, course=course)


def test_a_facilitator_who_leaves_as_a_participant_keeps_the_board(
    course: Course, facilitator: User
) -> None:
    services.leave(user=facilitator, course=course)
    assert on_board(facilitator, course)
