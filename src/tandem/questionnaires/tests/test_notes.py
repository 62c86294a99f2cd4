"""The person's own notes on points of their trends: encrypted, theirs to edit, private unless
they share one, shown in the table and as the point's title."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client

from tandem.accounts.models import Role, User
from tandem.care.models import Level, Module
from tandem.conftest import login_client
from tandem.questionnaires.models import Response
from tandem.questionnaires.tests.factories import make_response
from tandem.toolbox.tests.factories import share_with

pytestmark = pytest.mark.django_db


def _note(client: Client, response: Response, text: str, shared: bool = False) -> int:
    data = {"note": text, **({"shared": "on"} if shared else {})}
    sent = client.post(f"/questionnaires/responses/{response.pk}/note/", data)
    return int(sent.status_code)


def test_the_owner_adds_a_note_shown_in_the_table_and_on_the_point_and_stored_encrypted(
    service_user: User, logged_in: Callable[[User], Client]
) -> None:
    response = make_response(service_user, "phq9", value=1)
    client = logged_in(service_user)
    assert _note(client, response, "  Started new medication  ") == 302
    response.refresh_from_db()
    assert (response.note, response.note_shared) == ("Started new medication", False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM questionnaires_response WHERE id = %s", [response.pk])
        (stored,) = cursor.fetchone()
    assert "medication" not in stored  # encrypted at rest
    html = client.get("/questionnaires/phq9/trends/").content.decode()
    assert "<td data-note>Started new medication</td>" in html
    assert "Note: Started new medication</title></circle>" in html
    result = client.get(f"/questionnaires/responses/{response.pk}/").content.decode()
    assert "Started new medication</textarea>" in result
    # Emptying it removes it, and an empty note is never shared.
    assert _note(client, response, "", shared=True) == 302
    response.refresh_from_db()
    assert (response.note, response.note_shared) == ("", False)


def test_a_too_long_note_is_refused_with_what_was_typed_kept(
    service_user: User, logged_in: Callable[[User], Client]
) -> None:
    response = make_response(service_user, "phq9")
    client = logged_in(service_user)
    typed = "x" * 281
    page = client.post(f"/questionnaires/responses/{response.pk}/note/", {"note": typed})
    assert page.status_code == 400
    html = page.content.decode()
    assert "There is a problem" in html and f"{typed}</textarea>" in html
    response.refresh_from_db()
    assert response.note == ""


def test_only_the_owner_edits_a_note(
    service_user: User,
    provider: User,
    make_member: Callable[..., User],
    logged_in: Callable[[User], Client],
    client_factory: Callable[[], Client],
) -> None:
    response = make_response(service_user, "phq9")
    share_with(provider, service_user, Module.QUESTIONNAIRES, level=Level.COMMENT)
    for someone in (make_member(Role.SERVICE_USER), provider):
        client = logged_in(someone)
        assert _note(client, response, "not mine") == 404
    path = f"/questionnaires/responses/{response.pk}/note/"
    assert client_factory().post(path, {"note": "x"}).status_code == 302  # to sign in
    assert logged_in(service_user).get(path).status_code == 405
    response.refresh_from_db()
    assert response.note == ""


def test_providers_see_a_note_only_when_the_owner_shared_it(
    service_user: User,
    provider: User,
    logged_in: Callable[[User], Client],
    client_factory: Callable[[], Client],
) -> None:
    private = make_response(service_user, "phq9", value=1)
    shared = make_response(service_user, "gad7", value=1)
    owner = logged_in(service_user)
    assert _note(owner, private, "Private thought") == 302
    assert _note(owner, shared, "Bad week at work", shared=True) == 302
    share_with(provider, service_user, Module.QUESTIONNAIRES, level=Level.VIEW)
    carer = login_client(client_factory(), provider)
    trends = carer.get(f"/people/{service_user.pk}/questionnaires/").content.decode()
    assert "Bad week at work" in trends and "Private thought" not in trends
    base = f"/people/{service_user.pk}/questionnaires/responses/"
    assert "Bad week at work" in carer.get(f"{base}{shared.pk}/").content.decode()
    assert "Private thought" not in carer.get(f"{base}{private.pk}/").content.decode()
