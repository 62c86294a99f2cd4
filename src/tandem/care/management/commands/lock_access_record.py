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


class Command(BaseCommand):
    help = "Make the access record append-only again (triggers and, on PostgreSQL, privileges)."

    def handle(self, *args: Any, **options: Any) -> None:
        install_access_record_guard(connection)
        role = settings.TANDEM_DB_APP_ROLE or "(no TANDEM_DB_APP_ROLE set)"
        self.stdout.write(f"Guarded {', '.join(TABLES)} on {connection.vendor}; app role: {role}.")
