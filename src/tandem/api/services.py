"""Creating and revoking personal API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.api.models import MAX_ACTIVE_TOKENS, ApiToken

# Tells a Tandem token apart in logs, secret scanners and the person's password manager.
TOKEN_PREFIX = "tdm_"  # noqa: S105 - a public marker, not a secret
# The part of the secret kept in clear so the person can tell their tokens apart.
SHOWN_CHARACTERS = 8
# How exactly "last used" is kept: a write per API call would cost more than the call.
USE_RESOLUTION = timedelta(minutes=1)


def hash_token(secret: str) -> str:
    """The stored form of a token: SHA-256 hex. The secret has 256 random bits, so no slow
    hash is needed, and lookups by hash stay one indexed query."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    """A token just made, with its secret: the only moment the secret exists outside the
    person's hands. Show it once and forget it."""

    token: ApiToken
    secret: str


@transaction.atomic
def create_token(*, user: User, name: str) -> NewToken:
    """Make a named token for ``user`` and return it with its secret.

    The caller must have asked for fresh proof of identity (``accounts.reauth``): a token is
    as good as the person's session, for longer. Raise ValidationError for a blank or long
    name, or when the person already has ``MAX_ACTIVE_TOKENS`` tokens in use.
    """
    # Lock the person's row so two requests cannot both pass the cap.
    User.objects.select_for_update().filter(pk=user.pk).first()
    name = name.strip()
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            _("You have %(n)d tokens in use. Revoke one you no longer need first.")
            % {"n": MAX_ACTIVE_TOKENS}
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        prefix=secret[: len(TOKEN_PREFIX) + SHOWN_CHARACTERS],
        key_hash=hash_token(secret),
    )
    token.full_clean()
    token.save()
    return NewToken(token=token, secret=secret)


def revoke_token(*, token: ApiToken) -> ApiToken:
    """Stop ``token`` working from the next request. Never asks for proof: taking access away
    must always be easy (docs/security-reauth-age.md). Revoking twice changes nothing."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def note_use(*, token: ApiToken) -> None:
    """Record when ``token`` was last used, to within ``USE_RESOLUTION``."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > USE_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
