"""The API's own rate limit: per person, per clock minute, 429 with Retry-After past it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from pytest_django.fixtures import Settings

from tandem.accounts.models import User
from tandem.api.tests.conftest import ApiClient, token_for
from tandem.conftest import login_client

pytestmark = pytest.mark.django_db

# 12:00:45 UTC: 15 seconds are left of the minute.
CLOCK = datetime(2026, 12, 7, 12, 0, 45, tzinfo=UTC)


@pytest.fixture
def three_a_minute(settings: Settings) -> None:
    settings.TANDEM_API_REQUESTS_PER_MINUTE = 3


def test_past_the_limit_the_api_answers_429_with_retry_after_and_a_sentence(
    three_a_minute: None, service_user: User
) -> None:
    client = ApiClient(token_for(service_user))
    with time_machine.travel(CLOCK, tick=False):
        assert [client.get("/api/v1/me").status_code for _ in range(3)] == [200, 200, 200]
        refused = client.get("/api/v1/me")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/json; charset=utf-8"
    assert refused["Retry-After"] == "15"
    assert refused.json() == {
        "detail": "Too many requests: Tandem answers 3 requests a minute for one person. "
        "Try again in 15 seconds.",
        "code": "rate_limited",
        "fields": {},
    }


def test_the_limit_counts_every_token_and_the_session_of_one_person_and_starts_again_next_minute(
    three_a_minute: None, service_user: User, provider: User, client: Client
) -> None:
    phone, tablet = ApiClient(token_for(service_user)), ApiClient(token_for(service_user, "Tab"))
    with time_machine.travel(CLOCK, tick=False):
        browser = login_client(client, service_user)
        assert phone.get("/api/v1/me").status_code == 200
        assert tablet.get("/api/v1/me").status_code == 200
        assert browser.get("/api/v1/me").status_code == 200
        assert phone.get("/api/v1/threads").status_code == 429
        # Someone else is not held up by her.
        assert ApiClient(token_for(provider)).get("/api/v1/me").status_code == 200
    with time_machine.travel(CLOCK.replace(minute=1, second=0), tick=False):
        assert phone.get("/api/v1/me").status_code == 200


def test_requests_without_a_person_are_not_counted(
    three_a_minute: None, service_user: User
) -> None:
    with time_machine.travel(CLOCK, tick=False):
        for _ in range(5):
            assert ApiClient("tdm_wrong").get("/api/v1/me").status_code == 401
        assert ApiClient(token_for(service_user)).get("/api/v1/me").status_code == 200


def test_no_limit_when_the_setting_is_0(settings: Settings, service_user: User) -> None:
    settings.TANDEM_API_REQUESTS_PER_MINUTE = 0
    client = ApiClient(token_for(service_user))
    with time_machine.travel(CLOCK, tick=False):
        assert {client.get("/api/v1/me").status_code for _ in range(5)} == {200}
