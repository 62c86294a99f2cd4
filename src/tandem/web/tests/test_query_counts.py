"""Main pages run a bounded number of SQL queries, whatever the data size."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tandem.accounts.models import Organisation, Role, User
from tandem.accounts.tests.factories import CrisisContactFactory, MembershipFactory
from tandem.conftest import login_client

pytestmark = pytest.mark.django_db


def _grow(organisation: Organisation, people: int) -> None:
    for _ in range(people):
        MembershipFactory.create(organisation=organisation, role=Role.SERVICE_USER)
    CrisisContactFactory.create_batch(people // 10 + 1, organisation=organisation)


def _count(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


@pytest.mark.parametrize(
    ("path", "who", "limit"),
    [
        ("/accounts/login/", None, 2),
        ("/crisis/", None, 4),
        ("/", "service_user", 21),  # the home by role: web/tests/test_home_queries.py
        ("/crisis/", "service_user", 8),
        ("/account/", "service_user", 8),
        ("/", "provider", 26),
    ],
)
def test_page_queries_are_bounded_and_do_not_grow_with_data(
    client: Client,
    organisation: Organisation,
    request: pytest.FixtureRequest,
    path: str,
    who: str | None,
    limit: int,
) -> None:
    if who:
        login_client(client, request.getfixturevalue(who))
    _grow(organisation, 5)
    small = _count(client, path)
    _grow(organisation, 60)
    large = _count(client, path)
    assert small == large, f"{path}: {small} queries with little data, {large} with more"
    assert large <= limit, f"{path} ran {large} queries (limit {limit})"


def test_members_page_queries_do_not_grow_with_members(
    client: Client, org_admin: User, organisation: Organisation, make_member: Callable[..., User]
) -> None:
    login_client(client, org_admin)
    path = f"/organisations/{organisation.pk}/members/"
    _grow(organisation, 5)
    small = _count(client, path)
    _grow(organisation, 60)
    for _ in range(5):
        make_member(Role.PROVIDER)
    assert _count(client, path) == small <= 12
