from __future__ import annotations

import factory
from django.utils import timezone

from tandem.accounts.tests.factories import OrganisationFactory, UserFactory
from tandem.care.models import (
    AccessAction,
    AccessLogEntry,
    Agreement,
    CareRelationship,
    Grant,
    JointSession,
    Level,
    Module,
    RelationshipStatus,
)


class CareRelationshipFactory(factory.django.DjangoModelFactory[CareRelationship]):
    """An active relationship; pass the service user and provider of a test's organisation."""

    class Meta:
        model = CareRelationship

    service_user = factory.SubFactory(UserFactory)
    provider = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    status = RelationshipStatus.ACTIVE
    requested_by = factory.SelfAttribute("service_user")
    started_at = factory.LazyFunction(timezone.now)


class GrantFactory(factory.django.DjangoModelFactory[Grant]):
    class Meta:
        model = Grant

    relationship = factory.SubFactory(CareRelationshipFactory)
    module = Module.GOALS
    level = Level.VIEW


class AgreementFactory(factory.django.DjangoModelFactory[Agreement]):
    class Meta:
        model = Agreement

    relationship = factory.SubFactory(CareRelationshipFactory)
    purpose = "Sharing goals before our meetings."


class JointSessionFactory(factory.django.DjangoModelFactory[JointSession]):
    class Meta:
        model = JointSession

    relationship = factory.SubFactory(CareRelationshipFactory)
    shown_modules = factory.LazyFunction(lambda: [Module.GOALS.value])


class AccessLogEntryFactory(factory.django.DjangoModelFactory[AccessLogEntry]):
    class Meta:
        model = AccessLogEntry

    owner = factory.SubFactory(UserFactory)
    viewer = factory.SubFactory(UserFactory)
    module = Module.GOALS
    action = AccessAction.VIEW
