"""HTTP-level flows: invitations, login, lockout, two-step verification, sessions, admin pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.core import mail
from django.test import Client
from django.utils import timezone

from tandem.accounts import services
from tandem.accounts.models import CrisisContact, Invitation, Membership, Organisation, Role, User
from tandem.accounts.tests.factories import TEST_PASSWORD
from tandem.conftest import current_totp, login_client

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "otters hold hands 2026"


def _issue(admin: User, organisation: Organisation, role: str = Role.SERVICE_USER) -> str:
    return services.invite_member(
        actor=admin, organisation=organisation, email="new@example.org", role=role
    ).token


def _open(client: Client, token: str) -> None:
    response = client.get(f"/invitations/accept/{token}/")
    assert response.status_code == 302
    assert response["Location"] == "/invitations/accept/"


# --- Invitations -------------------------------------------------------------------------------


def test_invitation_link_moves_the_token_out_of_the_address_bar(
    client: Client, org_admin: User, organisation: Organisation
) -> None:
    token = _issue(org_admin, organisation)
    _open(client, token)
    response = client.get("/invitations/accept/")
    assert response.status_code == 200
    assert b"new@example.org" in response.content
    assert token.encode() not in response.content


def test_accepting_an_invitation_signs_the_person_up_and_in(
    client: Client, org_admin: User, organisation: Organisation
) -> None:
    _open(client, _issue(org_admin, organisation))
    response = client.post(
        "/invitations/accept/",
        {
            "full_name": "Nia New",
            "pseudonym": "Kestrel",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
        follow=True,
    )
    assert response.redirect_chain[0] == ("/", 302)
    assert b"is verified" in response.content
    user = User.objects.get(email="new@example.org")
    assert response.context["user"] == user
    assert user.pseudonym == "Kestrel"
    assert Invitation.objects.get().accepted_at is not None


def test_mismatched_passwords_keep_what_was_typed_except_secrets(
    client: Client, org_admin: User, organisation: Organisation
) -> None:
    _open(client, _issue(org_admin, organisation))
    response = client.post(
        "/invitations/accept/",
        {
            "full_name": "Nia New",
            "pseudonym": "Kestrel",
            "password1": NEW_PASSWORD,
            "password2": "something else entirely",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The two passwords do not match." in html
    assert 'value="Kestrel"' in html and 'value="Nia New"' in html
    assert NEW_PASSWORD not in html
    assert not User.objects.filter(email="new@example.org").exists()


@pytest.mark.parametrize(
    ("pseudonym", "message"),
    [
        ("K" * 31, "at most 30 characters"),
        ("Ky", "at least 3 characters"),
        ("<script>", "must start and end with a letter or number"),
    ],
)
def test_bad_pseudonyms_get_a_clear_message(
    client: Client, org_admin: User, organisation: Organisation, pseudonym: str, message: str
) -> None:
    _open(client, _issue(org_admin, organisation))
    response = client.post(
        "/invitations/accept/",
        {"pseudonym": pseudonym, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_taken_pseudonym_is_refused_and_the_form_kept(
    client: Client, org_admin: User, organisation: Organisation, service_user: User
) -> None:
    _open(client, _issue(org_admin, organisation))
    response = client.post(
        "/invitations/accept/",
        {
            "full_name": "Nia New",
            "pseudonym": "skylark",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 400
    assert "That display name is taken" in response.content.decode()
    assert 'value="Nia New"' in response.content.decode()


def test_weak_password_is_refused(
    client: Client, org_admin: User, organisation: Organisation
) -> None:
    _open(client, _issue(org_admin, organisation))
    response = client.post(
        "/invitations/accept/",
        {"pseudonym": "Kestrel", "password1": "password", "password2": "password"},
    )
    assert response.status_code == 400
    assert "too common" in response.content.decode()


def test_forged_token_gets_a_clear_page(client: Client, db: None) -> None:
    response = client.get("/invitations/accept/not-a-real-token/")
    assert response.status_code == 400
    assert "We could not recognise this link" in response.content.decode()


def test_expired_token_gets_a_clear_page(
    client: Client, org_admin: User, organisation: Organisation
) -> None:
    token = _issue(org_admin, organisation)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        response = client.get(f"/invitations/accept/{token}/")
    assert response.status_code == 410
    assert "The link has expired" in response.content.decode()


def test_used_token_gets_a_clear_page(
    client: Client, org_admin: User, organisation: Organisation
) -> None:
    token = _issue(org_admin, organisation)
    services.accept_invitation(token=token, password=NEW_PASSWORD, pseudonym="Kestrel")
    response = client.get(f"/invitations/accept/{token}/")
    assert response.status_code == 410
    assert "already been used" in response.content.decode()


def test_accept_page_without_a_token_in_the_session_is_refused(client: Client, db: None) -> None:
    response = client.post("/invitations/accept/", {"pseudonym": "Kestrel"})
    assert response.status_code == 400


# --- Login, lockout, two-step verification ------------------------------------------------------


def test_session_id_changes_at_login(client: Client, service_user: User) -> None:
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key
    login_client(client, service_user)
    assert client.session.session_key != before


def test_lockout_after_repeated_wrong_passwords_says_when_to_try_again(
    client: Client, service_user: User
) -> None:
    for _ in range(5):
        client.post("/accounts/login/", {"login": service_user.email, "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"login": service_user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 429
    html = response.content.decode()
    assert "You can try again after" in html
    assert re.search(r"<time>\d\d:\d\d</time>", html)
    assert "_auth_user_id" not in client.session


def test_wrong_password_keeps_the_email_and_says_so(client: Client, service_user: User) -> None:
    response = client.post("/accounts/login/", {"login": service_user.email, "password": "wrong"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "not correct" in html
    assert f'value="{service_user.email}"' in html


def test_wrong_totp_code_is_refused_with_a_message(client: Client, provider: User) -> None:
    client.post("/accounts/login/", {"login": provider.email, "password": TEST_PASSWORD})
    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    assert "_auth_user_id" not in client.session
    response = client.post("/accounts/2fa/authenticate/", {"code": current_totp()})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(provider.pk)


@pytest.mark.parametrize("role", [Role.PROVIDER, Role.MODERATOR, Role.RESEARCHER, Role.ORG_ADMIN])
def test_staff_without_two_step_verification_reach_only_its_set_up(
    client: Client, make_member: Callable[..., User], role: str
) -> None:
    login_client(client, make_member(role))
    for path in ["/", "/account/", "/organisations/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/account/two-step-required/"
    assert client.get("/account/two-step-required/").status_code == 200
    assert client.get("/crisis/").status_code == 200
    # allauth asks for the password again before a sensitive change; both pages must open.
    response = client.get("/accounts/2fa/totp/activate/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith("/accounts/reauthenticate/")
    response = client.post(response.redirect_chain[-1][0], {"password": TEST_PASSWORD}, follow=True)
    assert response.request["PATH_INFO"] == "/accounts/2fa/totp/activate/"
    assert response.status_code == 200


@pytest.mark.parametrize("role", [Role.SERVICE_USER, Role.FACILITATOR])
def test_two_step_verification_is_optional_for_other_roles(
    client: Client, make_member: Callable[..., User], role: str
) -> None:
    login_client(client, make_member(role))
    assert client.get("/").status_code == 200


def test_an_organisation_can_require_two_step_verification_for_everyone(
    client: Client, service_user: User, organisation: Organisation
) -> None:
    organisation.require_mfa_for_everyone = True
    organisation.save()
    login_client(client, service_user)
    assert client.get("/")["Location"] == "/account/two-step-required/"


def test_staff_cannot_remove_their_last_authenticator(client: Client, provider: User) -> None:
    login_client(client, provider)
    response = client.post("/accounts/2fa/totp/deactivate/")
    assert Authenticator.objects.filter(user=provider, type="totp").exists()
    assert response.status_code in {200, 302, 400}


# --- Sessions ----------------------------------------------------------------------------------


def test_logout_clears_site_data_and_the_old_cookie_is_worthless(
    client: Client, service_user: User
) -> None:
    login_client(client, service_user)
    old_cookie = client.cookies["sessionid"].value
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    replay = Client()
    replay.cookies["sessionid"] = old_cookie
    assert replay.get("/").status_code == 302


def test_password_change_makes_other_sessions_worthless(
    client_factory: Callable[[], Client], service_user: User
) -> None:
    here = login_client(client_factory(), service_user)
    elsewhere = login_client(client_factory(), service_user)
    response = here.post(
        "/accounts/password/change/",
        {"oldpassword": TEST_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302


def test_deactivation_makes_the_cookie_worthless(
    client_factory: Callable[[], Client], service_user: User, org_admin: User
) -> None:
    person = login_client(client_factory(), service_user)
    admin = login_client(client_factory(), org_admin)
    membership = Membership.objects.get(user=service_user)
    response = admin.post(f"/memberships/{membership.pk}/deactivate/")
    assert response.status_code == 302
    assert person.get("/").status_code == 302


def test_idle_timeout_logs_out(client: Client, service_user: User) -> None:
    login_client(client, service_user)
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/account/")
    assert "_auth_user_id" not in client.session


def test_activity_keeps_the_session_alive_until_the_absolute_limit(
    client: Client, service_user: User
) -> None:
    start = timezone.now()
    login_client(client, service_user)
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(start + timedelta(minutes=minutes)):
            assert client.get("/").status_code == 200, minutes
    with time_machine.travel(start + timedelta(hours=12, minutes=5)):
        assert client.get("/").status_code == 302


def test_people_can_list_and_end_their_sessions(
    client_factory: Callable[[], Client], service_user: User
) -> None:
    here = login_client(client_factory(), service_user)
    elsewhere = login_client(client_factory(), service_user)
    response = here.get("/accounts/sessions/")
    assert response.status_code == 200
    assert UserSession.objects.filter(user=service_user).count() == 2
    response = here.post("/accounts/sessions/", {"action": "logout"})
    assert response.status_code == 302
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302


def test_authenticated_pages_are_not_stored(client: Client, service_user: User) -> None:
    login_client(client, service_user)
    response = client.get("/")
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "https:/\\evil.example/"]
)
def test_next_only_accepts_same_site_targets(
    client: Client, service_user: User, target: str
) -> None:
    response = client.post(
        f"/accounts/login/?next={target}",
        {"login": service_user.email, "password": TEST_PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_next_follows_a_same_site_target(client: Client, service_user: User) -> None:
    response = client.post(
        "/accounts/login/",
        {"login": service_user.email, "password": TEST_PASSWORD, "next": "/account/"},
    )
    assert response["Location"] == "/account/"


# --- Profile -----------------------------------------------------------------------------------


def test_person_changes_their_display_name(client: Client, service_user: User) -> None:
    login_client(client, service_user)
    response = client.post("/account/", {"pseudonym": "Sparrow"})
    assert response.status_code == 302
    service_user.refresh_from_db()
    assert service_user.pseudonym == "Sparrow"


def test_taken_display_name_is_refused_and_kept_in_the_form(
    client: Client, service_user: User, make_member: Callable[..., User]
) -> None:
    make_member(pseudonym="Otter")
    login_client(client, service_user)
    response = client.post("/account/", {"pseudonym": "otter"})
    assert response.status_code == 400
    assert "That display name is taken" in response.content.decode()
    assert 'value="otter"' in response.content.decode()


def test_over_long_name_is_refused(client: Client, service_user: User) -> None:
    login_client(client, service_user)
    response = client.post("/account/", {"full_name": "x" * 151, "profession": ""})
    assert response.status_code == 400
    assert "at most 150 characters" in response.content.decode()


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


def test_duplicate_email_on_the_accept_form_is_explained_and_the_form_kept(
    client: Client, org_admin: User, organisation: Organisation, make_member: Callable[..., User]
) -> None:
    _open(client, _issue(org_admin, organisation))
    make_member(email="new@example.org")
    response = client.post(
        "/invitations/accept/",
        {
            "full_name": "Nia New",
            "pseudonym": "Kestrel",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "already exists" in html
    assert 'value="Kestrel"' in html


def test_the_session_keeps_only_a_hash_of_the_invitation_token(
    client: Client, organisation: Organisation, org_admin: User
) -> None:
    issued = services.invite_member(
        actor=org_admin, organisation=organisation, email="new@example.org", role=Role.SERVICE_USER
    )
    client.get(f"/invitations/accept/{issued.token}/")
    stored = list(client.session.values())
    assert issued.token not in stored
    assert issued.invitation.token_hash in stored
    page = client.get("/invitations/accept/")
    assert page.status_code == 200
