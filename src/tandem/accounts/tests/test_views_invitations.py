"""HTTP-level flows of invitations: opening the link, accepting, and the clear pages for bad tokens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tandem.accounts import services
from tandem.accounts.models import Invitation, Organisation, Role, User
from tandem.accounts.tests.helpers_views import NEW_PASSWORD, _issue

pytestmark = pytest.mark.django_db


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
