"""The age rule through real requests: the organisation's setting, confirming an age as a care
provider or an admin, and what an unconfirmed person may join."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import AgeCheck, Membership, Organisation, Role, User
from tandem.accounts.tests.factories import OrganisationFactory
from tandem.care.tests.factories import CareRelationshipFactory
from tandem.conftest import login_client
from tandem.forum.models import Community, CommunityMember
from tandem.forum.tests.factories import CommunityFactory

pytestmark = pytest.mark.django_db


def _years_ago(years: int) -> str:
    return date(timezone.localdate().year - years, 1, 1).isoformat()


@pytest.fixture
def strict(organisation: Organisation) -> Organisation:
    organisation.age_check = AgeCheck.PROVIDER
    organisation.save()
    return organisation


@pytest.fixture
def youth(strict: Organisation) -> Community:
    return CommunityFactory.create(organisation=strict, name="Young people", min_age=16, max_age=25)


def _join(client: Client, community: Community, **extra: str) -> object:
    data = {"version": str(community.code_of_conduct_version), "accept": "on", **extra}
    return client.post(f"/communities/{community.pk}/join/", data)


def test_an_unconfirmed_person_is_told_why_they_cannot_join_an_age_group_yet(
    client: Client, service_user: User, youth: Community
) -> None:
    login_client(client, service_user)
    response = _join(client, youth, date_of_birth=_years_ago(20))
    assert response.status_code == 400  # type: ignore[attr-defined]
    text = response.content.decode()  # type: ignore[attr-defined]
    assert "asks that your care provider or an organisation admin confirms your age" in text
    assert "you can use your toolbox, your care team" in text
    assert not CommunityMember.objects.filter(user=service_user, community=youth).exists()


def test_an_unconfirmed_person_still_joins_communities_without_age_limits(
    client: Client, service_user: User, strict: Organisation
) -> None:
    open_to_all = CommunityFactory.create(organisation=strict, name="Everyone")
    login_client(client, service_user)
    assert _join(client, open_to_all).status_code == 302  # type: ignore[attr-defined]
    assert CommunityMember.objects.filter(user=service_user, community=open_to_all).exists()


def test_a_provider_in_their_care_confirms_the_age_and_then_they_can_join(
    client_factory: Callable[[], Client],
    service_user: User,
    provider: User,
    strict: Organisation,
    youth: Community,
) -> None:
    CareRelationshipFactory.create(
        service_user=service_user, provider=provider, organisation=strict
    )
    pat = login_client(client_factory(), provider)
    page = pat.get(f"/people/{service_user.pk}/")
    assert "Their age is not confirmed" in page.content.decode()
    response = pat.post(
        f"/people/{service_user.pk}/confirm-age/", {"date_of_birth": _years_ago(17)}, follow=True
    )
    assert "Their age is confirmed." in response.content.decode()
    service_user.refresh_from_db()
    assert service_user.age_confirmed_by == provider
    assert service_user.date_of_birth == date.fromisoformat(_years_ago(17))

    skylark = login_client(client_factory(), service_user)
    assert _join(skylark, youth).status_code == 302  # type: ignore[attr-defined]
    assert CommunityMember.objects.filter(user=service_user, community=youth).exists()


def test_a_provider_without_a_care_relationship_cannot_confirm(
    client: Client, service_user: User, provider: User, strict: Organisation
) -> None:
    login_client(client, provider)
    response = client.post(
        f"/people/{service_user.pk}/confirm-age/", {"date_of_birth": _years_ago(17)}
    )
    assert response.status_code == 404
    service_user.refresh_from_db()
    assert service_user.age_confirmed_at is None


def test_a_provider_is_told_when_only_admins_may_confirm(
    client: Client, service_user: User, provider: User, organisation: Organisation
) -> None:
    organisation.age_check = AgeCheck.ADMIN
    organisation.save()
    CareRelationshipFactory.create(
        service_user=service_user, provider=provider, organisation=organisation
    )
    login_client(client, provider)
    response = client.post(
        f"/people/{service_user.pk}/confirm-age/",
        {"date_of_birth": _years_ago(17)},
        follow=True,
    )
    assert "only an organisation admin can confirm" in response.content.decode()
    service_user.refresh_from_db()
    assert service_user.age_confirmed_at is None


def test_an_admin_confirms_a_service_users_age_from_the_members_page(
    client: Client, service_user: User, org_admin: User, organisation: Organisation
) -> None:
    login_client(client, org_admin)
    page = client.get(f"/organisations/{organisation.pk}/members/").content.decode()
    assert "age not confirmed" in page
    assert "Confirm Skylark's age" in page
    membership = Membership.objects.get(user=service_user, role=Role.SERVICE_USER)
    response = client.post(
        f"/memberships/{membership.pk}/confirm-age/", {"date_of_birth": _years_ago(15)}
    )
    assert response["Location"] == f"/organisations/{organisation.pk}/members/"
    service_user.refresh_from_db()
    assert service_user.age_confirmed_as == Role.ORG_ADMIN
    assert service_user.age_confirmed_by == org_admin


def test_admins_confirm_only_service_users_of_their_own_organisation(
    client: Client,
    service_user: User,
    provider: User,
    make_member: Callable[..., User],
) -> None:
    other_admin = make_member(Role.ORG_ADMIN, totp=True)
    Membership.objects.filter(user=other_admin).update(organisation=OrganisationFactory.create())
    login_client(client, other_admin)
    membership = Membership.objects.get(user=service_user)
    data = {"date_of_birth": _years_ago(15)}
    assert client.post(f"/memberships/{membership.pk}/confirm-age/", data).status_code == 404
    service_user.refresh_from_db()
    assert service_user.age_confirmed_at is None


def test_staff_memberships_have_no_age_to_confirm(
    client: Client, provider: User, org_admin: User
) -> None:
    login_client(client, org_admin)
    membership = Membership.objects.get(user=provider)
    data = {"date_of_birth": _years_ago(40)}
    assert client.post(f"/memberships/{membership.pk}/confirm-age/", data).status_code == 404


def test_the_admin_chooses_how_age_is_established_in_the_settings(
    client: Client, org_admin: User, organisation: Organisation
) -> None:
    login_client(client, org_admin)
    page = client.get(f"/organisations/{organisation.pk}/settings/").content.decode()
    assert "How is a person&#x27;s age established?" in page
    data = {
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
        "required_for_everyone": "",
        "age_check": AgeCheck.ADMIN,
    }
    response = client.post(f"/organisations/{organisation.pk}/settings/", data)
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.age_check == AgeCheck.ADMIN
    data["age_check"] = "whatever"
    assert client.post(f"/organisations/{organisation.pk}/settings/", data).status_code == 400
    organisation.refresh_from_db()
    assert organisation.age_check == AgeCheck.ADMIN
