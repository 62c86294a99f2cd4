"""Make due account deletions final and delete exports older than 24 hours.

Run once (a cron line or systemd timer, hourly is enough), or keep running with ``--every
SECONDS`` (``manage.py serve`` and the Procfile do). A failed sweep is logged and retried at
the next tick, like the escalation sweep.
"""

from __future__ import annotations

from tandem.core.periodic import PeriodicCommand
from tandem.datarights.services.deletion import erase_due_accounts
from tandem.datarights.services.exports import purge_expired_exports


class Command(PeriodicCommand):
    help = "Erase accounts whose 7-day grace period is over; delete expired data exports."

    def tick(self) -> str:
        erased, purged = erase_due_accounts(), purge_expired_exports()
        return f"Accounts erased: {erased}; exports deleted: {purged}" if erased or purged else ""
