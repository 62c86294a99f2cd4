"""Care services: linking a provider by their link code, and the code's rules."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError

from tandem.accounts.models import Membership, Organisation, Role, User
from tandem.accounts.tests.factories import MembershipFactory, OrganisationFactory
from tandem.care import services
from tandem.care.models import (
    Agreement,
    CareRelationship,
    Grant,
    ProviderLinkCode,
    RelationshipStatus,
)
from tandem.care.tests.helpers_services import _code

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


# --- Link codes --------------------------------------------------------------------------------


def test_linking_by_code_makes_an_active_relationship_that_shares_nothing(
    service_user: User, provider: User, organisation: Organisation
) -> None:
    relationship = services.link_provider_by_code(service_user=service_user, code=_code(provider))
    assert relationship.status == RelationshipStatus.ACTIVE
    assert relationship.started_at is not None
    assert relationship.organisation == organisation
    assert relationship.requested_by == service_user
    assert not Grant.objects.filter(relationship=relationship).exists()
    # Tandem's starting agreement is in force (test_agreement_services.py has the rest).
    agreement = Agreement.objects.select_related("version").get(relationship=relationship)
    assert agreement.version is not None and agreement.version.number == 1


def test_a_typed_code_may_have_spaces_dashes_and_small_letters(
    service_user: User, provider: User
) -> None:
    code = _code(provider)
    typed = f" {code[:4].lower()}-{code[4:]} "
    assert services.link_provider_by_code(service_user=service_user, code=typed).is_active


@pytest.mark.parametrize("code", ["", "WRONG123", "ABCDEFGHIJ", "!!!!!!!!", "ABCD1234"])
def test_a_wrong_code_is_refused_with_a_clear_message(service_user: User, code: str) -> None:
    with pytest.raises(ValidationError) as error:
        services.link_provider_by_code(service_user=service_user, code=code)
    assert "could not find that code" in str(error.value)
    assert not CareRelationship.objects.exists()


def test_the_code_of_a_provider_of_another_organisation_counts_as_wrong(
    service_user: User,
) -> None:
    elsewhere = MembershipFactory.create(
        role=Role.PROVIDER, organisation=OrganisationFactory.create()
    ).user
    with pytest.raises(ValidationError, match="could not find"):
        services.link_provider_by_code(service_user=service_user, code=_code(elsewhere))


def test_the_code_of_an_unverified_provider_counts_as_wrong(
    service_user: User, provider: User
) -> None:
    code = _code(provider)
    Membership.objects.filter(user=provider).update(verified_at=None)
    with pytest.raises(ValidationError, match="could not find"):
        services.link_provider_by_code(service_user=service_user, code=code)


def test_your_own_code_counts_as_wrong(service_user: User, organisation: Organisation) -> None:
    MembershipFactory.create(user=service_user, organisation=organisation, role=Role.PROVIDER)
    with pytest.raises(ValidationError, match="could not find"):
        services.link_provider_by_code(service_user=service_user, code=_code(service_user))


def test_only_service_users_link_providers(
    provider: User, make_member: Callable[..., User]
) -> None:
    other_provider = make_member(Role.PROVIDER)
    with pytest.raises(PermissionDenied):
        services.link_provider_by_code(service_user=other_provider, code=_code(provider))


def test_linking_twice_says_the_provider_is_already_in_the_team(
    service_user: User, provider: User
) -> None:
    services.link_provider_by_code(service_user=service_user, code=_code(provider))
    with pytest.raises(ValidationError, match="already in your care team"):
        services.link_provider_by_code(service_user=service_user, code=_code(provider))
    assert CareRelationship.objects.count() == 1


def test_linking_by_code_accepts_a_pending_request_from_the_same_provider(
    service_user: User, provider: User
) -> None:
    services.request_link(provider=provider, email=service_user.email)
    relationship = services.link_provider_by_code(service_user=service_user, code=_code(provider))
    assert relationship.is_active
    assert CareRelationship.objects.count() == 1


def test_guessing_codes_is_stopped_after_ten_wrong_tries(
    service_user: User, provider: User
) -> None:
    for _ in range(services.LINK_CODE_ATTEMPTS_PER_HOUR):
        with pytest.raises(ValidationError):
            services.link_provider_by_code(service_user=service_user, code="AAAAAAAA")
    with pytest.raises(ValidationError, match="Too many wrong codes"):
        services.link_provider_by_code(service_user=service_user, code=_code(provider))


def test_regenerating_a_code_retires_the_old_one(service_user: User, provider: User) -> None:
    old = _code(provider)
    new = services.regenerate_link_code(provider=provider).code
    assert new != old
    assert ProviderLinkCode.objects.get(provider=provider).code == new
    with pytest.raises(ValidationError):
        services.link_provider_by_code(service_user=service_user, code=old)
    assert services.link_provider_by_code(service_user=service_user, code=new).is_active


def test_unverified_providers_get_no_code(provider: User) -> None:
    Membership.objects.filter(user=provider).update(verified_at=None)
    with pytest.raises(PermissionDenied):
        services.ensure_link_code(provider=provider)
    with pytest.raises(PermissionDenied):
        services.regenerate_link_code(provider=provider)


def test_the_code_of_a_deactivated_provider_counts_as_wrong(
    service_user: User, provider: User
) -> None:
    code = _code(provider)
    provider.is_active = False
    provider.save()
    with pytest.raises(ValidationError, match="could not find"):
        services.link_provider_by_code(service_user=service_user, code=code)
