"""API fixtures: a token for a person, and a client that sends it. The care and forum
fixtures (a relationship, grants, a community) are the ones those apps' tests use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tandem.accounts.models import User
from tandem.api import services
from tandem.care.tests.conftest import grant, relationship
from tandem.forum.tests.conftest import _everyone_trusted, category, community, member

__all__ = ["_everyone_trusted", "category", "community", "grant", "member", "relationship"]


def token_for(user: User, name: str = "My phone") -> str:
    """A new token's secret (made by the service: the pages ask for fresh proof first)."""
    return services.create_token(user=user, name=name).secret


class ApiClient(Client):
    """A test client that sends a personal API token with every request, and JSON bodies."""

    def __init__(self, secret: str) -> None:
        super().__init__(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def post_json(self, path: str, data: object) -> Any:
        return self.post(path, data, content_type="application/json")


@pytest.fixture
def api_as() -> Callable[[User], ApiClient]:
    """``api_as(user)``: a client holding a fresh token of ``user``."""
    return lambda user: ApiClient(token_for(user))
