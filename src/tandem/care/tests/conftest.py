"""Fixtures for the care app: a service user linked with a verified provider."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tandem.accounts.models import Organisation, User
from tandem.care import services
from tandem.care.models import CareRelationship, Grant, Level
from tandem.care.tests.factories import CareRelationshipFactory


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
