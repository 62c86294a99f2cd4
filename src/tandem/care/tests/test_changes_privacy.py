"""What changed since a provider's last visit counts only what that provider could see.

A journal entry the person shared with another provider is not "a change in the journal" for
this one: the caseload and the person's overview must not hint that it exists.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tandem.accounts.models import Organisation, Role, User
from tandem.care import caseload
from tandem.care.models import Agreement, CareRelationship, Grant, Level, Module
from tandem.care.tests.factories import CareRelationshipFactory
from tandem.toolbox import services as toolbox_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_relationship(
    service_user: User, make_member: Callable[..., User], organisation: Organisation
) -> CareRelationship:
    other_provider = make_member(Role.PROVIDER, pseudonym="Quinn", email="quinn@example.org")
    other: CareRelationship = CareRelationshipFactory.create(
        service_user=service_user, provider=other_provider, organisation=organisation
    )
    Agreement.objects.create(relationship=other)
    return other


def _journal_changes_seen_by(relationship: CareRelationship) -> tuple[bool, bool]:
    found = caseload.caseload_for_provider(relationship.provider)
    (entry,) = [e for e in found.entries if e.relationship.pk == relationship.pk]
    in_caseload = any(change.module == Module.JOURNAL for change in entry.changes)
    overview = caseload.person_overview(relationship)
    in_overview = any(change.module == Module.JOURNAL for change in overview.changes)
    return in_caseload, in_overview


def test_an_entry_shared_with_another_provider_is_no_change_for_this_one(
    relationship: CareRelationship, other_relationship: CareRelationship, service_user: User
) -> None:
    for each in (relationship, other_relationship):
        Grant.objects.create(relationship=each, module=Module.JOURNAL, level=Level.VIEW)
    entry = toolbox_services.write_journal_entry(owner=service_user, title="Tuesday", body="Hard")
    toolbox_services.share_journal_entry(
        owner=service_user, entry=entry, relationship=other_relationship
    )
    assert _journal_changes_seen_by(other_relationship) == (True, True)
    assert _journal_changes_seen_by(relationship) == (False, False)

    toolbox_services.share_journal_entry(owner=service_user, entry=entry, relationship=relationship)
    assert _journal_changes_seen_by(relationship) == (True, True)
