"""Database-level guard for the append-only audit log: the triggers of
``tandem.core.append_only`` on ``moderation_auditentry``. The model refuses too; this catches
raw SQL and anything that bypasses the ORM.
"""

from __future__ import annotations

from typing import Any

from tandem.core.append_only import install_append_only_triggers, remove_append_only_triggers

TABLE = "moderation_auditentry"


def install_audit_guard(connection: Any) -> None:
    install_append_only_triggers(connection, [TABLE])


def remove_audit_guard(connection: Any) -> None:
    remove_append_only_triggers(connection, [TABLE])
