"""The API tokens' share of a person's data export (``tandem.core.personal_data``), registered
from ``ApiConfig.ready()``: each token's name, its first characters, when it was made, last
used and revoked. Never the secret, which Tandem does not have. Erasure is the account's
cascade (a token belongs to its person by a CASCADE foreign key)."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser

from tandem.api.models import ApiToken
from tandem.core.personal_data import ExportData, PersonalDataSource


def export(user: AbstractBaseUser) -> ExportData:
    tokens = ApiToken.objects.filter(user_id=user.pk).order_by("created_at", "pk")
    return {
        "tokens": [
            {
                "name": token.name,
                "starts_with": token.prefix,
                "created_at": token.created_at.isoformat(),
                "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
                "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
            }
            for token in tokens
        ]
    }


SOURCE = PersonalDataSource(
    name="api_tokens",
    description="Your personal API tokens for apps: names and dates (never the tokens).",
    export=export,
)
