"""Messages through the API: the thread gate's matrix (the cases of
``messaging/tests/test_views.py``), the access log for a provider's read, idempotent sending."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tandem.accounts.models import Role, User
from tandem.api.tests.conftest import ApiClient, token_for
from tandem.care import services as care_services
from tandem.care.models import AccessedData, AccessLogEntry, CareRelationship
from tandem.messaging.models import MESSAGE_MAX_LENGTH, Message, Thread
from tandem.messaging.tests.factories import MessageFactory, thread_between
from tandem.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(relationship: CareRelationship, service_user: User, provider: User) -> Thread:
    return thread_between(service_user, provider)


def _send(client: ApiClient, thread: Thread, body: str = "Hello", key: str | None = None) -> Any:
    return client.post_json(
        f"/api/v1/threads/{thread.pk}/messages",
        {"body": body, "client_key": key or str(uuid.uuid4())},
    )


# Who, and whether they may read and write: the thread page's matrix.
MATRIX = {
    "service user": (lambda f: f["service_user"], True, True),
    "provider": (lambda f: f["provider"], True, True),
    "other service user": (lambda f: f["make_member"](Role.SERVICE_USER), False, False),
    "unassigned provider": (lambda f: f["make_member"](Role.PROVIDER, totp=True), False, False),
    "moderator": (lambda f: f["make_member"](Role.MODERATOR, totp=True), False, False),
    "researcher": (lambda f: f["make_member"](Role.RESEARCHER, totp=True), False, False),
}


@pytest.mark.parametrize("who", MATRIX)
def test_thread_permission_matrix_over_the_api(
    who: str,
    thread: Thread,
    service_user: User,
    provider: User,
    make_member: Callable[..., User],
) -> None:
    make, can_read, can_write = MATRIX[who]
    viewer = make({"service_user": service_user, "provider": provider, "make_member": make_member})
    MessageFactory.create(thread=thread, body="Private words")
    client = ApiClient(token_for(viewer))
    read = client.get(f"/api/v1/threads/{thread.pk}")
    assert read.status_code == (200 if can_read else 404)
    assert ("Private words" in read.content.decode()) is can_read
    sent = _send(client, thread)
    assert sent.status_code == (201 if can_write else 404)
    assert Message.objects.count() == (2 if can_write else 1)
    inbox = client.get("/api/v1/threads").json()
    assert ([t["id"] for t in inbox["items"]] == [thread.pk]) is can_read


def test_anonymous_gets_401(thread: Thread) -> None:
    client = ApiClient("nothing")
    assert client.get("/api/v1/threads").status_code == 401
    assert client.get(f"/api/v1/threads/{thread.pk}").status_code == 401
    assert _send(client, thread).status_code == 401
    assert not Message.objects.exists()


def test_a_providers_read_is_in_the_access_log_and_marks_the_thread_read(
    thread: Thread, service_user: User, provider: User
) -> None:
    message = MessageFactory.create(thread=thread, body="How are you?")
    response = ApiClient(token_for(provider)).get(f"/api/v1/threads/{thread.pk}")
    body = response.json()
    assert [m["body"] for m in body["messages"]] == ["How are you?"]
    assert body["messages"][0]["body_html"] == "<p>How are you?</p>\n"
    assert body["thread"]["others"] == [service_user.get_full_name()]
    entry = AccessLogEntry.objects.get()
    assert (entry.owner_id, entry.viewer_id, entry.module) == (
        service_user.pk,
        provider.pk,
        AccessedData.MESSAGES,
    )
    assert thread.participants.get(user=provider).last_read_message_id == message.pk


def test_sending_twice_with_one_key_stores_one_message(thread: Thread, service_user: User) -> None:
    client = ApiClient(token_for(service_user))
    key = str(uuid.uuid4())
    first = _send(client, thread, "Hello there", key)
    again = _send(client, thread, "Hello there", key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["message"]["id"] == again.json()["message"]["id"]
    assert again.json()["created"] is False
    assert Message.objects.count() == 1
    assert Notification.objects.count() == 1  # the provider is told once


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": "   ", "client_key": str(uuid.uuid4())}, "body"),
        ({"body": "\u200b\u200b", "client_key": str(uuid.uuid4())}, "body"),
    ],
)
def test_bad_messages_are_refused_with_the_field_named(
    payload: dict[str, str], field: str, thread: Thread, service_user: User
) -> None:
    response = ApiClient(token_for(service_user)).post_json(
        f"/api/v1/threads/{thread.pk}/messages", payload
    )
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Message.objects.exists()


def test_an_over_long_message_is_refused_by_the_schema_with_the_field_named(
    thread: Thread, service_user: User
) -> None:
    response = ApiClient(token_for(service_user)).post_json(
        f"/api/v1/threads/{thread.pk}/messages",
        {"body": "x" * (MESSAGE_MAX_LENGTH + 1), "client_key": str(uuid.uuid4())},
    )
    assert response.status_code == 422
    assert "10000" in response.json()["fields"]["body"][0]
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    "payload", [{}, {"body": "Hi"}, {"body": "Hi", "client_key": "not-a-uuid"}, [], "text"]
)
def test_malformed_bodies_are_422(payload: object, thread: Thread, service_user: User) -> None:
    response = ApiClient(token_for(service_user)).post_json(
        f"/api/v1/threads/{thread.pk}/messages", payload
    )
    assert response.status_code in (400, 422)
    assert response.json()["code"] in ("malformed", "invalid")


def test_after_the_relationship_ends_the_provider_reads_but_may_not_write(
    thread: Thread, service_user: User, provider: User, relationship: CareRelationship
) -> None:
    MessageFactory.create(thread=thread, body="Before the end")
    care_services.end_relationship(actor=service_user, relationship=relationship)
    client = ApiClient(token_for(provider))
    read = client.get(f"/api/v1/threads/{thread.pk}").json()
    assert read["may_write"] is False and read["read_only_reason"]
    refused = _send(client, thread)
    assert refused.status_code == 403
    assert refused.json()["detail"] == read["read_only_reason"]
    assert Message.objects.count() == 1
