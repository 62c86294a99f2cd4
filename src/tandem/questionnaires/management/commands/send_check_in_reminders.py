"""Tell people about check-ins that have come due (run daily, e.g. from cron or the Procfile's
scheduler). Each due check-in is told about once; see ``services.send_check_in_reminders``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from tandem.questionnaires import services


class Command(BaseCommand):
    help = "Send one content-free notification for each check-in that has come due."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = services.send_check_in_reminders(today=timezone.localdate())
        self.stdout.write(f"Check-in reminders sent: {sent}")
