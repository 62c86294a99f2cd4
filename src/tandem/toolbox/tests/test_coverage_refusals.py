"""Gates and services of the toolbox at their edges: relationships to share with, an
organisation's life domains for its admin, a goal's status history, the step limit, and a
double submit when sharing a journal entry."""

from __future__ import annotations

from collections.abc import Callable
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils import timezone

from tandem.accounts.models import Organisation, Role, User
from tandem.accounts.tests.factories import OrganisationFactory
from tandem.care.models import CareRelationship, RelationshipStatus
from tandem.toolbox import access, services
from tandem.toolbox.models import GoalStatus, GoalStatusChange, GoalStep, JournalShare, LifeDomain
from tandem.toolbox.services.goals import MAX_STEPS_PER_GOAL
from tandem.toolbox.tests.factories import (
    GoalFactory,
    GoalStepFactory,
    JournalEntryFactory,
    default_domain,
    share_with,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_service_user(make_member: Callable[..., User]) -> User:
    return make_member(Role.SERVICE_USER, pseudonym="Heron", email="heron@example.org")


def test_an_active_relationship_to_share_with_is_the_owners_own(
    service_user: User, provider: User, other_service_user: User
) -> None:
    relationship = share_with(provider, service_user)
    assert access.get_active_relationship_for_owner(service_user, relationship.pk) == relationship
    with pytest.raises(Http404):
        access.get_active_relationship_for_owner(other_service_user, relationship.pk)


def test_an_ended_relationship_is_not_offered_to_share_with(
    service_user: User, provider: User
) -> None:
    relationship = share_with(provider, service_user)
    CareRelationship.objects.filter(pk=relationship.pk).update(status=RelationshipStatus.ENDED)
    with pytest.raises(Http404):
        access.get_active_relationship_for_owner(service_user, relationship.pk)


def _organisation_domain(organisation: Organisation, name: str) -> LifeDomain:
    return LifeDomain.objects.create(organisation=organisation, name=name, position=500)


def test_an_admin_reaches_the_defaults_and_their_organisations_domains(
    organisation: Organisation,
) -> None:
    own = _organisation_domain(organisation, "Allotment")
    home = default_domain("home")
    assert access.get_domain_for_organisation_admin(organisation, str(own.pk)) == own
    assert access.get_domain_for_organisation_admin(organisation, str(home.pk)) == home


@pytest.mark.parametrize(
    "which", ["not a number", "another organisation's", "archived", "personal"]
)
def test_an_admin_gets_404_for_any_other_domain(
    organisation: Organisation, service_user: User, which: str
) -> None:
    if which == "not a number":
        domain_id = "12abc"
    elif which == "another organisation's":
        domain_id = str(_organisation_domain(OrganisationFactory.create(), "Theirs").pk)
    elif which == "archived":
        archived = _organisation_domain(organisation, "Old")
        LifeDomain.objects.filter(pk=archived.pk).update(archived_at=timezone.now())
        domain_id = str(archived.pk)
    else:
        mine = LifeDomain.objects.create(owner=service_user, name="Mine", position=900)
        domain_id = str(mine.pk)
    with pytest.raises(Http404):
        access.get_domain_for_organisation_admin(organisation, domain_id)


def test_a_status_change_is_recorded_once_in_the_goals_history(service_user: User) -> None:
    goal = services.create_goal(owner=service_user, domain=default_domain(), title="Swim")
    services.set_goal_status(owner=service_user, goal=goal, status=GoalStatus.ACHIEVED)
    # Setting the status it already has saves the goal but adds no history.
    services.set_goal_status(owner=service_user, goal=goal, status=GoalStatus.ACHIEVED)
    goal.refresh_from_db()
    assert goal.status == GoalStatus.ACHIEVED
    assert list(
        GoalStatusChange.objects.filter(goal=goal).order_by("pk").values_list("status", flat=True)
    ) == [GoalStatus.ACTIVE, GoalStatus.ACHIEVED]


def test_a_step_past_the_limit_is_refused_and_not_stored(service_user: User) -> None:
    goal = GoalFactory.create(owner=service_user)
    GoalStepFactory.create_batch(MAX_STEPS_PER_GOAL, goal=goal)
    with pytest.raises(ValidationError) as refused:
        services.add_step(owner=service_user, goal=goal, text="One more")
    assert str(MAX_STEPS_PER_GOAL) in refused.value.message_dict["text"][0]
    assert GoalStep.objects.filter(goal=goal).count() == MAX_STEPS_PER_GOAL


def test_sharing_an_entry_in_a_double_submit_race_returns_the_other_share(
    service_user: User, provider: User
) -> None:
    """Two submits both found no share; the second insert fails on the unique pair and gets
    the share the first one stored, rather than an error."""
    relationship = share_with(provider, service_user)
    entry = JournalEntryFactory.create(owner=service_user)
    stored = JournalShare.objects.create(entry=entry, relationship=relationship)
    with mock.patch.object(
        JournalShare.objects, "get_or_create", side_effect=IntegrityError("unique")
    ):
        share = services.share_journal_entry(
            owner=service_user, entry=entry, relationship=relationship
        )
    assert share == stored
    assert JournalShare.objects.count() == 1
