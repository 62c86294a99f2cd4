"""Append-only tables at the database level: triggers that refuse UPDATE and DELETE.

Used by every append-only record (moderation's audit log, care's access record): the model
and its queryset refuse changes in Python, and these triggers refuse raw SQL and anything else
that bypasses the ORM, on SQLite and PostgreSQL, whoever runs it. A table's owner or a
superuser can still drop a trigger; where that matters, the app also revokes privileges (see
``care.guards``).

PostgreSQL's TRUNCATE fires no row trigger, so a test database can still be flushed there. On
SQLite, Django flushes with DELETE: tests that flush (live-server and transactional tests) lift
the triggers first and put them back after (``tandem.conftest``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def _install(vendor: str, table: str) -> list[str]:
    message = f"{table} is append-only"
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
        ]
    if vendor == "postgresql":
        return [
            f"""CREATE OR REPLACE FUNCTION {table}_refuse() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{message}';
            END;
            $$ LANGUAGE plpgsql""",
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_refuse()",
        ]
    return []


def _remove(vendor: str, table: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {table}_no_update",
            f"DROP TRIGGER IF EXISTS {table}_no_delete",
        ]
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"DROP FUNCTION IF EXISTS {table}_refuse()",
        ]
    return []


def _run(connection: Any, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install_append_only_triggers(connection: Any, tables: Iterable[str]) -> None:
    """Make ``tables`` refuse UPDATE and DELETE (safe to run again)."""
    _run(connection, [s for table in tables for s in _install(connection.vendor, table)])


def remove_append_only_triggers(connection: Any, tables: Iterable[str]) -> None:
    """Drop the triggers of ``tables`` (for a flush in tests, or a migration going back)."""
    _run(connection, [s for table in tables for s in _remove(connection.vendor, table)])
