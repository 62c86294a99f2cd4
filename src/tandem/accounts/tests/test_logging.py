"""Logs never contain passwords, tokens, session keys or health text."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from tandem.accounts import services
from tandem.accounts.models import Organisation, Role, User
from tandem.accounts.tests.factories import TEST_PASSWORD
from tandem.conftest import current_totp

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "otters hold hands 2026"


def _everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    # Format through the project's handler filters, as a real log line would be.
    from tandem.core.logging import RedactSecretsFilter

    redact = RedactSecretsFilter()
    lines = []
    for record in caplog.records:
        redact.filter(record)
        lines.append(record.getMessage())
        lines.append(repr(record.__dict__.get("args")))
    return "\n".join(lines)


def test_sign_up_and_login_flows_log_no_secrets(
    caplog: pytest.LogCaptureFixture,
    client: Client,
    org_admin: User,
    organisation: Organisation,
) -> None:
    caplog.set_level(logging.DEBUG)
    token = services.invite_member(
        actor=org_admin, organisation=organisation, email="new@example.org", role=Role.SERVICE_USER
    ).token
    client.get("/invitations/accept/forged-token-value/")
    client.get(f"/invitations/accept/{token}/")
    client.post(
        "/invitations/accept/",
        {
            "pseudonym": "Kestrel",
            "password1": NEW_PASSWORD,
            "password2": "mismatch " + NEW_PASSWORD,
        },
    )
    client.post(
        "/invitations/accept/",
        {"pseudonym": "Kestrel", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    session_key = client.session.session_key
    client.post("/accounts/logout/")
    for _ in range(6):  # wrong passwords up to a lockout
        client.post(
            "/accounts/login/", {"login": "new@example.org", "password": "wrong-" + NEW_PASSWORD}
        )
    other = Client()
    other.post("/accounts/login/", {"login": org_admin.email, "password": TEST_PASSWORD})
    code = current_totp()
    other.post("/accounts/2fa/authenticate/", {"code": code})

    logged = _everything_logged(caplog)
    assert caplog.records, "the flows above should log something (e.g. the 404 and the lockout)"
    for secret in [
        NEW_PASSWORD,
        TEST_PASSWORD,
        token,
        "forged-token-value",
        str(session_key),
        str(other.session.session_key),
    ]:
        assert secret not in logged, f"{secret!r} leaked into the logs"
