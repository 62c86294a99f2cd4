"""The change record is append-only: in the model, the queryset, the database's triggers, and on
PostgreSQL the privileges of the role the application runs as. It keeps small values only."""

from __future__ import annotations

import io
import uuid

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings

from tandem.accounts.models import User
from tandem.core.change_record import (
    TABLE,
    ChangeKind,
    ChangeRecord,
    ChangeRecordError,
    Values,
    install_change_record_guard,
    record_change,
    remove_change_record_guard,
)
from tandem.core.request_id import request_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(service_user: User, provider: User) -> ChangeRecord:
    return record_change(
        actor=service_user,
        kind=ChangeKind.GRANT_CREATED,
        subject_id=service_user.pk,
        target=provider,
        before={"level": 0},
        after={"level": 1, "module": "goals"},
    )


def test_a_change_keeps_who_what_whom_values_and_the_request_id(
    service_user: User, provider: User
) -> None:
    with request_scope(request_id="abc123", path="/care/sharing/"):
        entry = record_change(
            actor=service_user,
            kind=ChangeKind.GRANT_CHANGED,
            subject_id=service_user.pk,
            target=provider,
            before={"level": 1},
            after={"level": 2},
        )
    entry = ChangeRecord.objects.get(pk=entry.pk)
    assert (entry.actor_id, entry.subject_id) == (service_user.pk, service_user.pk)
    assert (entry.target_type, entry.target_id) == ("accounts.user", provider.pk)
    assert (entry.before, entry.after, entry.request_id) == ({"level": 1}, {"level": 2}, "abc123")


@pytest.mark.parametrize(
    "values",
    [
        {"note": "I felt very low on Tuesday and could not get out of bed at all, again"},
        {"nested": {"a": 1}},
        {f"key{n}": n for n in range(20)},
    ],
)
def test_free_text_and_documents_are_refused(service_user: User, values: Values) -> None:
    with pytest.raises(ChangeRecordError):
        record_change(actor=service_user, kind=ChangeKind.ROLE_ADDED, after=values)
    assert not ChangeRecord.objects.exists()


def test_rows_cannot_be_saved_again_or_deleted(entry: ChangeRecord) -> None:
    with pytest.raises(ChangeRecordError):
        entry.save()
    with pytest.raises(ChangeRecordError):
        entry.save(update_fields=["request_id"])
    with pytest.raises(ChangeRecordError):
        entry.delete()
    with pytest.raises(ChangeRecordError):
        ChangeRecord.objects.update(request_id="rewritten")
    with pytest.raises(ChangeRecordError):
        ChangeRecord.objects.all().delete()
    assert ChangeRecord.objects.get().request_id == ""


@pytest.mark.parametrize(
    "statement", ["UPDATE {table} SET request_id = 'x'", "DELETE FROM {table}"]
)
def test_the_database_refuses_raw_update_and_delete(entry: ChangeRecord, statement: str) -> None:
    """On whichever database the tests use: the triggers of migration core 0002 refuse even
    the superuser the tests run as on PostgreSQL."""
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(table=TABLE))
    assert ChangeRecord.objects.get().request_id == ""


def _as_role(role: str, statement: str, params: list[int] | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {connection.ops.quote_name(role)}")
        cursor.execute(statement, params)


def test_on_postgresql_the_application_role_may_insert_but_not_update_delete_or_truncate(
    entry: ChangeRecord, service_user: User
) -> None:
    """The deployment of docs/security-access-record.md: the application runs as a role that
    does not own the table. After a blanket grant, the guard (migration core 0002 and
    ``lock_access_record``, with TANDEM_DB_APP_ROLE naming the role) takes the changing
    privileges back."""
    if connection.vendor != "postgresql":
        pytest.skip("privileges are PostgreSQL's; SQLite has none (the triggers cover it)")
    role = f"tandem_app_{uuid.uuid4().hex[:12]}"  # roles are cluster-wide: never share a name
    quoted = connection.ops.quote_name(role)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {quoted} NOLOGIN")  # rolled back with the test
        cursor.execute(f"GRANT ALL ON {TABLE} TO {quoted}")
        cursor.execute(f"GRANT USAGE ON SEQUENCE {TABLE}_id_seq TO {quoted}")
    with override_settings(TANDEM_DB_APP_ROLE=role):
        install_change_record_guard(connection)
    _as_role(
        role,
        f"INSERT INTO {TABLE} (actor_id, subject_id, kind, target_type, target_id, before, "  # noqa: S608 - constant table name
        "after, request_id, created_at) VALUES (%s, %s, 'role.added', '', NULL, '{}', '{}', "
        "'r', now())",
        [service_user.pk, service_user.pk],
    )
    for statement in (
        f"UPDATE {TABLE} SET request_id = 'x'",  # noqa: S608 - constant table name
        f"DELETE FROM {TABLE}",  # noqa: S608 - constant table name
        f"TRUNCATE {TABLE}",
    ):
        with pytest.raises(DatabaseError, match="permission denied"):
            _as_role(role, statement)
    assert ChangeRecord.objects.count() == 2


def test_the_lock_command_puts_the_change_records_guard_back_too(entry: ChangeRecord) -> None:
    remove_change_record_guard(connection)
    out = io.StringIO()
    call_command("lock_access_record", stdout=out)
    assert TABLE in out.getvalue()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608 - constant table name
