"""Care services: a provider's request by email, and either side ending a relationship."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError

from tandem.accounts.models import Membership, Role, User
from tandem.accounts.tests.factories import MembershipFactory, OrganisationFactory
from tandem.care import selectors, services
from tandem.care.models import (
    Agreement,
    CareRelationship,
    CareRequest,
    Grant,
    Level,
    RelationshipStatus,
)
from tandem.care.tests.factories import JointSessionFactory
from tandem.care.tests.helpers_services import GOALS, _code

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


# --- Requests by email -------------------------------------------------------------------------


def test_request_to_a_service_user_of_the_organisation_waits_for_their_answer(
    service_user: User, provider: User
) -> None:
    care_request = services.request_link(provider=provider, email="  SAM@example.org ")
    relationship = CareRelationship.objects.get()
    assert relationship.status == RelationshipStatus.PENDING
    assert (relationship.service_user, relationship.requested_by) == (service_user, provider)
    assert care_request.relationship == relationship
    assert care_request.email == "sam@example.org"


def test_request_to_an_unknown_address_is_kept_like_any_other_but_reaches_nobody(
    provider: User,
) -> None:
    care_request = services.request_link(provider=provider, email="nobody@example.org")
    assert care_request.relationship is None
    assert not CareRelationship.objects.exists()
    assert list(selectors.sent_requests_for_provider(provider)) == [care_request]


@pytest.mark.parametrize("role", [Role.PROVIDER, Role.MODERATOR, Role.ORG_ADMIN])
def test_request_reaches_only_service_users(
    provider: User, make_member: Callable[..., User], role: str
) -> None:
    someone = make_member(role)
    services.request_link(provider=provider, email=someone.email)
    assert not CareRelationship.objects.exists()


def test_request_does_not_reach_a_service_user_of_another_organisation(provider: User) -> None:
    outsider = MembershipFactory.create(organisation=OrganisationFactory.create()).user
    services.request_link(provider=provider, email=outsider.email)
    assert not CareRelationship.objects.exists()


def test_asking_twice_makes_one_request(service_user: User, provider: User) -> None:
    first = services.request_link(provider=provider, email=service_user.email)
    assert services.request_link(provider=provider, email=service_user.email) == first
    assert CareRelationship.objects.count() == CareRequest.objects.count() == 1


def test_an_unmatched_request_matches_once_the_person_joins(
    provider: User, make_member: Callable[..., User]
) -> None:
    first = services.request_link(provider=provider, email="late@example.org")
    late = make_member(Role.SERVICE_USER, email="late@example.org")
    again = services.request_link(provider=provider, email="late@example.org")
    assert again == first
    assert again.relationship is not None and again.relationship.service_user == late


def test_unverified_providers_cannot_send_requests(service_user: User, provider: User) -> None:
    Membership.objects.filter(user=provider).update(verified_at=None)
    with pytest.raises(PermissionDenied):
        services.request_link(provider=provider, email=service_user.email)


def test_accepting_a_request_activates_it(service_user: User, provider: User) -> None:
    services.request_link(provider=provider, email=service_user.email)
    relationship = CareRelationship.objects.get()
    services.accept_request(service_user=service_user, relationship=relationship)
    relationship.refresh_from_db()
    assert relationship.is_active and relationship.started_at is not None
    assert Agreement.objects.filter(relationship=relationship).exists()
    assert list(selectors.sent_requests_for_provider(provider)) == []


def test_declining_a_request_leaves_the_providers_list_unchanged(
    service_user: User, provider: User
) -> None:
    care_request = services.request_link(provider=provider, email=service_user.email)
    relationship = CareRelationship.objects.get()
    services.decline_request(service_user=service_user, relationship=relationship)
    relationship.refresh_from_db()
    assert relationship.status == RelationshipStatus.DECLINED
    assert list(selectors.sent_requests_for_provider(provider)) == [care_request]
    with pytest.raises(ValidationError, match="already been answered"):
        services.accept_request(service_user=service_user, relationship=relationship)


def test_only_the_asked_person_answers_a_request(
    service_user: User, provider: User, make_member: Callable[..., User]
) -> None:
    services.request_link(provider=provider, email=service_user.email)
    relationship = CareRelationship.objects.get()
    for other in (provider, make_member(Role.SERVICE_USER)):
        with pytest.raises(PermissionDenied):
            services.accept_request(service_user=other, relationship=relationship)
        with pytest.raises(PermissionDenied):
            services.decline_request(service_user=other, relationship=relationship)


def test_a_request_from_a_provider_no_longer_verified_cannot_be_accepted(
    service_user: User, provider: User
) -> None:
    services.request_link(provider=provider, email=service_user.email)
    Membership.objects.filter(user=provider).update(verified_at=None)
    with pytest.raises(ValidationError, match="can no longer be added"):
        services.accept_request(
            service_user=service_user, relationship=CareRelationship.objects.get()
        )


def test_withdrawing_a_request_removes_it_from_the_service_users_page(
    service_user: User, provider: User, make_member: Callable[..., User]
) -> None:
    care_request = services.request_link(provider=provider, email=service_user.email)
    with pytest.raises(PermissionDenied):
        services.withdraw_request(provider=make_member(Role.PROVIDER), care_request=care_request)
    services.withdraw_request(provider=provider, care_request=care_request)
    assert CareRelationship.objects.get().status == RelationshipStatus.ENDED
    assert selectors.care_team_for_service_user(service_user).pending == []
    assert list(selectors.sent_requests_for_provider(provider)) == []


# --- Ending ------------------------------------------------------------------------------------


@pytest.mark.parametrize("side", ["service_user", "provider"])
def test_either_side_ends_a_relationship_and_an_open_session_with_it(
    relationship: CareRelationship, side: str
) -> None:
    session = JointSessionFactory.create(relationship=relationship)
    services.end_relationship(actor=getattr(relationship, side), relationship=relationship)
    relationship.refresh_from_db()
    session.refresh_from_db()
    assert relationship.status == RelationshipStatus.ENDED and relationship.ended_at
    assert session.ended_at is not None
    with pytest.raises(ValidationError, match="already ended"):
        services.end_relationship(actor=relationship.service_user, relationship=relationship)


def test_outsiders_cannot_end_a_relationship(
    relationship: CareRelationship, make_member: Callable[..., User]
) -> None:
    with pytest.raises(PermissionDenied):
        services.end_relationship(actor=make_member(Role.ORG_ADMIN), relationship=relationship)


def test_after_ending_the_pair_can_link_again_with_nothing_shared(
    relationship: CareRelationship, grant: Callable[..., Grant]
) -> None:
    grant(relationship, GOALS, Level.COMMENT)
    services.end_relationship(actor=relationship.provider, relationship=relationship)
    again = services.link_provider_by_code(
        service_user=relationship.service_user, code=_code(relationship.provider)
    )
    assert again.pk != relationship.pk
    assert not Grant.objects.filter(relationship=again).exists()


def test_marking_a_person_seen_is_only_for_their_provider(
    relationship: CareRelationship, make_member: Callable[..., User]
) -> None:
    with pytest.raises(PermissionDenied):
        services.mark_person_seen(provider=make_member(Role.PROVIDER), relationship=relationship)
    services.mark_person_seen(provider=relationship.provider, relationship=relationship)
    relationship.refresh_from_db()
    assert relationship.provider_last_seen_at is not None
