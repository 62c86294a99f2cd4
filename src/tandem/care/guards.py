"""The database's side of the append-only access record (``AccessLogEntry``, ``SecurityEvent``).

Two layers, because either alone can be got round:

- Triggers refuse every UPDATE and DELETE of a row, on SQLite and PostgreSQL, whoever runs it.
  The table's owner or a superuser can still drop or disable a trigger.
- On PostgreSQL, UPDATE, DELETE and TRUNCATE are revoked from PUBLIC, from the role that runs
  the migration, and from ``settings.TANDEM_DB_APP_ROLE`` when the deployment runs the
  application as a role other than the tables' owner. That role then cannot change the record
  nor drop the triggers (only an owner may). docs/security-access-record.md has the statements
  an operator runs. A superuser ignores privileges, so production must not run as one.

PostgreSQL's TRUNCATE fires no row trigger, so a test database can still be flushed there by
the superuser tests run as. On SQLite, Django flushes with DELETE: tests that flush
(live-server and transactional tests) lift the triggers first (``tandem.conftest``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

TABLES = ("care_accesslogentry", "care_securityevent")


def _sqlite_install(table: str) -> list[str]:
    message = f"{table} is append-only"
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
    ]


def _sqlite_remove(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_update",
        f"DROP TRIGGER IF EXISTS {table}_no_delete",
    ]


def _postgres_install(table: str) -> list[str]:
    return [
        f"""CREATE OR REPLACE FUNCTION {table}_refuse() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION '{table} is append-only';
        END;
        $$ LANGUAGE plpgsql""",
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_refuse()",
    ]


def _postgres_remove(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
        f"DROP FUNCTION IF EXISTS {table}_refuse()",
    ]


def revoke_statements(connection: Any, role: str = "") -> list[str]:
    """The REVOKE statements that take changing the record away from the usual roles and from
    ``role`` (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return []
    grantees = ["PUBLIC", "CURRENT_USER"]
    if role:
        grantees.append(connection.ops.quote_name(role))
    return [
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {grantee}"
        for table in TABLES
        for grantee in grantees
    ]


def install_access_record_guard(connection: Any) -> None:
    """Install the triggers and, on PostgreSQL, revoke the privileges (safe to run again)."""
    statements: list[str] = []
    for table in TABLES:
        if connection.vendor == "sqlite":
            statements += _sqlite_install(table)
        elif connection.vendor == "postgresql":
            statements += _postgres_install(table)
    statements += revoke_statements(connection, settings.TANDEM_DB_APP_ROLE)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def remove_access_record_guard(connection: Any) -> None:
    """Drop the triggers (privileges are left as they are: granting is the operator's call)."""
    statements: list[str] = []
    for table in TABLES:
        if connection.vendor == "sqlite":
            statements += _sqlite_remove(table)
        elif connection.vendor == "postgresql":
            statements += _postgres_remove(table)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
