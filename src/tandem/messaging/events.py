"""Live events over the channel layer, sent only after the data they announce is committed.

Events carry ids, never content: each socket reads what it may see from the database after the
event arrives, so nothing about a message passes through Redis, and a lost event loses nothing
(the next event, a poll or a reconnect asks for everything after the last id seen).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import uuid
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def thread_group(thread_id: int) -> str:
    return f"messaging.thread.{thread_id}"


def user_group(user_id: int) -> str:
    return f"messaging.user.{user_id}"


def _send(group: str, event: dict[str, Any]) -> None:
    _send_all([(group, event)])


class _Publisher:
    """One event loop per process, on its own thread, that publishes for synchronous code.

    ``async_to_sync`` from a page worker starts a new loop (and, with Redis, a new connection)
    for every call: tens of milliseconds, and hundreds for the first one, on the path of every
    live delivery. This loop and its layer connection live as long as the process.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid = 0

    def loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            # A forked child inherits the object but not the thread: start its own.
            if self._loop is None or self._pid != os.getpid():
                loop = asyncio.new_event_loop()
                threading.Thread(
                    target=loop.run_forever, name="tandem-live-events", daemon=True
                ).start()
                self._loop, self._pid = loop, os.getpid()
            return self._loop


_PUBLISHER = _Publisher()
PUBLISH_TIMEOUT_SECONDS = 5.0


def _send_all(events: list[tuple[str, dict[str, Any]]]) -> None:
    """Publish events in one trip into an event loop."""
    layer = get_channel_layer()
    if layer is None or not events:
        return

    async def publish() -> None:
        for group, event in events:
            await layer.group_send(group, event)

    try:
        if isinstance(layer, InMemoryChannelLayer):
            # Its queues belong to the loop of the process's sockets: async_to_sync finds it.
            async_to_sync(publish)()
        else:
            asyncio.run_coroutine_threadsafe(publish(), _PUBLISHER.loop()).result(
                timeout=PUBLISH_TIMEOUT_SECONDS
            )
    except Exception:
        # The message is stored already; sockets catch up on their next event or reconnect.
        logger.warning("Could not publish a live messaging event", exc_info=True)


def publish_thread_changed(
    *, thread_id: int, message_id: int, user_ids: list[int], changed: bool = False
) -> None:
    """After commit: tell sockets watching the thread that a message is new (or changed), and
    each person's sockets that their unread count may have changed."""

    def send() -> None:
        thread_event = {
            "type": "thread.changed",
            "thread": thread_id,
            "message": message_id,
            "changed": changed,
        }
        _send_all(
            [(thread_group(thread_id), thread_event)]
            + [(user_group(user_id), _unread_event()) for user_id in user_ids]
        )

    transaction.on_commit(send)


def publish_thread_closed(*, thread_id: int) -> None:
    """After commit: tell sockets watching the thread that nobody can write in it any more
    (each asks the database what to tell its own person)."""
    event = {"type": "thread.changed", "thread": thread_id, "message": 0, "closed": True}
    transaction.on_commit(lambda: _send(thread_group(thread_id), event))


def _unread_event() -> dict[str, Any]:
    # The nonce lets all sockets of one person in a process share one recount of this change.
    return {"type": "unread.changed", "nonce": uuid.uuid4().hex}


def publish_unread_changed(*, user_id: int) -> None:
    """After commit: the person's unread count changed (they read something elsewhere)."""
    transaction.on_commit(lambda: _send(user_group(user_id), _unread_event()))


def publish_session_check(*, user_id: int) -> None:
    """After commit: a session of this person ended (logout, password change, switched off);
    each of their sockets checks its own session at once and closes if it is no longer valid."""
    transaction.on_commit(lambda: _send(user_group(user_id), {"type": "session.check"}))
