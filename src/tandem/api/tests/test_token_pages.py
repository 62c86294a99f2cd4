"""The person's API token pages: made only after fresh proof, shown once, revocable."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tandem.accounts.models import Role, User
from tandem.api.models import MAX_ACTIVE_TOKENS, ApiToken
from tandem.api.tests.conftest import ApiClient, token_for
from tandem.conftest import login_client, reauthenticate

pytestmark = pytest.mark.django_db

LIST = "/account/api-tokens/"
CREATE = "/account/api-tokens/create/"


def test_making_a_token_asks_for_fresh_proof_first(client: Client, service_user: User) -> None:
    login_client(client, service_user)
    response = client.post(CREATE, {"name": "My phone"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert not ApiToken.objects.exists()


def test_after_proof_the_token_is_shown_once_and_works(client: Client, service_user: User) -> None:
    reauthenticate(login_client(client, service_user))
    response = client.post(CREATE, {"name": "My phone"})
    assert response.status_code == 200
    token = ApiToken.objects.get()
    secret = response.context["secret"]
    assert secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    listing = client.get(LIST).content.decode()
    assert "My phone" in listing and token.prefix in listing and secret not in listing
    assert ApiClient(secret).get("/api/v1/me").json()["id"] == service_user.pk


def test_a_blank_name_is_refused_with_the_page_again(client: Client, service_user: User) -> None:
    reauthenticate(login_client(client, service_user))
    response = client.post(CREATE, {"name": "   "})
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_number_of_tokens_in_use_is_capped(client: Client, service_user: User) -> None:
    for n in range(MAX_ACTIVE_TOKENS):
        token_for(service_user, f"App {n}")
    reauthenticate(login_client(client, service_user))
    response = client.post(CREATE, {"name": "One more"})
    assert response.status_code == 400
    assert ApiToken.objects.count() == MAX_ACTIVE_TOKENS


def test_revoking_asks_then_stops_the_token_without_proof(
    client: Client, service_user: User
) -> None:
    secret = token_for(service_user)
    token = ApiToken.objects.get()
    login_client(client, service_user)
    url = f"/account/api-tokens/{token.pk}/revoke/"
    assert "My phone" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == LIST
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiClient(secret).get("/api/v1/me").status_code == 401


def test_someone_elses_token_is_404(
    client: Client, service_user: User, make_member: Callable[..., User]
) -> None:
    token_for(make_member(Role.SERVICE_USER))
    theirs = ApiToken.objects.get()
    login_client(client, service_user)
    url = f"/account/api-tokens/{theirs.pk}/revoke/"
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_the_pages_need_a_login(client: Client) -> None:
    response = client.get(LIST)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_account_page_links_to_the_tokens(client: Client, service_user: User) -> None:
    login_client(client, service_user)
    assert LIST in client.get("/account/").content.decode()


def test_the_data_export_lists_tokens_without_their_secrets(service_user: User) -> None:
    from tandem.api.personal_data import export

    secret = token_for(service_user, "My tablet")
    exported = export(service_user)
    assert [t["name"] for t in exported["tokens"]] == ["My tablet"]
    assert secret not in str(exported)
