"""Fixtures for messaging: Skylark (service user) and Pat (provider) in an active care
relationship with an agreement, and a thread between them."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tandem.accounts.models import Organisation, Role, User
from tandem.care.models import Agreement, CareRelationship
from tandem.care.tests.factories import CareRelationshipFactory
from tandem.messaging.models import Thread
from tandem.messaging.tests.factories import thread_between


@pytest.fixture
def relationship(
    service_user: User, provider: User, organisation: Organisation
) -> CareRelationship:
    relationship: CareRelationship = CareRelationshipFactory.create(
        service_user=service_user, provider=provider, organisation=organisation
    )
    Agreement.objects.create(relationship=relationship, reply_within_days=2)
    return relationship


@pytest.fixture
def thread(relationship: CareRelationship, service_user: User, provider: User) -> Thread:
    return thread_between(service_user, provider)


@pytest.fixture
def other_service_user(make_member: Callable[..., User]) -> User:
    return make_member(Role.SERVICE_USER, pseudonym="Heron", email="heron@example.org")


@pytest.fixture
def unassigned_provider(make_member: Callable[..., User]) -> User:
    return make_member(Role.PROVIDER, totp=True, pseudonym="Uma", email="uma@example.org")


@pytest.fixture
def moderator(make_member: Callable[..., User]) -> User:
    return make_member(Role.MODERATOR, totp=True, pseudonym="Mo", email="mo@example.org")


@pytest.fixture
def researcher(make_member: Callable[..., User]) -> User:
    return make_member(Role.RESEARCHER, totp=True, pseudonym="Rita", email="rita@example.org")


@pytest.fixture(autouse=True)
def _fresh_live_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts with no sockets counted against anyone, and a publisher of its own
    (one that a test left in an outage must not hold the next test's events)."""
    from tandem.messaging import events
    from tandem.messaging.consumers import connection

    publisher = events._Publisher()
    monkeypatch.setattr(events, "_PUBLISHER", publisher)
    yield
    publisher.stop()
    connection._OPEN_SOCKETS.clear()
