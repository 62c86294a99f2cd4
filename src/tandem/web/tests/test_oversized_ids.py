"""Every route of the URL inventory answers 404, never 500, for an id no database can hold.

The routes are found by walking the URLconf, so a page added later is checked without anyone
listing it here. Each is requested with GET and POST by an anonymous visitor, a service user,
a provider, a moderator and an organisation admin.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tandem.accounts.models import Role, User
from tandem.conftest import login_client
from tandem.core.converters import MAX_ID

pytestmark = pytest.mark.django_db

PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
# A well-formed id that matches nothing may redirect here, on purpose: a safety follow-up's
# "my crisis plan" link still leads to the person's own crisis plan when the response it was
# made for is gone (questionnaires/views/follow_up.py); the id is not looked up for anyone
# else, so the answer says nothing about whose it is.
REDIRECTS_ON_PURPOSE = {"questionnaires/responses/<id:response_id>/follow-up/plan/"}
SAMPLES = {"str": "x", "slug": "x", "uuid": "00000000-0000-4000-8000-000000000000", "path": "x"}


def _walk(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def routes_with_ids() -> list[str]:
    return sorted({route for route in _walk(get_resolver().url_patterns) if "<id:" in route})


def _fill(route: str, number: int) -> str:
    def sample(match: re.Match[str]) -> str:
        converter = match.group(1) or "str"
        return str(number) if converter in {"id", "int"} else SAMPLES[converter]

    path = PARAMETER.sub(sample, route)
    return "/" + path.lstrip("^").rstrip("$")


def test_every_id_in_our_urls_uses_the_bounded_converter() -> None:
    routes = list(_walk(get_resolver().url_patterns))
    ours = [r for r in routes if not r.startswith("accounts/")]
    assert not [r for r in ours if "<int:" in r]
    assert len(routes_with_ids()) >= 40


@pytest.mark.parametrize("number", [10**20, MAX_ID])
def test_every_route_answers_404_for_an_id_too_large_or_missing(
    number: int, make_member: Callable[..., User]
) -> None:
    people = [
        make_member(Role.SERVICE_USER, pseudonym="Skylark", email="sam@example.org"),
        make_member(Role.PROVIDER, totp=True, pseudonym="Pat", email="pat@example.org"),
        make_member(Role.MODERATOR, totp=True, pseudonym="Mo", email="mo@example.org"),
        make_member(Role.ORG_ADMIN, totp=True, pseudonym="Ada", email="ada@example.org"),
    ]
    clients = [Client(), *(login_client(Client(), person) for person in people)]
    failures = []
    for route in routes_with_ids():
        path = _fill(route, number)
        for client in clients:
            for method in (client.get, client.post):
                status = method(path).status_code
                # Anonymous visitors are sent to log in first (nothing is looked up); a
                # well-formed id may meet a view's 405 (wrong method) before any lookup.
                allowed = {404, 302} | ({405} if number <= MAX_ID else set())
                if status not in allowed:
                    failures.append(f"{method.__name__.upper()} {path}: {status}")
                if (
                    status == 302
                    and client is not clients[0]
                    and not (route in REDIRECTS_ON_PURPOSE and number <= MAX_ID)
                ):
                    failures.append(f"{method.__name__.upper()} {path}: redirect")
    assert not failures, "\n".join(failures)
