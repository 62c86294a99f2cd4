"""HTTP-level flows of the organisation admin pages: invitations, verifying providers, crisis contacts."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.core import mail
from django.test import Client

from tandem.accounts import services
from tandem.accounts.models import CrisisContact, Invitation, Membership, Organisation, Role, User
from tandem.accounts.tests.helpers_views import _issue
from tandem.conftest import login_client

pytestmark = pytest.mark.django_db


# --- Organisation admin ------------------------------------------------------------------------


def test_admin_invites_by_email_and_the_link_works(
    client: Client, org_admin: User, organisation: Organisation
) -> None:
    login_client(client, org_admin)
    response = client.post(
        f"/organisations/{organisation.pk}/members/",
        {"email": "newcomer@example.org", "role": Role.PROVIDER, "profession": "Social worker"},
    )
    assert response.status_code == 302
    [message] = mail.outbox
    link = re.search(r"http://testserver(/invitations/accept/[^/\s]+/)", str(message.body))
    assert link is not None
    newcomer = Client()
    assert newcomer.get(link.group(1))["Location"] == "/invitations/accept/"


def test_a_provider_invited_without_a_profession_is_refused_with_the_input_kept(
    client: Client, org_admin: User, organisation: Organisation
) -> None:
    login_client(client, org_admin)
    path = f"/organisations/{organisation.pk}/members/"
    response = client.post(path, {"email": "nia@example.org", "role": "provider", "profession": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter the care provider&#x27;s profession" in page
    assert 'value="nia@example.org"' in page
    response = client.post(
        path, {"email": "nia@example.org", "role": "service_user", "profession": "Nurse"}
    )
    assert response.status_code == 400
    assert "Only care providers are invited with a profession" in response.content.decode()
    assert 'value="Nurse"' in response.content.decode()
    assert not mail.outbox


def test_the_profession_is_shown_on_the_invitation_and_set_on_the_account(
    client: Client, org_admin: User, organisation: Organisation
) -> None:
    login_client(client, org_admin)
    path = f"/organisations/{organisation.pk}/members/"
    response = client.post(
        path, {"email": "nia@example.org", "role": "provider", "profession": "Psychiatrist"}
    )
    assert response.status_code == 302
    assert "Psychiatrist" in client.get(path).content.decode()
    [message] = mail.outbox
    link = re.search(r"http://testserver(/invitations/accept/[^/\s]+/)", str(message.body))
    assert link is not None
    newcomer = Client()
    newcomer.get(link.group(1))
    assert "Your profession: Psychiatrist." in newcomer.get("/invitations/accept/").content.decode()
    response = newcomer.post(
        "/invitations/accept/",
        {
            "pseudonym": "Kestrel",
            "password1": "a long pass phrase 42",
            "password2": "a long pass phrase 42",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(email="nia@example.org").profession == "Psychiatrist"


def test_invite_form_keeps_input_on_error(
    client: Client, org_admin: User, organisation: Organisation
) -> None:
    login_client(client, org_admin)
    response = client.post(
        f"/organisations/{organisation.pk}/members/", {"email": "not-an-email", "role": "provider"}
    )
    assert response.status_code == 400
    assert 'value="not-an-email"' in response.content.decode()
    assert not mail.outbox


def test_admin_verifies_a_provider_from_the_members_page(
    client: Client, org_admin: User, make_member: Callable[..., User]
) -> None:
    unverified = make_member(Role.PROVIDER)
    membership = Membership.objects.get(user=unverified)
    Membership.objects.filter(pk=membership.pk).update(verified_at=None)
    login_client(client, org_admin)
    assert client.post(f"/memberships/{membership.pk}/verify/").status_code == 302
    membership.refresh_from_db()
    assert membership.verified_at is not None


def test_admin_withdraws_an_invitation(
    client: Client, org_admin: User, organisation: Organisation
) -> None:
    token = _issue(org_admin, organisation)
    login_client(client, org_admin)
    invitation = Invitation.objects.get()
    assert client.post(f"/invitations/{invitation.pk}/revoke/").status_code == 302
    assert Client().get(f"/invitations/accept/{token}/").status_code == 410


def test_admin_edits_crisis_contacts_and_they_show_on_the_crisis_page(
    client: Client, org_admin: User, organisation: Organisation
) -> None:
    login_client(client, org_admin)
    data = {
        "contacts-TOTAL_FORMS": "2",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "20",
        "contacts-0-name": "Night line",
        "contacts-0-phone": "0800 000 111",
        "contacts-1-name": "",
        "required_for_everyone": "",
    }
    response = client.post(f"/organisations/{organisation.pk}/settings/", data)
    assert response.status_code == 302
    assert list(CrisisContact.objects.values_list("name", flat=True)) == ["Night line"]
    assert "Night line" in client.get("/crisis/").content.decode()


def test_bad_crisis_contact_keeps_the_input(
    client: Client, org_admin: User, organisation: Organisation
) -> None:
    login_client(client, org_admin)
    data = {
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-0-name": "Night line",
        "contacts-0-url": "not a url",
    }
    response = client.post(f"/organisations/{organisation.pk}/settings/", data)
    assert response.status_code == 400
    assert 'value="Night line"' in response.content.decode()


@pytest.mark.parametrize("who", ["service_user", "provider", "other_admin"])
def test_organisation_pages_are_hidden_from_non_admins(
    client: Client,
    organisation: Organisation,
    make_member: Callable[..., User],
    request: pytest.FixtureRequest,
    who: str,
) -> None:
    if who == "other_admin":
        from tandem.accounts.tests.factories import MembershipFactory, OrganisationFactory

        person = make_member(Role.SERVICE_USER, totp=True)
        MembershipFactory.create(
            user=person, organisation=OrganisationFactory.create(), role=Role.ORG_ADMIN
        )
    else:
        person = request.getfixturevalue(who)
    invitation = services.invite_member(
        actor=make_member(Role.ORG_ADMIN),
        organisation=organisation,
        email="x@example.org",
        role="provider",
        profession="Psychiatrist",
    ).invitation
    membership = Membership.objects.filter(organisation=organisation).first()
    assert membership is not None
    login_client(client, person)
    assert client.get(f"/organisations/{organisation.pk}/members/").status_code == 404
    assert client.get(f"/organisations/{organisation.pk}/settings/").status_code == 404
    assert client.post(f"/memberships/{membership.pk}/verify/").status_code == 404
    assert client.post(f"/memberships/{membership.pk}/deactivate/").status_code == 404
    assert client.post(f"/invitations/{invitation.pk}/revoke/").status_code == 404
