"""Tell people about check-ins that have come due. Run once a day (cron), or keep running with
``--every SECONDS`` (``manage.py serve`` does, hourly). Each due check-in is told about once,
so running more often only makes the reminder arrive sooner; see
``services.send_check_in_reminders``."""

from __future__ import annotations

from django.utils import timezone

from tandem.core.periodic import PeriodicCommand
from tandem.questionnaires import services


class Command(PeriodicCommand):
    help = "Send one content-free notification for each check-in that has come due."

    def tick(self) -> str:
        sent = services.send_check_in_reminders(today=timezone.localdate())
        return f"Check-in reminders sent: {sent}" if sent else ""
