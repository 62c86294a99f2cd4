"""The live socket, at unit level through Channels' WebsocketCommunicator and the real ASGI
application (origin check, session authentication, routing)."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from django.conf import settings
from django.test import Client, override_settings

from tandem.accounts.models import User
from tandem.asgi import application
from tandem.messaging import services
from tandem.messaging.consumers import CLOSE_TOO_MANY
from tandem.messaging.models import Message, Thread
from tandem.messaging.tests.factories import MessageFactory
from tandem.messaging.tests.websocket import SocketCommunicator as WebsocketCommunicator
from tandem.settings import redis_channel_layer

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 3


def session_cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def communicator(user: User | None, origin: str = "http://localhost") -> WebsocketCommunicator:
    headers = [(b"origin", origin.encode()), (b"host", b"localhost")]
    if user is not None:
        headers.append((b"cookie", session_cookie(user).encode()))
    return WebsocketCommunicator(application, "/ws/messaging/", headers=headers)


def run(coroutine: Callable[[], Awaitable[None]]) -> None:
    async_to_sync(coroutine)()


async def receive(socket: WebsocketCommunicator, kind: str | None = None) -> dict[str, Any]:
    """The next frame (of ``kind``, skipping others)."""
    while True:
        frame: dict[str, Any] = json.loads(await socket.receive_from(timeout=TIMEOUT))
        if kind is None or frame["type"] == kind:
            return frame


def test_anonymous_socket_is_refused() -> None:
    async def scenario() -> None:
        socket = communicator(None)
        connected, _ = await socket.connect()
        assert not connected

    run(scenario)


def test_socket_from_another_origin_is_refused(service_user: User) -> None:
    async def scenario() -> None:
        socket = communicator(service_user, origin="https://evil.example")
        connected, _ = await socket.connect()
        assert not connected

    run(scenario)


def test_subscribe_sends_everything_after_the_last_id_seen(
    thread: Thread, service_user: User, provider: User
) -> None:
    first = MessageFactory.create(thread=thread, sender=service_user, body="first")
    second = MessageFactory.create(thread=thread, sender=service_user, body="second **bold**")

    async def scenario() -> None:
        socket = communicator(provider)
        assert (await socket.connect())[0]
        assert (await receive(socket)) == {"type": "unread", "count": 2}
        await socket.send_to(
            text_data=json.dumps({"type": "subscribe", "thread": thread.pk, "after": first.pk})
        )
        assert (await receive(socket))["type"] == "subscribed"
        frame = await receive(socket, "messages")
        assert [m["id"] for m in frame["messages"]] == [second.pk]
        assert "<strong>bold</strong>" in frame["messages"][0]["html"]
        await socket.disconnect()

    run(scenario)


@pytest.mark.parametrize(
    "who", ["other_service_user", "unassigned_provider", "moderator", "researcher"]
)
def test_socket_cannot_subscribe_to_a_thread_its_user_may_not_read(
    thread: Thread, service_user: User, request: pytest.FixtureRequest, who: str
) -> None:
    MessageFactory.create(thread=thread, sender=service_user, body="private")
    user = request.getfixturevalue(who)

    async def scenario() -> None:
        socket = communicator(user)
        assert (await socket.connect())[0]
        await receive(socket, "unread")
        await socket.send_to(text_data=json.dumps({"type": "subscribe", "thread": thread.pk}))
        frame = await receive(socket)
        assert frame["type"] == "error" and frame["code"] == "not_found"
        # A message sent now does not reach this socket.
        await database_sync_to_async(_send_committed)(service_user, thread, "still private")
        assert await socket.receive_nothing(timeout=0.5)
        await socket.disconnect()

    run(scenario)


def _send_committed(sender: User, thread: Thread, body: str) -> Message:
    # Run on the consumer's database thread (database_sync_to_async), as a page would run it in
    # its own process: committed, then published on the channel layer.
    result = services.send_message(sender=sender, thread=thread, body=body, client_key=uuid.uuid4())
    return result.message


def test_a_new_message_arrives_live_and_the_unread_count_changes(
    thread: Thread, service_user: User, provider: User
) -> None:
    async def scenario() -> None:
        socket = communicator(provider)
        assert (await socket.connect())[0]
        assert (await receive(socket, "unread"))["count"] == 0
        await socket.send_to(
            text_data=json.dumps({"type": "subscribe", "thread": thread.pk, "after": 0})
        )
        await receive(socket, "subscribed")
        message = await database_sync_to_async(_send_committed)(
            service_user, thread, "Are you there?"
        )
        frame = await receive(socket, "messages")
        assert frame["messages"][0]["id"] == message.pk
        assert "Are you there?" in frame["messages"][0]["html"]
        assert (await receive(socket, "unread"))["count"] == 1
        await socket.send_to(
            text_data=json.dumps({"type": "read", "thread": thread.pk, "up_to": message.pk})
        )
        assert (await receive(socket, "unread"))["count"] == 0
        await socket.disconnect()

    run(scenario)


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json", "bad_json"),
        ("[1, 2]", "bad_frame"),
        ('{"type": "explode"}', "unknown_type"),
        ('{"type": "subscribe", "thread": "1; DROP TABLE"}', "bad_frame"),
        ('{"type": "subscribe", "thread": -1}', "bad_frame"),
        ('{"type": "read", "thread": 1, "up_to": 5}', "bad_frame"),
        ('{"type": "subscribe", "thread": 999999}', "not_found"),
        ('{"type": "ping", "pad": "' + "x" * 5000 + '"}', "too_long"),
        # 2,000 characters of brackets: Python's parser raised RecursionError, which ended the
        # socket's handler.
        ("[" * 1000 + "]" * 1000, "too_deep"),
        ('{"type": "ping", "a": ' + '{"b": ' * 20 + "1" + "}" * 20 + "}", "too_deep"),
    ],
)
def test_malformed_frames_get_an_error_and_the_socket_survives(
    service_user: User, thread: Thread, frame: str, code: str
) -> None:
    async def scenario() -> None:
        socket = communicator(service_user)
        assert (await socket.connect())[0]
        await receive(socket, "unread")
        await socket.send_to(text_data=frame)
        reply = await receive(socket)
        assert reply["type"] == "error" and reply["code"] == code, reply
        await socket.send_to(bytes_data=b"\x00\xff")
        assert (await receive(socket))["code"] == "bad_frame"
        await socket.send_to(text_data='{"type": "ping"}')
        assert (await receive(socket)) == {"type": "pong"}
        await socket.disconnect()

    run(scenario)


def test_brackets_inside_strings_do_not_count_as_nesting(service_user: User) -> None:
    async def scenario() -> None:
        socket = communicator(service_user)
        assert (await socket.connect())[0]
        await receive(socket, "unread")
        await socket.send_to(text_data=json.dumps({"type": "ping", "pad": "[{" * 300}))
        assert (await receive(socket)) == {"type": "pong"}
        await socket.disconnect()

    run(scenario)


@override_settings(TANDEM_WS_MAX_SOCKETS_PER_PERSON=2)
def test_sockets_past_the_cap_per_person_are_closed_with_4429_and_others_are_not(
    thread: Thread, service_user: User, provider: User
) -> None:
    async def scenario() -> None:
        tabs = [communicator(service_user) for _ in range(3)]
        for tab in tabs[:2]:
            assert (await tab.connect())[0]
            await receive(tab, "unread")
        # The third is accepted only to be told why it closes.
        assert (await tabs[2].connect())[0]
        closed = await tabs[2].receive_output(TIMEOUT)
        assert closed["type"] == "websocket.close" and closed["code"] == CLOSE_TOO_MANY
        assert "Too many" in closed["reason"]
        # Someone else is not affected, nor are the first two.
        other = communicator(provider)
        assert (await other.connect())[0]
        await receive(other, "unread")
        for socket in (*tabs[:2], other):
            await socket.send_to(text_data='{"type": "ping"}')
            assert (await receive(socket, "pong")) == {"type": "pong"}
        # Closing a tab frees its place.
        await tabs[0].disconnect()
        again = communicator(service_user)
        assert (await again.connect())[0]
        await receive(again, "unread")
        for socket in (tabs[1], other, again):
            await socket.disconnect()

    run(scenario)


def test_a_client_sent_user_id_is_ignored(
    thread: Thread, service_user: User, other_service_user: User
) -> None:
    async def scenario() -> None:
        socket = communicator(other_service_user)
        assert (await socket.connect())[0]
        await receive(socket, "unread")
        await socket.send_to(
            text_data=json.dumps(
                {"type": "subscribe", "thread": thread.pk, "user": service_user.pk}
            )
        )
        assert (await receive(socket))["code"] == "not_found"
        await socket.disconnect()

    run(scenario)


@pytest.mark.redis
def test_live_delivery_through_the_redis_channel_layer(
    thread: Thread, service_user: User, provider: User
) -> None:
    url = os.environ.get("TANDEM_TEST_REDIS_URL")
    if not url:
        pytest.skip(
            "TANDEM_TEST_REDIS_URL is not set (scripts/pytest.sh sets it when Redis answers)"
        )
    # The project's own layer settings, so a client default that breaks idle sockets shows.
    layers = {"default": redis_channel_layer(url, prefix=f"tandem-test-{uuid.uuid4().hex[:8]}")}
    with override_settings(CHANNEL_LAYERS=layers):
        channel_layers.backends.clear()

        async def scenario() -> None:
            socket = communicator(provider)
            assert (await socket.connect())[0]
            await receive(socket, "unread")
            await socket.send_to(text_data=json.dumps({"type": "subscribe", "thread": thread.pk}))
            await receive(socket, "subscribed")
            # Idle for longer than redis-py's default 5 s read timeout: the socket must survive.
            await asyncio.sleep(6.5)
            await socket.send_to(text_data='{"type": "ping"}')
            assert (await receive(socket, "pong")) == {"type": "pong"}
            message = await database_sync_to_async(_send_committed)(
                service_user, thread, "via Redis"
            )
            frame = await receive(socket, "messages")
            assert frame["messages"][0]["id"] == message.pk
            await socket.disconnect()

        run(scenario)
    channel_layers.backends.clear()
