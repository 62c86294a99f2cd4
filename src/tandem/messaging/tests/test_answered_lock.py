"""A message that has been answered can no longer be edited or withdrawn: the reply answered
what it said. Before the answer, an edit shows "edited"; a refused edit keeps the typed text."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from tandem.accounts.models import User
from tandem.conftest import login_client
from tandem.messaging import services
from tandem.messaging.models import Message, Thread

pytestmark = pytest.mark.django_db


def _send(sender: User, thread: Thread, body: str) -> Message:
    return services.send_message(
        sender=sender, thread=thread, body=body, client_key=uuid.uuid4()
    ).message


def test_an_answered_message_cannot_be_edited_or_withdrawn(
    thread: Thread, service_user: User, provider: User
) -> None:
    question = _send(service_user, thread, "Can we move Tuesday?")
    _send(provider, thread, "Yes, Wednesday works.")
    with pytest.raises(PermissionDenied, match="answered"):
        services.edit_message(editor=service_user, message=question, body="Can we cancel?")
    with pytest.raises(PermissionDenied, match="answered"):
        services.withdraw_message(editor=service_user, message=question)
    question.refresh_from_db()
    assert question.body == "Can we move Tuesday?" and question.withdrawn_at is None


def test_a_second_message_of_ones_own_does_not_lock_the_first(
    thread: Thread, service_user: User
) -> None:
    first = _send(service_user, thread, "Tpyo")
    _send(service_user, thread, "And another thing")
    services.edit_message(editor=service_user, message=first, body="Typo")
    first.refresh_from_db()
    assert first.body == "Typo" and first.edited_at is not None


def test_the_thread_offers_no_edit_once_answered_and_shows_edited_before(
    client: Client, thread: Thread, service_user: User, provider: User
) -> None:
    login_client(client, service_user)
    mine = _send(service_user, thread, "Tpyo")
    edit_url = f"/messages/{thread.pk}/{mine.pk}/edit/"
    assert edit_url in client.get(f"/messages/{thread.pk}/").content.decode()
    assert client.post(edit_url, {"body": "Typo"}).status_code == 302
    assert b"edited" in client.get(f"/messages/{thread.pk}/").content

    _send(provider, thread, "Thanks")
    page = client.get(f"/messages/{thread.pk}/").content.decode()
    assert edit_url not in page
    assert f"/messages/{thread.pk}/{mine.pk}/withdraw/" not in page


def test_an_edit_refused_because_answered_keeps_the_typed_text(
    client: Client, thread: Thread, service_user: User, provider: User
) -> None:
    login_client(client, service_user)
    mine = _send(service_user, thread, "See you at 3")
    _send(provider, thread, "See you then")
    response = client.post(f"/messages/{thread.pk}/{mine.pk}/edit/", {"body": "Actually 4 o'clock"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "has been answered" in page
    assert "Actually 4 o&#x27;clock" in page  # waiting in the reply box to send as new
    assert client.post(f"/messages/{thread.pk}/{mine.pk}/withdraw/").status_code == 403
