"""A provider's read of a care thread is in the service user's access log; a refused read of
someone else's thread is one security event."""

from __future__ import annotations

import pytest
from django.test import Client

from tandem.accounts.models import User
from tandem.care.models import AccessedData, AccessLogEntry, Outcome, SecurityEvent
from tandem.conftest import login_client
from tandem.core.request_id import HEADER
from tandem.messaging.models import Thread

pytestmark = pytest.mark.django_db


def test_a_provider_reading_a_thread_leaves_one_allowed_record(
    client: Client, thread: Thread, provider: User
) -> None:
    login_client(client, provider)
    response = client.get(f"/messages/{thread.pk}/")
    assert response.status_code == 200
    entry = AccessLogEntry.objects.get()
    assert (entry.owner_id, entry.viewer_id, entry.module, entry.outcome) == (
        thread.service_user_id,
        provider.pk,
        AccessedData.MESSAGES,
        Outcome.ALLOWED,
    )
    assert entry.request_id == response[HEADER]
    assert not SecurityEvent.objects.exists()


def test_the_service_user_reading_their_own_thread_leaves_nothing(
    client: Client, thread: Thread, service_user: User
) -> None:
    login_client(client, service_user)
    assert client.get(f"/messages/{thread.pk}/").status_code == 200
    assert not AccessLogEntry.objects.exists()
    assert not SecurityEvent.objects.exists()


@pytest.mark.parametrize("who", ["unassigned_provider", "other_service_user"])
def test_a_refused_thread_read_leaves_one_security_event_and_no_log_entry(
    client: Client, thread: Thread, request: pytest.FixtureRequest, who: str
) -> None:
    stranger = request.getfixturevalue(who)
    login_client(client, stranger)
    response = client.get(f"/messages/{thread.pk}/?before=5")
    assert response.status_code == 404
    event = SecurityEvent.objects.get()
    assert (event.viewer_id, event.owner_id, event.what) == (
        stranger.pk,
        thread.service_user_id,
        AccessedData.MESSAGES,
    )
    assert event.path == f"/messages/{thread.pk}/"
    assert event.request_id == response[HEADER]
    assert not AccessLogEntry.objects.exists()


def test_replying_is_not_a_second_read(client: Client, thread: Thread, provider: User) -> None:
    login_client(client, provider)
    client.get(f"/messages/{thread.pk}/")
    client.post(f"/messages/{thread.pk}/reply/", {"body": "Hello", "client_key": ""})
    assert AccessLogEntry.objects.count() == 1
