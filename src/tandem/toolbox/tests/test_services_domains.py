"""Toolbox services: life domains (defaults, personal, the organisation's) and status ratings."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tandem.accounts.models import Organisation, User
from tandem.toolbox import selectors, services
from tandem.toolbox.models import (
    LifeDomain,
    StatusRating,
)
from tandem.toolbox.tests.factories import (
    PersonalDomainFactory,
    StatusRatingFactory,
    default_domain,
)
from tandem.toolbox.tests.helpers_services import _raw

pytestmark = pytest.mark.django_db


# --- Life domains ----------------------------------------------------------------------------


def test_the_eight_default_domains_are_seeded_and_visible(service_user: User) -> None:
    labels = [domain.label for domain in selectors.visible_domains(service_user)]
    assert labels == [
        "Home",
        "Work and study",
        "Money",
        "Relationships and social network",
        "Physical health",
        "Mental health",
        "Leisure",
        "Daily living",
    ]


def test_a_person_can_add_and_remove_a_domain_of_their_own(
    service_user: User, other_user: User
) -> None:
    domain = services.add_personal_domain(owner=service_user, name="  Faith  ")
    assert domain.label == "Faith"
    assert selectors.visible_domains(service_user)[-1] == domain
    assert domain not in selectors.visible_domains(other_user)
    services.remove_personal_domain(owner=service_user, domain=domain)
    assert domain not in selectors.visible_domains(service_user)


def test_a_personal_domain_cannot_repeat_a_name(service_user: User) -> None:
    with pytest.raises(ValidationError) as error:
        services.add_personal_domain(owner=service_user, name="money")
    assert "name" in error.value.message_dict


def test_a_personal_domain_needs_a_name(service_user: User) -> None:
    with pytest.raises(ValidationError):
        services.add_personal_domain(owner=service_user, name="   ")


def test_personal_domains_are_limited(service_user: User) -> None:
    PersonalDomainFactory.create_batch(services.MAX_PERSONAL_DOMAINS, owner=service_user)
    with pytest.raises(ValidationError):
        services.add_personal_domain(owner=service_user, name="One too many")


def test_removing_someone_elses_domain_is_refused(service_user: User, other_user: User) -> None:
    domain = PersonalDomainFactory.create(owner=other_user)
    with pytest.raises(PermissionDenied):
        services.remove_personal_domain(owner=service_user, domain=domain)


def test_an_organisation_can_hide_defaults_and_add_its_own(
    org_admin: User, organisation: Organisation, service_user: User
) -> None:
    money = default_domain("money")
    services.set_default_domain_hidden(
        actor=org_admin, organisation=organisation, domain=money, hidden=True
    )
    own = services.add_organisation_domain(
        actor=org_admin, organisation=organisation, name="Housing support"
    )
    visible = selectors.visible_domains(service_user)
    assert money not in visible
    assert own in visible
    services.set_default_domain_hidden(
        actor=org_admin, organisation=organisation, domain=money, hidden=False
    )
    services.remove_organisation_domain(actor=org_admin, organisation=organisation, domain=own)
    visible = selectors.visible_domains(service_user)
    assert money in visible
    assert own not in visible


def test_another_organisations_domains_stay_out_of_sight(service_user: User) -> None:
    other_org = Organisation.objects.create(name="Elsewhere", slug="elsewhere")
    foreign = LifeDomain.objects.create(organisation=other_org, name="Their domain")
    assert foreign not in selectors.visible_domains(service_user)


def test_only_admins_change_organisation_domains(
    service_user: User, organisation: Organisation
) -> None:
    with pytest.raises(PermissionDenied):
        services.add_organisation_domain(actor=service_user, organisation=organisation, name="X")
    with pytest.raises(PermissionDenied):
        services.set_default_domain_hidden(
            actor=service_user, organisation=organisation, domain=default_domain(), hidden=True
        )


def test_only_defaults_can_be_hidden(org_admin: User, organisation: Organisation) -> None:
    personal = PersonalDomainFactory.create()
    with pytest.raises(ValidationError):
        services.set_default_domain_hidden(
            actor=org_admin, organisation=organisation, domain=personal, hidden=True
        )


# --- Status ----------------------------------------------------------------------------------


def test_ratings_are_kept_as_history_and_notes_are_encrypted(service_user: User) -> None:
    first = services.record_status(
        owner=service_user, domain=default_domain(), rating=3, note="Hard week"
    )
    services.record_status(owner=service_user, domain=default_domain(), rating=7)
    assert StatusRating.objects.filter(owner=service_user).count() == 2
    assert "Hard week" not in _raw("toolbox_statusrating", "note", first.pk)


@pytest.mark.parametrize("rating", [-1, 11])
def test_ratings_outside_0_to_10_are_refused(service_user: User, rating: int) -> None:
    with pytest.raises(ValidationError) as error:
        services.record_status(owner=service_user, domain=default_domain(), rating=rating)
    assert "rating" in error.value.message_dict


@pytest.mark.parametrize("rating", [0, 10])
def test_ratings_at_the_ends_of_the_scale_are_fine(service_user: User, rating: int) -> None:
    status = services.record_status(owner=service_user, domain=default_domain(), rating=rating)
    assert status.rating == rating


def test_rating_someone_elses_domain_is_refused(service_user: User, other_user: User) -> None:
    with pytest.raises(ValidationError):
        services.record_status(
            owner=service_user, domain=PersonalDomainFactory.create(owner=other_user), rating=5
        )


def test_over_long_notes_are_refused(service_user: User) -> None:
    with pytest.raises(ValidationError):
        services.record_status(
            owner=service_user, domain=default_domain(), rating=5, note="x" * 501
        )


def test_deleting_a_rating_needs_the_owner(service_user: User, other_user: User) -> None:
    rating = StatusRatingFactory.create(owner=other_user)
    with pytest.raises(PermissionDenied):
        services.delete_status_rating(owner=service_user, rating=rating)
    services.delete_status_rating(owner=other_user, rating=rating)
    assert not StatusRating.objects.exists()
