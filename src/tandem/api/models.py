"""Personal API tokens: named, hashed at rest, shown once, revocable."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import User

NAME_MAX_LENGTH = 80
# A person needs a handful (a phone, a tablet, a partner app); a cap keeps a leaked session
# from minting tokens without end.
MAX_ACTIVE_TOKENS = 10


class ApiToken(models.Model):
    """One personal token. Only the SHA-256 of the secret is kept: the secret is 256 random
    bits, so a fast hash is enough (nothing to guess), and a stolen database holds nothing that
    signs in. ``prefix`` (the first characters of the secret) lets the person tell their
    tokens apart without the secret being stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
