"""Append-only tables at the database level: triggers that refuse UPDATE and DELETE.

Used by every append-only record (moderation's audit log, care's access record): the model
and its queryset refuse changes in Python, and these triggers refuse raw SQL and anything else
that bypasses the ORM, on SQLite and PostgreSQL, whoever runs it. A table's owner or a
superuser can still drop a trigger; where that matters, the app also revokes privileges (see
``care.guards``).

A table may have a retention (``keep_days``): then DELETE of rows older than it is allowed, and
nothing else; without one, nothing is.

PostgreSQL's TRUNCATE fires no row trigger, so a test database can still be flushed there. On
SQLite, Django flushes with DELETE: tests that flush (live-server and transactional tests) lift
the triggers first and put them back after (``tandem.conftest``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def _install(vendor: str, table: str, keep_days: int = 0) -> list[str]:
    message = f"{table} is append-only"
    if keep_days < 0:
        raise ValueError("keep_days is a number of days, 0 for ever")
    if vendor == "sqlite":
        # Only rows younger than the retention are refused; without one, every row is.
        young = f"WHEN OLD.created_at >= datetime('now', '-{keep_days} days') " if keep_days else ""
        return [
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
            # Dropped first: the retention may have changed since it was created.
            f"DROP TRIGGER IF EXISTS {table}_no_delete",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} {young}"
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
        ]
    if vendor == "postgresql":
        past_retention = (
            f"IF TG_OP = 'DELETE' AND OLD.created_at < now() - interval '{keep_days} days' "
            "THEN RETURN OLD; END IF;"
            if keep_days
            else ""
        )
        return [
            f"""CREATE OR REPLACE FUNCTION {table}_refuse() RETURNS trigger AS $$
            BEGIN
                {past_retention}
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


def install_append_only_triggers(
    connection: Any, tables: Iterable[str], keep_days: Mapping[str, int] | None = None
) -> None:
    """Make ``tables`` refuse UPDATE and DELETE (safe to run again, and to run again after the
    retention changed).

    ``keep_days[table]``, when above 0, is the table's retention: DELETE of a row whose
    ``created_at`` is older than that many days is let through, so deleting past the retention
    is the only change the table allows (``datarights.retention``). The number is written into
    the trigger: changing the setting takes effect when the trigger is installed again.
    """
    keep = keep_days or {}
    _run(
        connection,
        [s for table in tables for s in _install(connection.vendor, table, keep.get(table, 0))],
    )


def remove_append_only_triggers(connection: Any, tables: Iterable[str]) -> None:
    """Drop the triggers of ``tables`` (for a flush in tests, or a migration going back)."""
    _run(connection, [s for table in tables for s in _remove(connection.vendor, table)])
