"""Fixtures for the care app: a service user linked with a verified provider."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tandem.accounts.models import Organisation, User
from tandem.care import services
from tandem.care.models import CareRelationship, Grant, Level
from tandem.care.tests.factories import CareRelationshipFactory
from tandem.conftest import login_client, reauthenticate


@pytest.fixture
def relationship(
    service_user: User, provider: User, organisation: Organisation
) -> CareRelationship:
    relationship: CareRelationship = CareRelationshipFactory.create(
        service_user=service_user, provider=provider, organisation=organisation
    )
    services.start_agreement(relationship=relationship)
    return relationship


@pytest.fixture
def grant() -> Callable[..., Grant]:
    """Set one grant: ``grant(relationship, module, level)``."""

    def set_grant(relationship: CareRelationship, module: str, level: int = Level.VIEW) -> Grant:
        made, _ = Grant.objects.update_or_create(
            relationship=relationship, module=module, defaults={"level": level}
        )
        return made

    return set_grant


@pytest.fixture
def as_user(client_factory: Callable[[], Client]) -> Callable[[User], Client]:
    """A person who has just logged in and confirmed it is them, as widening access asks
    (the asking itself is tested in test_fresh_proof.py)."""
    return lambda user: reauthenticate(login_client(client_factory(), user))
