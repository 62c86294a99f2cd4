"""Escalate urgent held posts that nobody has reviewed in time (moderation.escalation.sweep).

Run once (a cron line or systemd timer every minute), or keep running with ``--every SECONDS``
(``manage.py serve`` does, every 30 seconds). A failed sweep is logged and retried at the next
tick: a database outage must not end the loop.
"""

from __future__ import annotations

from tandem.core.periodic import PeriodicCommand
from tandem.moderation.escalation.sweep import escalate_overdue


class Command(PeriodicCommand):
    help = "Escalate urgent held posts that nobody has reviewed in time."

    def tick(self) -> str:
        steps = escalate_overdue()
        return f"Escalation steps taken: {steps}" if steps else ""
