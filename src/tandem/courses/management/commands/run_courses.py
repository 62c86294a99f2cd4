"""The course clock (``courses.services.run_schedule``): open each day's topic on the board,
remind people of the live sessions (the day and the hour before), nudge invited professionals
once, and make the boards of finished courses read-only.

Run every few minutes (a cron line or systemd timer), or keep running with ``--every SECONDS``
(``manage.py serve`` runs it every 300 seconds). Each step happens once, however often it runs.
"""

from __future__ import annotations

from tandem.core.periodic import PeriodicCommand
from tandem.courses.services import run_schedule


class Command(PeriodicCommand):
    help = "Open course topics, send session reminders and nudges, archive finished boards."

    def tick(self) -> str:
        return str(run_schedule())
