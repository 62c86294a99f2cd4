from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from tandem.accounts.models import User
from tandem.accounts.tests.factories import UserFactory
from tandem.care.models import CareRelationship, Grant, Level, RelationshipStatus
from tandem.toolbox.models import (
    Activity,
    Circle,
    CrisisPlan,
    ExercisePractice,
    Goal,
    GoalStep,
    JournalEntry,
    JournalShare,
    LifeDomain,
    Medication,
    NetworkMember,
    Quality,
    StatusRating,
)


def default_domain(key: str = "home") -> LifeDomain:
    """One of the defaults seeded by migration 0002."""
    return LifeDomain.objects.get(key=key, owner__isnull=True, organisation__isnull=True)


def share_with(
    provider: User, owner: User, *modules: str, level: int = Level.VIEW
) -> CareRelationship:
    """An active care relationship between the two, granting ``level`` on each module."""
    membership = owner.memberships.select_related("organisation").first()
    assert membership is not None
    relationship = CareRelationship.objects.create(
        service_user=owner,
        provider=provider,
        organisation=membership.organisation,
        status=RelationshipStatus.ACTIVE,
        started_at=timezone.now(),
    )
    for module in modules:
        Grant.objects.create(relationship=relationship, module=module, level=level)
    return relationship


class PersonalDomainFactory(factory.django.DjangoModelFactory[LifeDomain]):
    class Meta:
        model = LifeDomain

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"My domain {n}")
    position = 1000


class StatusRatingFactory(factory.django.DjangoModelFactory[StatusRating]):
    class Meta:
        model = StatusRating

    owner = factory.SubFactory(UserFactory)
    domain = factory.LazyFunction(default_domain)
    rating = 5
    note = "Getting there"
    recorded_at = factory.LazyFunction(timezone.now)


class GoalFactory(factory.django.DjangoModelFactory[Goal]):
    class Meta:
        model = Goal

    owner = factory.SubFactory(UserFactory)
    domain = factory.LazyFunction(default_domain)
    title = factory.Sequence(lambda n: f"Goal {n}")
    why = "It matters to me"


class GoalStepFactory(factory.django.DjangoModelFactory[GoalStep]):
    class Meta:
        model = GoalStep

    goal = factory.SubFactory(GoalFactory)
    text = factory.Sequence(lambda n: f"Step {n}")
    position = factory.Sequence(lambda n: n)


class ActivityFactory(factory.django.DjangoModelFactory[Activity]):
    class Meta:
        model = Activity

    owner = factory.SubFactory(UserFactory)
    domain = factory.LazyFunction(default_domain)
    description = factory.Sequence(lambda n: f"Went for walk {n}")
    done_on = factory.LazyFunction(timezone.localdate)


class MedicationFactory(factory.django.DjangoModelFactory[Medication]):
    class Meta:
        model = Medication

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Medication {n}")
    dose = "10 mg"
    schedule = "Every morning"
    purpose = "Mood"
    started_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))


class NetworkMemberFactory(factory.django.DjangoModelFactory[NetworkMember]):
    class Meta:
        model = NetworkMember

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Friend {n}")
    relationship = "Friend"
    circle = Circle.INNER
    quality = Quality.SUPPORTIVE


class CrisisPlanFactory(factory.django.DjangoModelFactory[CrisisPlan]):
    class Meta:
        model = CrisisPlan

    owner = factory.SubFactory(UserFactory)
    warning_signs = "Not sleeping\nStaying in bed"
    coping_alone = "Walk by the river"
    help_people = "Sam 07700 900123"
    reasons_for_living = "My cat"


class ExercisePracticeFactory(factory.django.DjangoModelFactory[ExercisePractice]):
    class Meta:
        model = ExercisePractice

    owner = factory.SubFactory(UserFactory)
    exercise = "box-breathing"
    helped = 3


class JournalEntryFactory(factory.django.DjangoModelFactory[JournalEntry]):
    class Meta:
        model = JournalEntry

    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Entry {n}")
    body = "Today was *better*."


class JournalShareFactory(factory.django.DjangoModelFactory[JournalShare]):
    class Meta:
        model = JournalShare

    entry = factory.SubFactory(JournalEntryFactory)
