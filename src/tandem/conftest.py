"""Fixtures shared by every app's tests: an organisation and one person per role."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from types import FrameType

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, hotp_value
from django.test import Client

from tandem.accounts.models import Organisation, Role, User
from tandem.accounts.tests.factories import (
    TEST_PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str = TOTP_SECRET, offset: int = 0) -> str:
    """The current TOTP code for ``secret`` (offset in 30-second steps)."""
    import time

    counter = int(time.time()) // 30 + offset
    return str(hotp_value(secret, counter)).zfill(6)


def current_totp(secret: str = TOTP_SECRET) -> str:
    """The code an authenticator app would show now for ``secret``.

    allauth allows no clock drift, so when the 30-second window is about to roll over this
    waits for the next one rather than submit a code that expires on the way (a loaded CI
    machine can take a second or more between reading the code and the server checking it).
    """
    import time

    remaining = 30 - time.time() % 30
    if remaining < 3:
        time.sleep(remaining + 0.05)
    return totp_code(secret)


@pytest.fixture
def organisation(db: None) -> Organisation:
    return OrganisationFactory.create(name="Northside Test", slug="northside-test")


@pytest.fixture
def make_member(organisation: Organisation) -> Callable[..., User]:
    def make(role: str = Role.SERVICE_USER, *, totp: bool = False, **user_fields: object) -> User:
        user: User = UserFactory.create(**user_fields)
        MembershipFactory.create(user=user, organisation=organisation, role=role)
        if totp:
            TOTP.activate(user, TOTP_SECRET)
        return user

    return make


@pytest.fixture
def service_user(make_member: Callable[..., User]) -> User:
    return make_member(Role.SERVICE_USER, pseudonym="Skylark", email="sam@example.org")


@pytest.fixture
def provider(make_member: Callable[..., User]) -> User:
    return make_member(Role.PROVIDER, totp=True, pseudonym="Pat", email="pat@example.org")


@pytest.fixture
def org_admin(make_member: Callable[..., User]) -> User:
    return make_member(Role.ORG_ADMIN, totp=True, pseudonym="Ada", email="ada@example.org")


def login_client(client: Client, user: User) -> Client:
    """Log ``user`` in through the real login form (and TOTP stage when they have one)."""
    response = client.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content[:500]
    if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        response = client.post("/accounts/2fa/authenticate/", {"code": current_totp()})
        assert response.status_code == 302, response.content[:500]
    return client


def reauthenticate(client: Client, password: str = TEST_PASSWORD) -> Client:
    """Confirm it is still the same person, as allauth's reauthenticate page asks before
    changes that give someone more access (``tandem.accounts.reauth``)."""
    response = client.post("/accounts/reauthenticate/", {"password": password})
    assert response.status_code == 302, response.content[:500]
    return client


@pytest.fixture
def logged_in(client: Client) -> Callable[[User], Client]:
    return lambda user: login_client(client, user)


@pytest.fixture
def client_factory() -> Callable[[], Client]:
    """Independent browsers: each call gives a client with its own cookies."""
    return Client


@pytest.fixture(autouse=True)
def _let_flush_clear_the_audit_log(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tests that flush the database (live-server and transactional tests) empty every table
    with DELETE on SQLite, which the append-only triggers (moderation's audit log, care's
    access record) refuse: lift them just for that flush, and put them back for the next
    test."""
    marker = request.node.get_closest_marker("django_db")
    marked_transactional = marker is not None and marker.kwargs.get("transaction", False)
    if (
        not marked_transactional
        and "transactional_db" not in request.fixturenames
        and "live_server" not in request.fixturenames
    ):
        yield
        return
    from django.db import connection

    from tandem.care.guards import install_access_record_guard, remove_access_record_guard
    from tandem.core.change_record import install_change_record_guard, remove_change_record_guard
    from tandem.moderation.guards import install_audit_guard, remove_audit_guard

    request.getfixturevalue("transactional_db")  # set up first, so torn down (flushed) after us
    install_audit_guard(connection)
    install_access_record_guard(connection)
    install_change_record_guard(connection)
    yield
    if connection.vendor == "sqlite":
        remove_audit_guard(connection)
        remove_access_record_guard(connection)
        remove_change_record_guard(connection)


FAULT_TEST_SECONDS = 240


@pytest.fixture(autouse=True)
def _fault_test_time_limit(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fault tests start servers, Redis processes and database clusters: one that hangs must
    fail (and clean up through its own fixtures) instead of stalling the whole run."""
    if request.node.get_closest_marker("fault") is None:
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"fault test ran longer than {FAULT_TEST_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(FAULT_TEST_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
