"""A person's secret calendar address: made, replaced and revoked."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction

from tandem.accounts.models import User
from tandem.courses.models import CalendarFeed


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_feed(*, user: User) -> str:
    """Make a new secret address for ``user``'s course calendar and return its token (shown
    once: only its hash is kept). An older address stops working."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(user=user, defaults={"token_hash": hash_token(token)})
    return token


@transaction.atomic
def revoke_feed(*, user: User) -> None:
    """Stop the address working: calendar apps that ask get 404 from now on."""
    CalendarFeed.objects.filter(user=user).delete()
