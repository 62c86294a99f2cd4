"""HTTP-level flows of logging in, lockout, two-step verification, sessions and a person's profile."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import Membership, Organisation, Role, User
from tandem.accounts.tests.factories import TEST_PASSWORD
from tandem.accounts.tests.helpers_views import NEW_PASSWORD
from tandem.conftest import current_totp, login_client

pytestmark = pytest.mark.django_db


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
