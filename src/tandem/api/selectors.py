"""Reads of personal API tokens."""

from __future__ import annotations

from django.db.models import F, QuerySet

from tandem.accounts.models import User
from tandem.api.models import ApiToken
from tandem.api.services import hash_token


def tokens_for_user(user: User) -> QuerySet[ApiToken]:
    """The person's tokens, those in use first, newest first."""
    return ApiToken.objects.filter(user=user).order_by(
        F("revoked_at").desc(nulls_first=True), "-created_at", "-pk"
    )


def active_token_for_secret(secret: str) -> ApiToken | None:
    """The token in use whose secret is ``secret``, with its person, or None (one query)."""
    return (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(secret), revoked_at__isnull=True)
        .first()
    )
