"""Record service users' messages their care team left unanswered past the agreed reply time, for the studies
people take part in (``research.unanswered``): once per wait, never twice.

Run hourly from a cron line or systemd timer, or keep running with ``--every 3600``.
"""

from __future__ import annotations

from tandem.core.periodic import PeriodicCommand
from tandem.research.unanswered import record_unanswered


class Command(PeriodicCommand):
    help = "Record messages left unanswered past the agreed reply time (once per wait)."

    def tick(self) -> str:
        written = record_unanswered()
        return f"Unanswered waits recorded: {written}" if written else ""
