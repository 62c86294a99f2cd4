"""The audit log is append-only: in the model, the queryset and the database itself."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from tandem.accounts.models import Organisation, User
from tandem.forum.models import Community
from tandem.moderation import services
from tandem.moderation.guards import install_audit_guard, remove_audit_guard
from tandem.moderation.models import AuditAction, AuditEntry, AuditLogError

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(mo: User, otter: User, community: Community) -> AuditEntry:
    return services.record(
        actor=mo,
        organisation_id=community.organisation_id,
        community=community,
        action=AuditAction.WARN,
        reason="Be kind",
        subject=otter,
    )


def test_an_entry_cannot_be_saved_again(entry: AuditEntry) -> None:
    entry.reason = "Changed my mind"
    with pytest.raises(AuditLogError):
        entry.save()
    with pytest.raises(AuditLogError):
        entry.save(update_fields=["reason"])


def test_an_entry_cannot_be_deleted(entry: AuditEntry) -> None:
    with pytest.raises(AuditLogError):
        entry.delete()


def test_the_queryset_refuses_update_and_delete(entry: AuditEntry) -> None:
    with pytest.raises(AuditLogError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="x")
    with pytest.raises(AuditLogError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).reason == "Be kind"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE moderation_auditentry SET reason = 'rewritten'",
        "DELETE FROM moderation_auditentry",
    ],
)
def test_the_database_refuses_raw_update_and_delete(entry: AuditEntry, statement: str) -> None:
    """Runs on whichever database the tests use: SQLite by default, PostgreSQL with
    DATABASE_URL set (both guarded by migration 0002)."""
    assert connection.vendor in {"sqlite", "postgresql"}
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEntry.objects.get(pk=entry.pk).reason == "Be kind"


def test_the_guard_can_be_lifted_for_a_test_flush_and_put_back(entry: AuditEntry) -> None:
    remove_audit_guard(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE moderation_auditentry SET detail = 'flush'")
    finally:
        install_audit_guard(connection)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM moderation_auditentry")


def test_deleting_people_and_organisations_leaves_the_log_alone(
    entry: AuditEntry, otter: User, organisation: Organisation
) -> None:
    otter.delete()
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.subject_pseudonym == "Otter"
    assert entry.subject_id is not None
