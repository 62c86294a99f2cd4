"""Remind both sides of every care relationship whose agreement is due for review
(``care.services.send_review_reminders``): once per accepted version, never twice.

Run once a day (a cron line or systemd timer), or keep running with ``--every SECONDS``
(``manage.py serve`` does, hourly: a reminder is sent at most once, so running more often
only makes it arrive sooner after the review date). A failed run is logged and retried at the
next tick: a database outage must not end the loop.
"""

from __future__ import annotations

from tandem.care.services import send_review_reminders
from tandem.core.periodic import PeriodicCommand


class Command(PeriodicCommand):
    help = "Remind both sides of agreements that are due for review (once each)."

    def tick(self) -> str:
        sent = send_review_reminders()
        return f"Agreements reminded: {sent}" if sent else ""
