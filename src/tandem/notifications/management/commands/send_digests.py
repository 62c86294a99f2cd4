"""Queue the daily digests and the emails held back by quiet hours (run it every hour)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tandem.notifications.tasks import send_digests


class Command(BaseCommand):
    help = "Queue the task that sends due daily digests and emails held by quiet hours."

    def handle(self, *args: Any, **options: Any) -> None:
        # Queued, not sent here: emails go out from the task worker like every other email.
        result = send_digests.enqueue()
        self.stdout.write(f"Queued send_digests ({result.id}).")
