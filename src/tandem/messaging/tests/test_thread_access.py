"""What the thread gate returns: the thread and whether the person may write in it, so the
reply is sent without asking again."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tandem.accounts.models import User
from tandem.care import services as care_services
from tandem.care.models import CareRelationship
from tandem.conftest import login_client
from tandem.messaging import access, services
from tandem.messaging.models import Message, Thread

pytestmark = pytest.mark.django_db


def test_the_gate_says_who_may_write(
    thread: Thread, provider: User, service_user: User, relationship: CareRelationship
) -> None:
    for person in (provider, service_user):
        seen = access.get_thread_access_for_user(person, thread.pk)
        assert (seen.thread, seen.may_write, seen.read_only_reason) == (thread, True, "")
    care_services.end_relationship(actor=service_user, relationship=relationship)
    seen = access.get_thread_access_for_user(provider, thread.pk)
    assert not seen.may_write
    assert seen.read_only_reason == access.read_only_reason(provider, thread)
    assert "read-only" in seen.read_only_reason


def test_sending_with_a_refusing_answer_stores_nothing(
    thread: Thread, provider: User, service_user: User, relationship: CareRelationship
) -> None:
    care_services.end_relationship(actor=service_user, relationship=relationship)
    seen = access.get_thread_access_for_user(provider, thread.pk)
    with pytest.raises(PermissionDenied):
        services.send_message(
            sender=provider, thread=thread, body="Hello", client_key=uuid.uuid4(), checked=seen
        )
    assert not Message.objects.exists()


def test_an_answer_for_someone_else_is_not_accepted(
    thread: Thread, provider: User, service_user: User
) -> None:
    seen = access.get_thread_access_for_user(service_user, thread.pk)
    with pytest.raises(ValueError, match="another sender"):
        services.send_message(
            sender=provider, thread=thread, body="Hello", client_key=uuid.uuid4(), checked=seen
        )


def test_a_reply_reads_the_participants_once(
    client: Client, thread: Thread, provider: User
) -> None:
    login_client(client, provider)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            f"/messages/{thread.pk}/reply/", {"body": "Hello", "client_key": str(uuid.uuid4())}
        )
    assert response.status_code == 302
    participant_reads = [
        q
        for q in queries
        if 'FROM "messaging_participant"' in q["sql"]
        and q["sql"].lstrip().upper().startswith("SELECT")
        and "care_team" in q["sql"].lower()
    ]
    assert len(participant_reads) == 1
