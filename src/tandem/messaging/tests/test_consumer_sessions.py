"""A live socket lasts no longer than the session it was opened with, and sockets of one
process share their reads without sharing what a person may see."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import timedelta
from importlib import import_module
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from tandem.accounts import services as account_services
from tandem.accounts.middleware import SEEN_AT_KEY
from tandem.accounts.models import Role, User
from tandem.conftest import login_client
from tandem.messaging import events, socket_session
from tandem.messaging.consumers import (
    CLOSE_TWO_STEP_REQUIRED,
    CLOSE_UNAUTHENTICATED,
    CLOSE_UNVERIFIED,
    SharedReads,
)
from tandem.messaging.consumers import connection as consumer_connection
from tandem.messaging.models import Participant, Side, Thread
from tandem.messaging.tests.test_consumers import _send_committed, receive, run
from tandem.messaging.tests.websocket import SocketCommunicator

pytestmark = pytest.mark.django_db(transaction=True)


def logged_in_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def socket_for(client: Client) -> SocketCommunicator:
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    headers = [
        (b"origin", b"http://localhost"),
        (b"host", b"localhost"),
        (b"cookie", cookie.encode()),
    ]
    return SocketCommunicator(_application(), "/ws/messaging/", headers=headers)


def _application() -> Any:
    from tandem.asgi import application

    return application


async def expect_closed(socket: SocketCommunicator, code: int) -> None:
    """The socket says why, then closes with ``code``."""
    frame = await receive(socket, "closed")
    assert frame["reason"] in {"session", "two_step"}
    output = await socket.receive_output(3)
    assert output == {"type": "websocket.close", "code": code}


async def still_open(socket: SocketCommunicator) -> None:
    await socket.send_to(text_data='{"type": "ping"}')
    assert (await receive(socket, "pong")) == {"type": "pong"}


def _age_session(client: Client, minutes: int) -> None:
    engine = import_module(settings.SESSION_ENGINE)
    store = engine.SessionStore(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)
    store[SEEN_AT_KEY] = (timezone.now() - timedelta(minutes=minutes)).isoformat()
    store.save()


def test_logging_out_closes_that_sessions_sockets_and_no_others(service_user: User) -> None:
    leaving, staying = logged_in_client(service_user), logged_in_client(service_user)

    async def scenario() -> None:
        leaving_socket, staying_socket = socket_for(leaving), socket_for(staying)
        assert (await leaving_socket.connect())[0]
        assert (await staying_socket.connect())[0]
        await receive(leaving_socket, "unread")
        await receive(staying_socket, "unread")
        response = await database_sync_to_async(leaving.post)("/accounts/logout/")
        assert response.status_code == 302
        await expect_closed(leaving_socket, CLOSE_UNAUTHENTICATED)
        await still_open(staying_socket)
        await staying_socket.disconnect()

    run(scenario)


def test_ending_every_session_closes_every_socket(service_user: User) -> None:
    # Through the login form: allauth records the session there (what "log out everywhere" ends).
    client = login_client(Client(), service_user)

    async def scenario() -> None:
        socket = socket_for(client)
        assert (await socket.connect())[0]
        await receive(socket, "unread")
        await database_sync_to_async(account_services.end_all_sessions)(user=service_user)
        await expect_closed(socket, CLOSE_UNAUTHENTICATED)

    run(scenario)


def test_a_socket_of_an_idle_session_is_refused_and_an_open_one_closes(
    service_user: User,
) -> None:
    idle, active = logged_in_client(service_user), logged_in_client(service_user)
    _age_session(idle, minutes=31)

    async def scenario() -> None:
        connected, code = await socket_for(idle).connect()
        assert (connected, code) == (False, CLOSE_UNAUTHENTICATED)

        socket = socket_for(active)
        assert (await socket.connect())[0]
        await receive(socket, "unread")
        await still_open(socket)
        await database_sync_to_async(_age_session)(active, 31)
        # The periodic check would find it within a minute; an event makes it check now.
        await database_sync_to_async(events.publish_session_check)(user_id=service_user.pk)
        await expect_closed(socket, CLOSE_UNAUTHENTICATED)

    run(scenario)


def _seen(client: Client, *, idle_in_seconds: float) -> None:
    """Make the session go idle ``idle_in_seconds`` from now."""
    engine = import_module(settings.SESSION_ENGINE)
    store = engine.SessionStore(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)
    seen = timezone.now() - settings.TANDEM_IDLE_TIMEOUT + timedelta(seconds=idle_in_seconds)
    store[SEEN_AT_KEY] = seen.isoformat()
    store.save()


async def _database_away(*args: Any, **kwargs: Any) -> Any:
    raise OperationalError("unable to open database file")


def test_a_socket_whose_session_cannot_be_checked_still_closes_at_its_time_limit(
    service_user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = logged_in_client(service_user)
    _seen(client, idle_in_seconds=1.5)

    async def scenario() -> None:
        socket = socket_for(client)
        assert (await socket.connect())[0]
        await receive(socket, "unread")
        # The database goes away before the check at the idle limit: the check fails (it used
        # to end the watch for good, leaving the socket open past every limit).
        monkeypatch.setattr(consumer_connection, "session_state", _database_away)
        frame = json.loads(await socket.receive_from(timeout=6))
        assert frame == {"type": "closed", "reason": "unverified"}
        output = await socket.receive_output(3)
        assert output == {"type": "websocket.close", "code": CLOSE_UNVERIFIED}

    run(scenario)


def test_a_failed_session_check_is_tried_again(
    service_user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    leaving = logged_in_client(service_user)
    real_state = socket_session.session_state
    failures: list[int] = []

    async def flaky_state(*args: Any, **kwargs: Any) -> Any:
        if len(failures) < 2:
            failures.append(1)
            raise OperationalError("database is locked")
        return await real_state(*args, **kwargs)

    monkeypatch.setattr(consumer_connection, "SESSION_RETRY_SECONDS", 0.2)

    async def scenario() -> None:
        socket = socket_for(leaving)
        assert (await socket.connect())[0]
        await receive(socket, "unread")
        monkeypatch.setattr(consumer_connection, "session_state", flaky_state)
        # Logging out asks the socket to check at once: two checks fail, the third closes it.
        response = await database_sync_to_async(leaving.post)("/accounts/logout/")
        assert response.status_code == 302
        await expect_closed(socket, CLOSE_UNAUTHENTICATED)
        assert len(failures) == 2

    run(scenario)


def test_staff_without_two_step_verification_get_no_socket(
    make_member: Callable[..., User],
) -> None:
    provider_without_mfa = make_member(Role.PROVIDER, pseudonym="Nia", email="nia@example.org")
    client = logged_in_client(provider_without_mfa)

    async def scenario() -> None:
        connected, code = await socket_for(client).connect()
        assert (connected, code) == (False, CLOSE_TWO_STEP_REQUIRED)

    run(scenario)


def test_a_person_taken_out_of_a_thread_gets_nothing_from_the_shared_read(
    thread: Thread, service_user: User, make_member: Callable[..., User]
) -> None:
    """Both sockets share one read of the new message; only the one still in the thread
    receives it."""
    colleague = make_member(Role.PROVIDER, totp=True, pseudonym="Ren", email="ren@example.org")
    Participant.objects.create(thread=thread, user=colleague, side=Side.CARE_TEAM)
    owner_client, provider_client = logged_in_client(service_user), logged_in_client(colleague)

    async def scenario() -> None:
        owner, removed = socket_for(owner_client), socket_for(provider_client)
        for socket in (owner, removed):
            assert (await socket.connect())[0]
            await receive(socket, "unread")
            await socket.send_to(text_data=json.dumps({"type": "subscribe", "thread": thread.pk}))
            await receive(socket, "subscribed")
        await database_sync_to_async(
            Participant.objects.filter(thread=thread, user=colleague).delete
        )()
        message = await database_sync_to_async(_send_committed)(service_user, thread, "Only me")
        frame = await receive(owner, "messages")
        assert [m["id"] for m in frame["messages"]] == [message.pk]
        assert await removed.receive_nothing(timeout=0.5)
        await owner.disconnect()
        await removed.disconnect()

    run(scenario)


def test_shared_reads_read_once_per_key_and_never_keep_a_failure() -> None:
    calls: list[str] = []

    async def scenario() -> None:
        reads = SharedReads(ttl=60)

        async def slow(value: str) -> str:
            calls.append(value)
            await asyncio.sleep(0.01)
            return value

        results = await asyncio.gather(*(reads.get(("k",), lambda: slow("a")) for _ in range(50)))
        assert results == ["a"] * 50 and calls == ["a"]
        assert await reads.get(("k",), lambda: slow("b")) == "a"  # Kept for the ttl.
        assert await reads.get(("other",), lambda: slow("c")) == "c"

        async def broken() -> str:
            calls.append("broken")
            raise RuntimeError("database went away")

        with pytest.raises(RuntimeError):
            await reads.get(("flaky",), broken)
        assert await reads.get(("flaky",), lambda: slow("d")) == "d"  # Tried again.

        expired = SharedReads(ttl=0)
        assert await expired.get(("k",), lambda: slow("e")) == "e"
        assert await expired.get(("k",), lambda: slow("f")) == "f"

    asyncio.run(scenario())
    assert calls == ["a", "c", "broken", "d", "e", "f"]
