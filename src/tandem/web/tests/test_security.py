"""The URL inventory: every route needs login unless it is on a short public allow-list, and
every HTML page carries the security headers. Later issues keep this passing as they add routes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.http import HttpResponseBase
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tandem.accounts.models import User
from tandem.conftest import login_client

pytestmark = pytest.mark.django_db

# Routes anyone may open without logging in. Keep this list short; every entry is a decision.
PUBLIC_ROUTES = {
    "account_login",
    "account_logout",  # logging out must always work
    "account_inactive",
    "account_signup",  # answers "sign-up is closed": accounts come only from invitations
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_email_verification_sent",
    "account_confirm_email",
    "account_confirm_login_code",
    "account_login_code",
    "account_request_login_code",
    "mfa_authenticate",  # second step of login, before the person is logged in
    "mfa_login_webauthn",
    "mfa_signup_webauthn",
    "mfa_trust",
    "accounts:invitation-open",
    "accounts:invitation-accept",
    "web:crisis",  # crisis contacts are never behind a login
    "web:manifest",  # browsers fetch the app manifest without cookies
    "web:service-worker",  # a worker's update check must not be redirected to the login
    "web:offline",  # the offline page: the same for everyone, kept by the app's worker
    "web:device",  # "Remove Tandem from this device" works for whoever holds a shared phone
    "courses:feed",  # a calendar app has no session: the secret address is the key (404 if wrong)
    "api:api-v1:openapi-json",  # the API's schema and docs describe it and hold no data
    "api:api-v1:openapi-view",
}
# The API (docs/api.md) answers a person it does not know in JSON, never with a login page:
# 401, or 405 for a method the operation does not take, or 404 for its root, which is nothing.
API_ROUTES = "api:api-v1:"
# Answered by middleware before routing (load balancers); see test_smoke.py.
PUBLIC_PATHS = {"/healthz", "/readyz"}

SAMPLE_ARGUMENTS = {
    "int": "1",
    "id": "1",
    "str": "sample",
    "slug": "sample",
    "uuid": "00000000-0000-0000-0000-000000000000",
    "path": "sample",
}


def _walk(
    patterns: list[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        else:
            name = f"{namespace}{pattern.name}" if pattern.name else ""
            yield prefix + str(pattern.pattern), name


def _sample_path(route: str) -> str:
    # Regex routes (allauth's confirm-email and reset keys): fill each group with a sample.
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "sample", route).replace("^", "").replace("$", "")
    path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE_ARGUMENTS[m.group(1) or "str"], path)
    return "/" + path


def all_routes() -> list[tuple[str, str]]:
    return sorted(set(_walk(get_resolver().url_patterns)))


def test_the_inventory_finds_the_routes_it_should() -> None:
    names = {name for _, name in all_routes()}
    assert {"web:home", "web:crisis", "account_login", "accounts:profile"} <= names


def test_public_allow_list_names_only_existing_routes() -> None:
    names = {name for _, name in all_routes()}
    stale = {
        name
        for name in PUBLIC_ROUTES
        if name not in names and not name.startswith(("account_", "mfa_"))
    }
    assert not stale


@pytest.mark.parametrize(("route", "name"), all_routes())
def test_every_route_needs_login_unless_public(client: Client, route: str, name: str) -> None:
    path = _sample_path(route)
    response = client.get(path)
    if name in PUBLIC_ROUTES:
        assert response.status_code < 500, path
        return
    if name.startswith(API_ROUTES):
        assert response.status_code in {401, 404, 405}, (name, path, response.status_code)
        if response.status_code == 401:
            assert response["Content-Type"].startswith("application/json"), (name, path)
        if response.status_code == 405:
            # A write-only operation: ask it with the method it allows (POST, PUT or PATCH).
            method = response["Allow"].split(",")[0].strip()
            refused = client.generic(method, path, "{}", content_type="application/json")
            assert refused.status_code == 401, (name, path, method, refused.status_code)
        return
    assert response.status_code == 302, (
        f"{name} ({path}) answered {response.status_code} to an anonymous visitor"
    )
    assert response["Location"].startswith("/accounts/login/"), (name, response["Location"])


def _assert_security_headers(
    response: HttpResponseBase, path: str, *, needs_nonce: bool = True
) -> str:
    csp = response.get("Content-Security-Policy", "")
    assert csp, f"{path} has no Content-Security-Policy"
    script_src = re.search(r"script-src ([^;]+)", csp)
    assert script_src is not None, path
    assert "'unsafe-inline'" not in script_src.group(1), path
    nonce = re.search(r"'nonce-([^']+)'", script_src.group(1))
    # The API's pages (its docs, its refusals) run no inline script: 'self' alone is stricter.
    assert nonce is not None or not needs_nonce, f"{path} has no nonce in script-src"
    assert "frame-ancestors 'none'" in csp, path
    assert response["X-Content-Type-Options"] == "nosniff", path
    assert response["Referrer-Policy"] == "same-origin", path
    assert response["X-Frame-Options"] == "DENY", path
    policy = response.get("Permissions-Policy", "")
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy, f"{path}: Permissions-Policy lacks {feature}"
    return nonce.group(1) if nonce else ""


@pytest.mark.parametrize(("route", "name"), all_routes())
def test_every_html_page_carries_the_security_headers(
    client: Client, provider: User, route: str, name: str
) -> None:
    """Check each page both as a visitor and as a logged-in provider (who sees staff pages)."""
    path = _sample_path(route)
    for visitor in (
        Client(),
        login_client(client, provider) if name not in {"account_logout"} else Client(),
    ):
        response = visitor.get(path, follow=True)
        if "text/html" in response.get("Content-Type", "") and response.content:
            _assert_security_headers(response, path, needs_nonce=not name.startswith(API_ROUTES))
        elif response.status_code != 204:
            # Bodiless answers (405 for GET on a POST-only route) still carry the headers.
            assert response["X-Content-Type-Options"] == "nosniff", path
            assert "frame-ancestors 'none'" in response["Content-Security-Policy"], path
            assert "camera=()" in response["Permissions-Policy"], path


def test_each_response_gets_a_fresh_nonce(client: Client) -> None:
    first = _assert_security_headers(client.get("/accounts/login/"), "/accounts/login/")
    second = _assert_security_headers(client.get("/accounts/login/"), "/accounts/login/")
    assert first != second


def test_the_nonce_is_on_the_page_script(client: Client) -> None:
    response = client.get("/accounts/login/")
    nonce = _assert_security_headers(response, "/accounts/login/")
    assert f'nonce="{nonce}"' in response.content.decode()
    assert "<script>" not in response.content.decode(), "inline scripts are not allowed"


def test_every_answer_denies_the_browser_features_tandem_never_uses(client: Client) -> None:
    for path in ("/crisis/", "/this-page-does-not-exist/", "/accounts/login/"):
        policy = client.get(path)["Permissions-Policy"]
        assert "camera=()" in policy and "geolocation=()" in policy, path
