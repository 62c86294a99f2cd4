"""Toolbox services: the journal and sharing its entries, and the latest changes the caseload reads."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.accounts.models import Role, User
from tandem.care.models import Comment, Module, RelationshipStatus
from tandem.toolbox import selectors, services
from tandem.toolbox.models import (
    JournalEntry,
    JournalShare,
)
from tandem.toolbox.tests.factories import (
    ActivityFactory,
    CrisisPlanFactory,
    ExercisePracticeFactory,
    GoalFactory,
    GoalStepFactory,
    JournalEntryFactory,
    MedicationFactory,
    NetworkMemberFactory,
    StatusRatingFactory,
    share_with,
)
from tandem.toolbox.tests.helpers_services import _raw

pytestmark = pytest.mark.django_db


# --- Journal ---------------------------------------------------------------------------------


def test_journal_entries_are_private_and_encrypted(service_user: User, provider: User) -> None:
    entry = services.write_journal_entry(owner=service_user, title="Monday", body="Low today")
    assert "Low today" not in _raw("toolbox_journalentry", "body", entry.pk)
    share_with(provider, service_user, Module.JOURNAL)
    assert not selectors.journal_shared_with(provider, service_user).exists()


def test_a_journal_entry_needs_a_title_and_a_body(service_user: User) -> None:
    with pytest.raises(ValidationError) as error:
        services.write_journal_entry(owner=service_user, title="", body="")
    assert {"title", "body"} <= set(error.value.message_dict)


def test_sharing_an_entry_reaches_only_that_provider(
    service_user: User, provider: User, make_member: Callable[..., User]
) -> None:
    other_provider = make_member(Role.PROVIDER, totp=True)
    relationship = share_with(provider, service_user, Module.JOURNAL)
    share_with(other_provider, service_user, Module.JOURNAL)
    entry = JournalEntryFactory.create(owner=service_user)
    services.share_journal_entry(owner=service_user, entry=entry, relationship=relationship)
    services.share_journal_entry(owner=service_user, entry=entry, relationship=relationship)
    assert JournalShare.objects.count() == 1
    assert list(selectors.journal_shared_with(provider, service_user)) == [entry]
    assert not selectors.journal_shared_with(other_provider, service_user).exists()
    services.unshare_journal_entry(owner=service_user, entry=entry, relationship=relationship)
    assert not selectors.journal_shared_with(provider, service_user).exists()


def test_an_entry_cannot_be_shared_outside_the_care_team(
    service_user: User, other_user: User, provider: User
) -> None:
    foreign = share_with(provider, other_user, Module.JOURNAL)
    entry = JournalEntryFactory.create(owner=service_user)
    with pytest.raises(ValidationError):
        services.share_journal_entry(owner=service_user, entry=entry, relationship=foreign)
    ended = share_with(provider, service_user)
    ended.status = RelationshipStatus.ENDED
    ended.save()
    with pytest.raises(ValidationError):
        services.share_journal_entry(owner=service_user, entry=entry, relationship=ended)
    with pytest.raises(PermissionDenied):
        services.share_journal_entry(owner=other_user, entry=entry, relationship=foreign)


def test_an_ended_relationship_no_longer_sees_shared_entries(
    service_user: User, provider: User
) -> None:
    relationship = share_with(provider, service_user, Module.JOURNAL)
    entry = JournalEntryFactory.create(owner=service_user)
    services.share_journal_entry(owner=service_user, entry=entry, relationship=relationship)
    relationship.status = RelationshipStatus.ENDED
    relationship.save()
    assert not selectors.journal_shared_with(provider, service_user).exists()


def test_deleting_an_entry_deletes_its_shares_and_comments(
    service_user: User, provider: User
) -> None:
    relationship = share_with(provider, service_user, Module.JOURNAL)
    entry = JournalEntryFactory.create(owner=service_user)
    services.share_journal_entry(owner=service_user, entry=entry, relationship=relationship)
    Comment.objects.create(
        owner=service_user, author=provider, module=Module.JOURNAL, item_id=entry.pk, body="Hi"
    )
    services.edit_journal_entry(owner=service_user, entry=entry, title="T", body="B")
    services.delete_journal_entry(owner=service_user, entry=entry)
    assert not JournalEntry.objects.exists()
    assert not JournalShare.objects.exists()
    assert not Comment.objects.exists()


# --- latest_changes (for the caseload) -------------------------------------------------------


def test_latest_changes_reports_each_module_in_a_fixed_number_of_queries(
    service_user: User, other_user: User, provider: User, make_member: Callable[..., User]
) -> None:
    StatusRatingFactory.create(owner=service_user)
    goal = GoalFactory.create(owner=service_user)
    GoalStepFactory.create(goal=goal)
    ActivityFactory.create(owner=service_user)
    MedicationFactory.create(owner=service_user)
    NetworkMemberFactory.create(owner=service_user)
    CrisisPlanFactory.create(owner=service_user)
    ExercisePracticeFactory.create(owner=service_user)
    private = JournalEntryFactory.create(owner=service_user)
    shared = JournalEntryFactory.create(owner=service_user)
    relationship = share_with(provider, service_user, Module.JOURNAL)
    services.share_journal_entry(owner=service_user, entry=shared, relationship=relationship)
    StatusRatingFactory.create(owner=other_user)

    with CaptureQueriesContext(connection) as queries:
        changes = selectors.latest_changes([service_user.pk, other_user.pk])
    assert len(queries) == 8
    # Every module the toolbox holds (questionnaires report their own changes).
    assert set(changes[service_user.pk]) == set(Module.values) - {Module.QUESTIONNAIRES}
    assert set(changes[other_user.pk]) == {Module.STATUS}
    assert changes[service_user.pk][Module.JOURNAL] >= shared.updated_at
    assert private.updated_at is not None

    someone_else = make_member(Role.PROVIDER, totp=True)
    by_provider = selectors.latest_changes([service_user.pk], provider=someone_else)
    assert Module.JOURNAL not in by_provider[service_user.pk]
    assert selectors.latest_changes([]) == {}
