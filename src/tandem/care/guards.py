"""The database's side of the append-only access record (``AccessLogEntry``, ``SecurityEvent``).

Two layers, because either alone can be got round:

- Triggers (``tandem.core.append_only``, as for moderation's audit log) refuse every UPDATE and
  DELETE of a row, on SQLite and PostgreSQL, whoever runs it. The table's owner or a superuser
  can still drop or disable a trigger.
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

from tandem.core.append_only import install_append_only_triggers, remove_append_only_triggers

TABLES = ("care_accesslogentry", "care_securityevent")


def revoke_statements(connection: Any, role: str = "") -> list[str]:
    """The REVOKE statements that take changing the record away from the usual roles and from
    ``role`` (PostgreSQL only).

    With a retention (``TANDEM_RETAIN_ACCESS_LOG_DAYS``), DELETE is given to the running role
    and ``role`` instead of taken: the retention job deletes lines past it, and the trigger
    refuses every younger one (``core.append_only``)."""
    if connection.vendor != "postgresql":
        return []
    grantees = ["PUBLIC", "CURRENT_USER"]
    if role:
        grantees.append(connection.ops.quote_name(role))
    if not settings.TANDEM_RETAIN_ACCESS_LOG_DAYS:
        return [
            f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {grantee}"
            for table in TABLES
            for grantee in grantees
        ]
    return [
        statement
        for table in TABLES
        for grantee in grantees
        for statement in (
            f"REVOKE UPDATE, TRUNCATE ON {table} FROM {grantee}",
            *([f"GRANT DELETE ON {table} TO {grantee}"] if grantee != "PUBLIC" else []),
        )
    ]


def install_access_record_guard(connection: Any) -> None:
    """Install the triggers and, on PostgreSQL, revoke the privileges (safe to run again, and
    to run again when the retention changes)."""
    install_append_only_triggers(
        connection, TABLES, dict.fromkeys(TABLES, settings.TANDEM_RETAIN_ACCESS_LOG_DAYS)
    )
    with connection.cursor() as cursor:
        for statement in revoke_statements(connection, settings.TANDEM_DB_APP_ROLE):
            cursor.execute(statement)


def remove_access_record_guard(connection: Any) -> None:
    """Drop the triggers (privileges are left as they are: granting is the operator's call)."""
    remove_append_only_triggers(connection, TABLES)
