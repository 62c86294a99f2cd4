"""Sending is limited per person and hour: past the limit a 429 with the typed text kept; a
retry of a message already stored is never refused; the limit lifts as the hour passes."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.test import Client, override_settings
from django.utils import timezone

from tandem.accounts.models import User
from tandem.conftest import login_client
from tandem.messaging import services
from tandem.messaging.models import Message, Thread

pytestmark = pytest.mark.django_db


def _send(client: Client, thread: Thread, body: str, key: uuid.UUID) -> int:
    response = client.post(f"/messages/{thread.pk}/reply/", {"body": body, "client_key": str(key)})
    return response.status_code


@override_settings(TANDEM_MESSAGES_PER_HOUR=3)
def test_past_the_hourly_limit_a_message_is_refused_with_429_and_kept(
    thread: Thread, service_user: User
) -> None:
    client = login_client(Client(), service_user)
    keys = [uuid.uuid4() for _ in range(3)]
    assert [_send(client, thread, f"Message {n}", key) for n, key in enumerate(keys)] == [302] * 3
    response = client.post(
        f"/messages/{thread.pk}/reply/",
        {"body": "One more, typed carefully", "client_key": str(uuid.uuid4())},
    )
    assert response.status_code == 429
    html = response.content.decode()
    assert "messages in the last hour" in html and "One more, typed carefully" in html
    assert Message.objects.filter(sender=service_user).count() == 3
    # A retry of a message already stored is answered as before, never refused.
    assert _send(client, thread, "Message 0", keys[0]) == 302
    # An hour later the limit has lifted.
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        assert _send(client, thread, "Later", uuid.uuid4()) == 302


@override_settings(TANDEM_MESSAGES_PER_HOUR=1)
def test_the_limit_is_per_person(thread: Thread, service_user: User, provider: User) -> None:
    services.send_message(sender=service_user, thread=thread, body="Hi", client_key=uuid.uuid4())
    with pytest.raises(services.SendingLimitError):
        services.send_message(
            sender=service_user, thread=thread, body="Again", client_key=uuid.uuid4()
        )
    result = services.send_message(
        sender=provider, thread=thread, body="Hello", client_key=uuid.uuid4()
    )
    assert result.created
