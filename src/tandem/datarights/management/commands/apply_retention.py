"""Delete what is past its retention (``datarights.retention``; the ``TANDEM_RETAIN_*_DAYS``
settings). Run once (a daily cron line or systemd timer), or keep running with ``--every
SECONDS`` (``manage.py serve`` and the Procfile run it hourly)."""

from __future__ import annotations

from tandem.core.periodic import PeriodicCommand
from tandem.datarights.retention import apply_retention


class Command(PeriodicCommand):
    help = "Delete access-record lines, notifications, ended joint sessions, finished exports and rejected held posts past their retention."

    def tick(self) -> str:
        done = apply_retention()
        return "; ".join(f"{name}: {count}" for name, count in done.items() if count)
