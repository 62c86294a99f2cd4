"""Every change to two-step verification asks the person to confirm it is them first.

allauth.mfa does this itself (``MFA_REAUTHENTICATION_REQUIRED``, on by default and not turned
off in settings); these tests keep it so across upgrades and settings changes.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.test import Client

from tandem.accounts.models import Role, User
from tandem.accounts.tests.factories import TEST_PASSWORD
from tandem.conftest import login_client

pytestmark = pytest.mark.django_db


def _reauth_url(next_path: str) -> str:
    return f"/accounts/reauthenticate/?{urlencode({'next': next_path})}"


@pytest.fixture
def with_totp(make_member: Callable[..., User]) -> User:
    # A service user: for them two-step verification is optional, so they may remove it.
    return make_member(Role.SERVICE_USER, totp=True)


def test_setting_up_an_authenticator_app_asks_for_proof(client: Client, service_user: User) -> None:
    login_client(client, service_user)
    response = client.get("/accounts/2fa/totp/activate/")
    assert response["Location"] == _reauth_url("/accounts/2fa/totp/activate/")


def test_removing_the_authenticator_app_asks_for_proof_then_goes_ahead(
    client: Client, with_totp: User
) -> None:
    login_client(client, with_totp)
    asked = client.post("/accounts/2fa/totp/deactivate/")
    assert asked["Location"] == _reauth_url("/accounts/2fa/totp/deactivate/")
    assert Authenticator.objects.filter(user=with_totp, type="totp").exists()
    client.post(asked["Location"], {"password": TEST_PASSWORD})
    assert not Authenticator.objects.filter(user=with_totp, type="totp").exists()


def test_making_new_recovery_codes_asks_for_proof(client: Client, with_totp: User) -> None:
    codes = RecoveryCodes.activate(with_totp)
    login_client(client, with_totp)
    asked = client.post("/accounts/2fa/recovery-codes/generate/")
    assert asked["Location"] == _reauth_url("/accounts/2fa/recovery-codes/generate/")
    stored = Authenticator.objects.get(user=with_totp, type="recovery_codes")
    assert stored.pk == codes.instance.pk and stored.data == codes.instance.data


@pytest.mark.parametrize(
    "path", ["/accounts/2fa/recovery-codes/", "/accounts/2fa/recovery-codes/download/"]
)
def test_seeing_recovery_codes_asks_for_proof(client: Client, with_totp: User, path: str) -> None:
    RecoveryCodes.activate(with_totp)
    login_client(client, with_totp)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == _reauth_url(path)


def test_adding_a_passkey_asks_for_proof(client: Client, service_user: User) -> None:
    login_client(client, service_user)
    response = client.get("/accounts/2fa/webauthn/add/")
    assert response["Location"] == _reauth_url("/accounts/2fa/webauthn/add/")


def test_removing_a_passkey_asks_for_proof(client: Client, with_totp: User) -> None:
    key = Authenticator.objects.create(
        user=with_totp, type=Authenticator.Type.WEBAUTHN, data={"name": "My phone"}
    )
    login_client(client, with_totp)
    path = f"/accounts/2fa/webauthn/keys/{key.pk}/remove/"
    asked = client.post(path)
    assert asked["Location"] == _reauth_url(path)
    assert Authenticator.objects.filter(pk=key.pk).exists()
