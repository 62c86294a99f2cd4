"""The access record is append-only: in the model, the queryset, the database's triggers, and on
PostgreSQL the privileges of the role the application runs as."""

from __future__ import annotations

import io
import uuid

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import override_settings

from tandem.care import access
from tandem.care.guards import TABLES, install_access_record_guard
from tandem.care.models import (
    AccessedData,
    AccessLogEntry,
    AppendOnlyError,
    CareRelationship,
    Outcome,
    SecurityEvent,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(relationship: CareRelationship) -> AccessLogEntry:
    access.record_access(
        relationship.provider, relationship.service_user_id, AccessedData.OVERVIEW, Outcome.ALLOWED
    )
    access.record_access(
        relationship.provider, relationship.service_user_id + 1000, AccessedData.OVERVIEW, "refused"
    )
    return AccessLogEntry.objects.get()


def test_rows_cannot_be_saved_again_or_deleted(entry: AccessLogEntry) -> None:
    event = SecurityEvent.objects.get()
    for row in (entry, event):
        with pytest.raises(AppendOnlyError):
            row.save()
        with pytest.raises(AppendOnlyError):
            row.save(update_fields=["request_id"])
        with pytest.raises(AppendOnlyError):
            row.delete()


def test_the_querysets_refuse_update_and_delete(entry: AccessLogEntry) -> None:
    for model in (AccessLogEntry, SecurityEvent):
        with pytest.raises(AppendOnlyError):
            model.objects.update(request_id="rewritten")
        with pytest.raises(AppendOnlyError):
            model.objects.all().delete()
    assert AccessLogEntry.objects.get().outcome == Outcome.ALLOWED


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize(
    "statement", ["UPDATE {table} SET request_id = 'x'", "DELETE FROM {table}"]
)
def test_the_database_refuses_raw_update_and_delete(
    entry: AccessLogEntry, table: str, statement: str
) -> None:
    """On whichever database the tests use (SQLite, or PostgreSQL with DATABASE_URL): the
    triggers of migration 0003 refuse even the superuser the tests run as on PostgreSQL."""
    assert connection.vendor in {"sqlite", "postgresql"}
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(table=table))
    assert AccessLogEntry.objects.count() == SecurityEvent.objects.count() == 1


def _as_role(role: str, statement: str, params: list[int] | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {connection.ops.quote_name(role)}")
        cursor.execute(statement, params)


def test_on_postgresql_the_application_role_may_insert_but_not_update_delete_or_truncate(
    entry: AccessLogEntry,
) -> None:
    """The deployment of docs/security-access-record.md: the application runs as a role that
    does not own the tables. Even after a blanket grant of every privilege, the guard (what
    migration 0003 runs, with TANDEM_DB_APP_ROLE naming that role) takes the changing ones
    back: the role is refused by privilege, before any trigger."""
    if connection.vendor != "postgresql":
        pytest.skip("privileges are PostgreSQL's; SQLite has none (the triggers cover it)")
    role = f"tandem_app_{uuid.uuid4().hex[:12]}"  # roles are cluster-wide: never share a name
    quoted = connection.ops.quote_name(role)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {quoted} NOLOGIN")  # rolled back with the test
        for table in TABLES:
            cursor.execute(f"GRANT ALL ON {table} TO {quoted}")
            cursor.execute(f"GRANT USAGE ON SEQUENCE {table}_id_seq TO {quoted}")
    with override_settings(TANDEM_DB_APP_ROLE=role):
        install_access_record_guard(connection)
    _as_role(
        role,
        "INSERT INTO care_accesslogentry (owner_id, viewer_id, module, action, outcome, "
        "request_id, created_at) VALUES (%s, NULL, 'overview', 'view', 'allowed', 'r', now())",
        [entry.owner_id],
    )
    for table in TABLES:
        for statement in (
            f"UPDATE {table} SET request_id = 'x'",  # noqa: S608 - table names are constants
            f"DELETE FROM {table}",  # noqa: S608 - table names are constants
            f"TRUNCATE {table}",
        ):
            with pytest.raises(DatabaseError, match="permission denied"):
                _as_role(role, statement)
    assert AccessLogEntry.objects.count() == 2


def test_the_lock_command_puts_the_guard_back(entry: AccessLogEntry) -> None:
    from django.core.management import call_command

    from tandem.care.guards import remove_access_record_guard

    remove_access_record_guard(connection)
    out = io.StringIO()
    call_command("lock_access_record", stdout=out)
    assert "care_accesslogentry" in out.getvalue()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM care_accesslogentry")
