"""Fixtures for the toolbox tests. Clients log in with force_login: the login flow itself is
tested in accounts, and skipping it keeps this app's tests fast."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tandem.accounts.models import Role, User


@pytest.fixture
def owner_client(service_user: User) -> Client:
    client = Client()
    client.force_login(service_user)
    return client


@pytest.fixture
def provider_client(provider: User) -> Client:
    client = Client()
    client.force_login(provider)
    return client


@pytest.fixture
def other_user(make_member: Callable[..., User]) -> User:
    return make_member(Role.SERVICE_USER)
