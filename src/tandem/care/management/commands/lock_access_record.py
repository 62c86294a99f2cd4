"""Put the access record's guard back: the triggers, and on PostgreSQL the revoked UPDATE,
DELETE and TRUNCATE (from PUBLIC, the role running this, and TANDEM_DB_APP_ROLE).

Migration 0003 does this once. A blanket ``GRANT ... ON ALL TABLES`` run afterwards gives the
application role those privileges back, so run this after every such grant, as the tables'
owner (docs/security-access-record.md).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from tandem.care.guards import TABLES, install_access_record_guard
from tandem.core import change_record


class Command(BaseCommand):
    help = (
        "Make the access record and the change record append-only again (triggers and, on "
        "PostgreSQL, privileges)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        install_access_record_guard(connection)
        # The record of changes to access is guarded the same way, by the same command, so an
        # operator's one step after a blanket grant covers both (core/change_record.py).
        change_record.install_change_record_guard(connection)
        role = settings.TANDEM_DB_APP_ROLE or "(no TANDEM_DB_APP_ROLE set)"
        tables = ", ".join([*TABLES, change_record.TABLE])
        self.stdout.write(f"Guarded {tables} on {connection.vendor}; app role: {role}.")
