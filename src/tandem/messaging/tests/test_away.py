"""The away page: only providers reach it, an away period that has ended is refused, and an
empty cover list says why and how to fix it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.conftest import login_client
from tandem.messaging.models import ProviderAway

pytestmark = pytest.mark.django_db


def _local(delta: timedelta) -> str:
    # The form reads the time in the organisation's time zone (Europe/London by default).
    return (timezone.localtime() + delta).strftime("%Y-%m-%dT%H:%M")


def test_a_service_user_does_not_reach_the_away_page(service_user: User) -> None:
    client = login_client(Client(), service_user)
    response = client.get("/messages/away/")
    assert response.status_code in {403, 404}
    assert b'name="away_until"' not in response.content
    assert client.post(
        "/messages/away/", {"away_until": _local(timedelta(days=1))}
    ).status_code in {
        403,
        404,
    }
    assert not ProviderAway.objects.exists()
    assert b"/messages/away/" not in client.get("/messages/").content


def test_an_away_period_that_has_ended_is_refused(provider: User) -> None:
    client = login_client(Client(), provider)
    response = client.post("/messages/away/", {"away_until": _local(-timedelta(hours=3))})
    assert response.status_code == 400
    assert "Choose a time in the future" in response.content.decode()
    assert not ProviderAway.objects.exists()
    old = client.post("/messages/away/", {"away_until": "2001-01-01T09:00"})
    assert old.status_code == 400
    assert not ProviderAway.objects.exists()


def test_an_empty_cover_list_says_why_and_how_to_fix_it(provider: User) -> None:
    client = login_client(Client(), provider)
    page = client.get("/messages/away/").content.decode()
    assert "Nobody can cover for you yet" in page
    assert "organisation admin" in page


def test_a_colleague_shows_in_the_cover_list_without_the_explanation(
    provider: User, make_member: Callable[..., User]
) -> None:
    colleague = make_member(Role.PROVIDER, totp=True, full_name="Casey Cover")
    client = login_client(Client(), provider)
    page = client.get("/messages/away/").content.decode()
    assert "Nobody can cover for you yet" not in page
    assert f'value="{colleague.pk}"' in page
