"""Make due account deletions final and delete exports older than 24 hours.

Run once (a cron line or systemd timer, hourly is enough), or keep running with ``--every
SECONDS`` (``manage.py serve`` and the Procfile do). A failed sweep is logged and retried at
the next tick, like the escalation sweep.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections

from tandem.datarights.services.deletion import erase_due_accounts
from tandem.datarights.services.exports import purge_expired_exports

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Erase accounts whose 7-day grace period is over; delete expired data exports."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            help="Keep running, sweeping every this many seconds (default: sweep once).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        every = options["every"]
        if every <= 0:
            erased, purged = erase_due_accounts(), purge_expired_exports()
            self.stdout.write(f"Accounts erased: {erased}; exports deleted: {purged}")
            return
        stopping = threading.Event()
        signal.signal(signal.SIGINT, lambda *_: stopping.set())
        signal.signal(signal.SIGTERM, lambda *_: stopping.set())
        while not stopping.is_set():
            close_old_connections()
            try:
                erase_due_accounts()
                purge_expired_exports()
            except DatabaseError:
                logger.exception("Data rights sweep failed; retrying at the next tick.")
            stopping.wait(every)
