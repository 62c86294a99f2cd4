"""What the moderation page tests share: a risky text and a logged-in client."""

from __future__ import annotations

from django.test import Client

from tandem.accounts.models import User
from tandem.conftest import login_client

RISKY = "I can't do this anymore. I want to kill myself tonight."


def _client(user: User) -> Client:
    return login_client(Client(), user)
