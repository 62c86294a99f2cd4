"""Changing where password resets go asks for fresh proof first
(``ACCOUNT_REAUTHENTICATION_REQUIRED``): a borrowed or stolen session is not enough to take
the account over. (Changing the password asks for the current one on its own form.)"""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from tandem.accounts.models import User
from tandem.accounts.tests.factories import TEST_PASSWORD
from tandem.conftest import login_client, reauthenticate

pytestmark = pytest.mark.django_db

NEW_EMAIL = "new-address@example.org"


def test_adding_an_email_address_needs_fresh_proof_and_keeps_what_was_typed(
    client: Client, service_user: User
) -> None:
    login_client(client, service_user)
    response = client.post("/accounts/email/", {"action_add": "", "email": NEW_EMAIL})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert not EmailAddress.objects.filter(email=NEW_EMAIL).exists()
    # Confirming replays the form: the address typed before is added without typing it again.
    response = client.post(response["Location"], {"password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    assert EmailAddress.objects.filter(user=service_user, email=NEW_EMAIL).exists()


def test_a_wrong_password_on_the_proof_page_adds_nothing(
    client: Client, service_user: User
) -> None:
    login_client(client, service_user)
    client.post("/accounts/email/", {"action_add": "", "email": NEW_EMAIL})
    response = client.post("/accounts/reauthenticate/", {"password": "not-the-password"})
    assert response.status_code == 200
    assert not EmailAddress.objects.filter(email=NEW_EMAIL).exists()


def test_after_fresh_proof_the_email_page_opens_directly(
    client: Client, service_user: User
) -> None:
    login_client(client, service_user)
    reauthenticate(client)
    assert client.get("/accounts/email/").status_code == 200
