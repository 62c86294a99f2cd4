"""Let a person who is locked out of logging in try again now (docs/security-throttling.md).

Lifts all three limits on the account: Axes' lock from any address, the account-wide delay
between wrong passwords, and the lock on two-step codes. ``axes_reset_username`` lifts only the
first, and the other two live in the cache, where no admin page shows them.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tandem.accounts import throttling
from tandem.accounts.models import User


class Command(BaseCommand):
    help = "Lift every login lock and delay on the accounts with these email addresses."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("emails", nargs="+", metavar="EMAIL")

    def handle(self, *args: Any, **options: Any) -> None:
        for email in options["emails"]:
            login = throttling.normalise_login(email)
            user_id = User.objects.filter(email__iexact=login).values_list("pk", flat=True).first()
            removed = throttling.lift_login_limits(email=login, user_id=user_id)
            # Also run for an email no account has: a lock on it is lifted all the same.
            account = "the account" if user_id is not None else "no account (password locks only)"
            self.stdout.write(
                f"{login}: lifted for {account}; {removed} locked address records removed."
            )
