"""Rewrite this host's saved copy of the crisis contacts from the database.

Each host keeps its own copy (docs/operations.md, "Failure modes"); changes rewrite the copy of
the host that made them, and reads bring the others up to date one organisation at a time. Run
this at deploy and hourly from cron on every host, so each has every organisation's contacts
before the database next goes down.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from tandem.accounts import crisis_cache


class Command(BaseCommand):
    help = "Rewrite this host's saved copy of every organisation's crisis contacts."

    def handle(self, *args: Any, **options: Any) -> None:
        copy = crisis_cache.refresh()
        contacts = sum(len(org.contacts) for org in copy.organisations.values())
        self.stdout.write(
            f"Saved {contacts} crisis contacts of {len(copy.organisations)} organisations "
            f"to {settings.TANDEM_CRISIS_CACHE_FILE}."
        )
