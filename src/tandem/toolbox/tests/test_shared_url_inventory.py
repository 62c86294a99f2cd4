"""Every URL that shows a service user's data to someone else is permission-checked and logged.

The routes are found by walking the URLconf for an ``owner_id`` argument, so a page added later
is checked without anyone remembering to list it here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tandem.accounts.models import Role, User
from tandem.care.models import AccessLogEntry, Grant, Level, Module
from tandem.conftest import login_client
from tandem.questionnaires.tests.factories import make_response
from tandem.toolbox.models import JournalShare
from tandem.toolbox.tests.factories import GoalFactory, JournalEntryFactory, share_with

pytestmark = pytest.mark.django_db

# The provider's overview names the person and what they share, but holds no toolbox content:
# it is gated by an active relationship (care.access.get_relationship_for_provider) instead.
NOT_A_DATA_READ = {"care:person-detail"}


def _walk(
    patterns: list[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        else:
            yield prefix + str(pattern.pattern), f"{namespace}{pattern.name}"


def shared_routes() -> list[tuple[str, str]]:
    return sorted(
        (route, name)
        for route, name in _walk(get_resolver().url_patterns)
        if "<id:owner_id>" in route and name not in NOT_A_DATA_READ
    )


def test_the_inventory_finds_the_care_teams_pages() -> None:
    names = {name for _, name in shared_routes()}
    assert {"toolbox:shared-goals", "toolbox:shared-journal-detail"} <= names
    assert len(names) >= 10


@pytest.fixture
def world(service_user: User, provider: User) -> dict[str, Any]:
    goal = GoalFactory.create(owner=service_user)
    entry = JournalEntryFactory.create(owner=service_user)
    relationship = share_with(provider, service_user, *Module.values, level=Level.COMMENT)
    JournalShare.objects.create(entry=entry, relationship=relationship)
    response = make_response(service_user, "phq9")  # a questionnaire response's answers
    return {
        "owner": service_user,
        "goal_id": goal.pk,
        "entry_id": entry.pk,
        "response_id": response.pk,
    }


def _path(route: str, world: dict[str, Any]) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "owner_id":
            return str(world["owner"].pk)
        assert name in world, f"add a sample object for <{name}> in this test"
        return str(world[name])

    return "/" + re.sub(r"<id:(\w+)>", fill, route)


def _is_post_only(client: Client, path: str) -> bool:
    return client.get(path).status_code == 405


def test_shared_pages_are_refused_to_everyone_without_a_grant_and_log_nothing(
    world: dict[str, Any], make_member: Any, client_factory: Any
) -> None:
    """One login per kind of outsider, then every shared route (logins are the slow part)."""
    paths = [_path(route, world) for route, _ in shared_routes()]
    anonymous = client_factory()
    outsiders = [
        make_member(Role.SERVICE_USER),
        make_member(Role.PROVIDER, totp=True),  # verified, but no relationship
        make_member(Role.MODERATOR, totp=True),
        make_member(Role.RESEARCHER, totp=True),
        make_member(Role.ORG_ADMIN, totp=True),
    ]
    clients = [login_client(client_factory(), outsider) for outsider in outsiders]
    for path in paths:
        assert anonymous.get(path).status_code in {302, 405}, path
        for outsider, client in zip(outsiders, clients, strict=True):
            assert client.get(path).status_code in {404, 405}, (path, outsider)
            assert client.post(path, {"body": "hello"}).status_code in {404, 405}, (path, outsider)
    assert not AccessLogEntry.objects.exists()


@pytest.mark.parametrize(("route", "name"), shared_routes())
def test_shared_page_closes_the_moment_the_grant_is_revoked(
    route: str, name: str, world: dict[str, Any], provider: User, client: Client
) -> None:
    path = _path(route, world)
    login_client(client, provider)
    if _is_post_only(client, path):
        return  # a form target: its GET is refused by method; the POST is checked below
    assert client.get(path).status_code == 200, path
    Grant.objects.filter(relationship__provider=provider).update(level=Level.NONE)
    assert client.get(path).status_code == 404, path


@pytest.mark.parametrize(("route", "name"), shared_routes())
def test_each_read_of_a_shared_page_is_logged_once(
    route: str, name: str, world: dict[str, Any], provider: User, client: Client
) -> None:
    path = _path(route, world)
    login_client(client, provider)
    before = AccessLogEntry.objects.count()
    response = client.get(path)
    if response.status_code == 405:
        return
    assert response.status_code == 200, path
    assert AccessLogEntry.objects.count() == before + 1, path
    entry = AccessLogEntry.objects.order_by("-id").first()
    assert entry is not None
    assert (entry.owner, entry.viewer) == (world["owner"], provider)
