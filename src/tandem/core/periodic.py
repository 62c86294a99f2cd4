"""One shape for the jobs that run on a clock (sweeps and reminders).

Each such job is a management command that runs once (for a cron line or a systemd timer) or
keeps running with ``--every SECONDS`` (``manage.py serve`` starts it that way). The loop is the
same for all of them, so it lives here once: stop cleanly on SIGINT/SIGTERM, drop stale
database connections before each tick, and log a failed tick and try again at the next one —
a database outage must never end the loop, or urgent posts stop being escalated.

A command subclasses ``PeriodicCommand`` and implements ``tick()``, returning a one-line
summary of what it did (or an empty string when there was nothing to do).
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections

logger = logging.getLogger(__name__)


class PeriodicCommand(BaseCommand):
    """A management command that does ``tick()`` once, or every ``--every`` seconds."""

    def tick(self) -> str:
        """Do the job once; return what was done, in a few words ('' for nothing)."""
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            help="Keep running, doing the job every this many seconds (default: once).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        every: int = options["every"]
        if every <= 0:
            self.stdout.write(self.tick() or "Nothing to do.")
            return
        stopping = threading.Event()
        signal.signal(signal.SIGINT, lambda *_: stopping.set())
        signal.signal(signal.SIGTERM, lambda *_: stopping.set())
        name = type(self).__module__.rsplit(".", 1)[-1]
        while not stopping.is_set():
            close_old_connections()
            try:
                done = self.tick()
                if done:
                    logger.info("%s: %s", name, done)
            except DatabaseError:
                logger.exception("%s failed; trying again at the next tick.", name)
            stopping.wait(every)
