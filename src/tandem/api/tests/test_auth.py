"""Who may use the API: tokens (hashed, revocable), sessions with CSRF, the pages' MFA rule."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client

from tandem.accounts.models import Organisation, Role, User
from tandem.api import services
from tandem.api.models import ApiToken
from tandem.api.tests.conftest import ApiClient, token_for
from tandem.conftest import login_client

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"


def test_a_token_is_stored_only_as_its_hash(service_user: User) -> None:
    secret = token_for(service_user)
    token = ApiToken.objects.get()
    assert secret.startswith("tdm_") and len(secret) > 40
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.name, token.prefix, token.key_hash}
    assert secret.startswith(token.prefix)


def test_a_token_reads_as_its_person(service_user: User) -> None:
    response = ApiClient(token_for(service_user)).get(ME)
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["pseudonym"], body["roles"]) == (
        service_user.pk,
        "Skylark",
        [Role.SERVICE_USER],
    )
    assert "no-store" in response["Cache-Control"]
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer nope", "Bearer tdm_" + "x" * 43, "Basic dXNlcjpwYXNz", "Token abc"],
)
def test_without_a_valid_token_or_session_the_answer_is_401_in_json(
    header: str, service_user: User
) -> None:
    token_for(service_user)
    client = Client(HTTP_AUTHORIZATION=header) if header else Client()
    for response in (client.get(ME), client.post("/api/v1/notifications/read-all")):
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"


def test_a_revoked_token_stops_working_at_once(service_user: User) -> None:
    made = services.create_token(user=service_user, name="Old phone")
    client = ApiClient(made.secret)
    assert client.get(ME).status_code == 200
    services.revoke_token(token=made.token)
    assert client.get(ME).status_code == 401


def test_a_token_of_a_deactivated_person_does_not_work(service_user: User) -> None:
    client = ApiClient(token_for(service_user))
    service_user.is_active = False
    service_user.save()
    assert client.get(ME).status_code == 401


def test_a_provider_without_two_step_verification_cannot_use_a_token(
    make_member: Callable[..., User],
) -> None:
    provider = make_member(Role.PROVIDER)  # no TOTP: the pages send them to set it up
    response = ApiClient(token_for(provider)).get(ME)
    assert response.status_code == 403
    assert response.json()["code"] == "two_step_required"


def test_a_provider_with_two_step_verification_uses_a_token(provider: User) -> None:
    assert ApiClient(token_for(provider)).get(ME).status_code == 200


def test_an_organisation_requiring_two_step_for_all_refuses_a_service_user_without_it(
    service_user: User, organisation: Organisation
) -> None:
    organisation.require_mfa_for_everyone = True
    organisation.save()
    response = ApiClient(token_for(service_user)).get(ME)
    assert response.status_code == 403
    assert response.json()["code"] == "two_step_required"


def test_the_session_works_and_needs_csrf_for_changes(service_user: User) -> None:
    client = login_client(Client(), service_user)
    client.handler.enforce_csrf_checks = True
    assert client.get(ME).json()["id"] == service_user.pk
    refused = client.post("/api/v1/notifications/read-all")
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    client.get("/account/api-tokens/")  # a page with a form sets the CSRF cookie
    csrf = client.cookies[settings.CSRF_COOKIE_NAME].value
    allowed = client.post("/api/v1/notifications/read-all", HTTP_X_CSRFTOKEN=csrf)
    assert allowed.status_code == 200


def test_a_token_request_needs_no_csrf_token(service_user: User) -> None:
    client = ApiClient(token_for(service_user))
    client.handler.enforce_csrf_checks = True
    assert client.post("/api/v1/notifications/read-all").status_code == 200


def test_the_schema_and_docs_are_public_and_hold_no_data(service_user: User) -> None:
    token_for(service_user)
    schema = Client().get("/api/v1/openapi.json")
    assert schema.status_code == 200
    document = schema.json()
    assert document["openapi"].startswith("3.1")
    text = schema.content.decode()
    assert "Skylark" not in text and "sam@example.org" not in text
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200
    page = docs.content.decode()
    # Served from the installed package, not a CDN: the CSP allows only our own origin.
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn." not in page and "https://" not in page
