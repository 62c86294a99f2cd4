"""Remind both sides of every care relationship whose agreement is due for review
(``care.services.send_review_reminders``): once per accepted version, never twice.

Run once a day (a cron line or systemd timer), or keep running with ``--every SECONDS``
(``manage.py serve`` does, hourly: a reminder is sent at most once, so running more often
only makes it arrive sooner after the review date). A failed run is logged and retried at the
next tick: a database outage must not end the loop.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections

from tandem.care.services import send_review_reminders

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Remind both sides of agreements that are due for review (once each)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            help="Keep running, checking every this many seconds (default: check once).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        every = options["every"]
        if every <= 0:
            sent = send_review_reminders()
            self.stdout.write(f"Agreements reminded: {sent}")
            return
        stopping = threading.Event()
        signal.signal(signal.SIGINT, lambda *_: stopping.set())
        signal.signal(signal.SIGTERM, lambda *_: stopping.set())
        while not stopping.is_set():
            close_old_connections()
            try:
                sent = send_review_reminders()
                if sent:
                    logger.info("Agreement reviews: %s reminded.", sent)
            except DatabaseError:
                logger.exception("Agreement review reminders failed; retrying at the next tick.")
            stopping.wait(every)
