"""The gates: who may read which part of a service user's toolbox, and who may open what."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from tandem.accounts.models import Membership, Organisation, Role, User
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

pytestmark = pytest.mark.django_db

GOALS = Module.GOALS.value


def _unverify(user: User) -> None:
    Membership.objects.filter(user=user, role=Role.PROVIDER).update(verified_at=None)


# --- get_owner_for_viewer: the role matrix ----------------------------------------------------

# Each case: how to make the viewer (given the fixtures) and whether a read is allowed.
Setup = Callable[..., User | AnonymousUser]


def _other_service_user(make_member: Callable[..., User], **_: object) -> User:
    return make_member(Role.SERVICE_USER)


def _provider_without_relationship(make_member: Callable[..., User], **_: object) -> User:
    return make_member(Role.PROVIDER, totp=True)


def _provider_without_grant(relationship: CareRelationship, **_: object) -> User:
    return relationship.provider


def _provider_with_grant_to_another_module(
    relationship: CareRelationship, grant: Callable[..., Grant], **_: object
) -> User:
    grant(relationship, Module.MEDICATIONS, Level.COMMENT)
    return relationship.provider


def _provider_after_revoke(
    relationship: CareRelationship, grant: Callable[..., Grant], **_: object
) -> User:
    grant(relationship, GOALS, Level.VIEW)
    access.get_owner_for_viewer(relationship.provider, relationship.service_user_id, GOALS)
    grant(relationship, GOALS, Level.NONE)
    return relationship.provider


def _provider_after_end(
    relationship: CareRelationship, grant: Callable[..., Grant], **_: object
) -> User:
    grant(relationship, GOALS, Level.COMMENT)
    relationship.status = RelationshipStatus.ENDED
    relationship.ended_at = timezone.now()
    relationship.save()
    return relationship.provider


def _pending_provider(
    relationship: CareRelationship, grant: Callable[..., Grant], **_: object
) -> User:
    grant(relationship, GOALS, Level.COMMENT)
    CareRelationship.objects.filter(pk=relationship.pk).update(status=RelationshipStatus.PENDING)
    return relationship.provider


def _unverified_provider(
    relationship: CareRelationship, grant: Callable[..., Grant], **_: object
) -> User:
    grant(relationship, GOALS, Level.COMMENT)
    _unverify(relationship.provider)
    return relationship.provider


def _deactivated_provider(
    relationship: CareRelationship, grant: Callable[..., Grant], **_: object
) -> User:
    grant(relationship, GOALS, Level.COMMENT)
    relationship.provider.is_active = False
    relationship.provider.save()
    return relationship.provider


def _role(role: str) -> Setup:
    def make(make_member: Callable[..., User], **_: object) -> User:
        return make_member(role, totp=True)

    return make


def _anonymous(**_: object) -> AnonymousUser:
    return AnonymousUser()


DENIED: dict[str, Setup] = {
    "other service user": _other_service_user,
    "provider without relationship": _provider_without_relationship,
    "provider with relationship but no grant": _provider_without_grant,
    "provider with a grant for another module": _provider_with_grant_to_another_module,
    "provider after revoke": _provider_after_revoke,
    "provider after relationship ended": _provider_after_end,
    "provider whose request is pending": _pending_provider,
    "unverified provider with grant": _unverified_provider,
    "deactivated provider with grant": _deactivated_provider,
    "moderator": _role(Role.MODERATOR),
    "researcher": _role(Role.RESEARCHER),
    "org admin": _role(Role.ORG_ADMIN),
    "facilitator": _role(Role.FACILITATOR),
    "anonymous": _anonymous,
}


@pytest.mark.parametrize("case", DENIED)
def test_denied_reads_are_404_and_never_logged(
    case: str,
    relationship: CareRelationship,
    make_member: Callable[..., User],
    grant: Callable[..., Grant],
) -> None:
    viewer = DENIED[case](relationship=relationship, make_member=make_member, grant=grant)
    logged = AccessLogEntry.objects.count()  # the read before a revoke is logged, and stays
    for need in (Level.VIEW, Level.COMMENT):
        with pytest.raises(Http404):
            access.get_owner_for_viewer(viewer, relationship.service_user_id, GOALS, need=need)
    assert AccessLogEntry.objects.count() == logged


def test_owner_reads_their_own_data_without_a_log_entry(relationship: CareRelationship) -> None:
    owner = relationship.service_user
    for module in Module.values:
        assert access.get_owner_for_viewer(owner, owner.pk, module) == owner
        assert access.get_owner_for_viewer(owner, owner.pk, module, need=Level.COMMENT) == owner
    assert not AccessLogEntry.objects.exists()


def test_view_grant_allows_viewing_once_logged_and_refuses_commenting(
    relationship: CareRelationship, grant: Callable[..., Grant]
) -> None:
    grant(relationship, GOALS, Level.VIEW)
    owner = access.get_owner_for_viewer(relationship.provider, relationship.service_user_id, GOALS)
    assert owner == relationship.service_user
    entry = AccessLogEntry.objects.get()
    assert (entry.owner, entry.viewer, entry.module, entry.action) == (
        relationship.service_user,
        relationship.provider,
        GOALS,
        AccessAction.VIEW,
    )
    with pytest.raises(Http404):
        access.get_owner_for_viewer(
            relationship.provider, relationship.service_user_id, GOALS, need=Level.COMMENT
        )
    assert AccessLogEntry.objects.count() == 1


def test_comment_grant_allows_viewing_and_commenting_in_one_visit_logged_once(
    relationship: CareRelationship, grant: Callable[..., Grant]
) -> None:
    grant(relationship, GOALS, Level.COMMENT)
    provider, owner_id = relationship.provider, relationship.service_user_id
    access.get_owner_for_viewer(provider, owner_id, GOALS)
    access.get_owner_for_viewer(provider, owner_id, GOALS, need=Level.COMMENT)
    # Both allowed; the second read is the same visit (care/tests/test_access_visits.py).
    assert AccessLogEntry.objects.filter(owner_id=owner_id, viewer=provider).count() == 1


def test_export_action_is_written_as_given(
    relationship: CareRelationship, grant: Callable[..., Grant]
) -> None:
    grant(relationship, GOALS, Level.VIEW)
    access.get_owner_for_viewer(
        relationship.provider, relationship.service_user_id, GOALS, action=AccessAction.EXPORT
    )
    assert AccessLogEntry.objects.get().action == AccessAction.EXPORT


def test_revoking_a_grant_refuses_the_very_next_read(
    relationship: CareRelationship, grant: Callable[..., Grant]
) -> None:
    grant(relationship, GOALS, Level.VIEW)
    access.get_owner_for_viewer(relationship.provider, relationship.service_user_id, GOALS)
    grant(relationship, GOALS, Level.NONE)
    with pytest.raises(Http404):
        access.get_owner_for_viewer(relationship.provider, relationship.service_user_id, GOALS)
    assert AccessLogEntry.objects.count() == 1


def test_unknown_module_is_404_even_for_the_owner(relationship: CareRelationship) -> None:
    with pytest.raises(Http404):
        access.get_owner_for_viewer(
            relationship.service_user, relationship.service_user_id, "secrets"
        )


def test_a_provider_of_one_person_cannot_read_another_person(
    relationship: CareRelationship,
    grant: Callable[..., Grant],
    make_member: Callable[..., User],
) -> None:
    grant(relationship, GOALS, Level.COMMENT)
    stranger = make_member(Role.SERVICE_USER)
    with pytest.raises(Http404):
        access.get_owner_for_viewer(relationship.provider, stranger.pk, GOALS)
    with pytest.raises(Http404):
        access.get_owner_for_viewer(relationship.provider, 999_999, GOALS)
    assert not AccessLogEntry.objects.exists()


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
