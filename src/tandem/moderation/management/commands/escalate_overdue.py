"""Escalate urgent held posts that nobody has reviewed in time (moderation.escalation.sweep).

Run once (a cron line or systemd timer every minute), or keep running with ``--every SECONDS``
(``manage.py serve`` does, every 30 seconds). A failed sweep is logged and retried at the next
tick: a database outage must not end the loop.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections

from tandem.moderation.escalation.sweep import escalate_overdue

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Escalate urgent held posts that nobody has reviewed in time."

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
            steps = escalate_overdue()
            self.stdout.write(f"Escalation steps taken: {steps}")
            return
        stopping = threading.Event()
        signal.signal(signal.SIGINT, lambda *_: stopping.set())
        signal.signal(signal.SIGTERM, lambda *_: stopping.set())
        while not stopping.is_set():
            close_old_connections()
            try:
                steps = escalate_overdue()
                if steps:
                    logger.info("Escalation sweep: %s steps taken.", steps)
            except DatabaseError:
                logger.exception("Escalation sweep failed; retrying at the next tick.")
            stopping.wait(every)
