"""The other care gates: reads in a joint session, who may comment, and who may open a
relationship, a joint session or a request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from tandem.accounts.models import Organisation, Role, User
from tandem.care import access
from tandem.care.models import (
    JOINT_SESSION_MAX_DURATION,
    AccessAction,
    AccessLogEntry,
    CareRelationship,
    CareRequest,
    Grant,
    Level,
    Module,
    RelationshipStatus,
)
from tandem.care.tests.factories import CareRelationshipFactory, JointSessionFactory
from tandem.care.tests.helpers_access import GOALS, _unverify

pytestmark = pytest.mark.django_db


# --- Joint sessions ---------------------------------------------------------------------------


def test_joint_session_shows_only_the_shown_modules_and_logs_them_as_joint(
    relationship: CareRelationship,
) -> None:
    JointSessionFactory.create(relationship=relationship, shown_modules=[GOALS])
    provider, owner_id = relationship.provider, relationship.service_user_id
    assert access.get_owner_for_viewer(provider, owner_id, GOALS) == relationship.service_user
    assert AccessLogEntry.objects.get().action == AccessAction.JOINT_SESSION
    with pytest.raises(Http404):
        access.get_owner_for_viewer(provider, owner_id, Module.JOURNAL)
    with pytest.raises(Http404):  # a session shows; it never lets the provider comment
        access.get_owner_for_viewer(provider, owner_id, GOALS, need=Level.COMMENT)
    assert AccessLogEntry.objects.count() == 1


def test_joint_session_access_ends_with_the_session(relationship: CareRelationship) -> None:
    session = JointSessionFactory.create(relationship=relationship, shown_modules=[GOALS])
    access.get_owner_for_viewer(relationship.provider, relationship.service_user_id, GOALS)
    session.ended_at = timezone.now()
    session.save()
    with pytest.raises(Http404):
        access.get_owner_for_viewer(relationship.provider, relationship.service_user_id, GOALS)
    assert AccessLogEntry.objects.count() == 1


def test_a_forgotten_joint_session_stops_giving_access_after_its_time_limit(
    relationship: CareRelationship,
) -> None:
    JointSessionFactory.create(relationship=relationship, shown_modules=[GOALS])
    later = timezone.now() + JOINT_SESSION_MAX_DURATION + timedelta(minutes=1)
    with time_machine.travel(later), pytest.raises(Http404):
        access.get_owner_for_viewer(relationship.provider, relationship.service_user_id, GOALS)


def test_joint_session_gives_nothing_after_the_relationship_ends_or_to_the_unverified(
    relationship: CareRelationship,
) -> None:
    JointSessionFactory.create(relationship=relationship, shown_modules=[GOALS])
    _unverify(relationship.provider)
    with pytest.raises(Http404):
        access.get_owner_for_viewer(relationship.provider, relationship.service_user_id, GOALS)
    CareRelationship.objects.filter(pk=relationship.pk).update(status=RelationshipStatus.ENDED)
    with pytest.raises(Http404):
        access.get_owner_for_viewer(relationship.provider, relationship.service_user_id, GOALS)
    assert not AccessLogEntry.objects.exists()


def test_a_granted_module_in_a_joint_session_is_logged_as_an_ordinary_view(
    relationship: CareRelationship, grant: Callable[..., Grant]
) -> None:
    grant(relationship, GOALS, Level.VIEW)
    JointSessionFactory.create(relationship=relationship, shown_modules=[GOALS])
    access.get_owner_for_viewer(relationship.provider, relationship.service_user_id, GOALS)
    assert AccessLogEntry.objects.get().action == AccessAction.VIEW


# --- check_can_comment -------------------------------------------------------------------------


def test_owner_may_always_answer_comments(relationship: CareRelationship) -> None:
    access.check_can_comment(relationship.service_user, relationship.service_user, GOALS)


def test_only_a_verified_provider_with_a_comment_grant_may_comment(
    relationship: CareRelationship,
    grant: Callable[..., Grant],
    make_member: Callable[..., User],
) -> None:
    provider, owner = relationship.provider, relationship.service_user
    with pytest.raises(PermissionDenied):
        access.check_can_comment(provider, owner, GOALS)
    grant(relationship, GOALS, Level.VIEW)
    with pytest.raises(PermissionDenied):
        access.check_can_comment(provider, owner, GOALS)
    grant(relationship, GOALS, Level.COMMENT)
    access.check_can_comment(provider, owner, GOALS)
    with pytest.raises(PermissionDenied):
        access.check_can_comment(make_member(Role.SERVICE_USER), owner, GOALS)
    _unverify(provider)
    with pytest.raises(PermissionDenied):
        access.check_can_comment(provider, owner, GOALS)


# --- Relationship gates ------------------------------------------------------------------------


def test_relationship_for_provider_needs_an_active_relationship_and_verification(
    relationship: CareRelationship, make_member: Callable[..., User]
) -> None:
    provider = relationship.provider
    assert access.get_relationship_for_provider(provider, relationship.service_user_id) == (
        relationship
    )
    for viewer in (
        relationship.service_user,
        make_member(Role.PROVIDER),
        make_member(Role.ORG_ADMIN),
    ):
        with pytest.raises(Http404):
            access.get_relationship_for_provider(viewer, relationship.service_user_id)
    _unverify(provider)
    with pytest.raises(Http404):
        access.get_relationship_for_provider(provider, relationship.service_user_id)


def test_relationship_for_provider_refuses_an_ended_relationship(
    relationship: CareRelationship,
) -> None:
    CareRelationship.objects.filter(pk=relationship.pk).update(status=RelationshipStatus.ENDED)
    with pytest.raises(Http404):
        access.get_relationship_for_provider(relationship.provider, relationship.service_user_id)


def test_service_user_keeps_their_past_relationship_pages_the_provider_does_not(
    relationship: CareRelationship, make_member: Callable[..., User]
) -> None:
    assert (
        access.get_relationship_for_member(relationship.service_user, relationship.pk)
        == relationship
    )
    assert (
        access.get_relationship_for_member(relationship.provider, relationship.pk) == relationship
    )
    for outsider in (make_member(Role.SERVICE_USER), make_member(Role.PROVIDER)):
        with pytest.raises(Http404):
            access.get_relationship_for_member(outsider, relationship.pk)
    CareRelationship.objects.filter(pk=relationship.pk).update(status=RelationshipStatus.ENDED)
    assert (
        access.get_relationship_for_member(relationship.service_user, relationship.pk)
        == relationship
    )
    with pytest.raises(Http404):
        access.get_relationship_for_member(relationship.provider, relationship.pk)
    with pytest.raises(Http404):
        access.get_relationship_for_member(relationship.service_user, 999_999)


def test_joint_session_gate_follows_the_relationship_gate(
    relationship: CareRelationship, make_member: Callable[..., User]
) -> None:
    session = JointSessionFactory.create(relationship=relationship)
    assert access.get_joint_session_for_member(relationship.service_user, session.pk) == session
    assert access.get_joint_session_for_member(relationship.provider, session.pk) == session
    with pytest.raises(Http404):
        access.get_joint_session_for_member(make_member(Role.PROVIDER), session.pk)
    with pytest.raises(Http404):
        access.get_joint_session_for_member(relationship.provider, 999_999)
    _unverify(relationship.provider)
    with pytest.raises(Http404):
        access.get_joint_session_for_member(relationship.provider, session.pk)


def test_pending_request_gate_only_for_the_asked_service_user(
    service_user: User, provider: User, organisation: Organisation, make_member: Callable[..., User]
) -> None:
    pending = CareRelationshipFactory.create(
        service_user=service_user,
        provider=provider,
        organisation=organisation,
        status=RelationshipStatus.PENDING,
        started_at=None,
    )
    assert access.get_pending_relationship_for_service_user(service_user, pending.pk) == pending
    for other in (provider, make_member(Role.SERVICE_USER)):
        with pytest.raises(Http404):
            access.get_pending_relationship_for_service_user(other, pending.pk)
    CareRelationship.objects.filter(pk=pending.pk).update(status=RelationshipStatus.ACTIVE)
    with pytest.raises(Http404):
        access.get_pending_relationship_for_service_user(service_user, pending.pk)


def test_care_request_gate_only_for_its_provider(
    provider: User, organisation: Organisation, make_member: Callable[..., User]
) -> None:
    care_request = CareRequest.objects.create(
        provider=provider, organisation=organisation, email="x@example.org"
    )
    assert access.get_care_request_for_provider(provider, care_request.pk) == care_request
    with pytest.raises(Http404):
        access.get_care_request_for_provider(make_member(Role.PROVIDER), care_request.pk)
    care_request.withdrawn_at = timezone.now()
    care_request.save()
    with pytest.raises(Http404):
        access.get_care_request_for_provider(provider, care_request.pk)


def test_role_checks(service_user: User, provider: User, make_member: Callable[..., User]) -> None:
    access.check_is_service_user(service_user)
    with pytest.raises(PermissionDenied):
        access.check_is_service_user(provider)
    access.check_is_verified_provider(provider)
    with pytest.raises(PermissionDenied):
        access.check_is_verified_provider(service_user)
    service_user.is_active = False
    with pytest.raises(PermissionDenied):
        access.check_is_service_user(service_user)
