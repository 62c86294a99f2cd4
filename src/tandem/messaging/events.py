"""Live events over the channel layer, sent only after the data they announce is committed.

Events carry ids, never content: each socket reads what it may see from the database after the
event arrives, so nothing about a message passes through Redis, and a lost event loses nothing
(the next event, a poll or a reconnect asks for everything after the last id seen). So a send
never waits on a down or hung Redis for more than ``PUBLISH_TIMEOUT_SECONDS``: ``_Publisher``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time
import uuid
from collections import OrderedDict
from typing import Any

import redis.exceptions
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


Events = list[tuple[str, dict[str, Any]]]
# The longest a page waits for a publish. Redis answers in a millisecond; a down or hung one
# must not hold a page worker (the message is stored before anything is published).
PUBLISH_TIMEOUT_SECONDS = 0.2
# While Redis does not answer, sends skip publishing and the publishing loop tries again in the
# background, at first after half a second, then at most every RETRY_MAX_SECONDS.
RETRY_SECONDS = 0.5
RETRY_MAX_SECONDS = 2.0
# Skipped events kept to publish once Redis is back (the oldest go first when there are more).
MAX_HELD_EVENTS = 1000
# What "the channel layer does not answer" looks like: refused, reset, timed out. (Anything else
# is a bug, logged as such, and does not switch publishing off.)
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    redis.exceptions.RedisError,
    OSError,
    TimeoutError,
)


async def _publish(layer: Any, events: Events) -> None:
    for group, event in events:
        await layer.group_send(group, event)


def _held_key(group: str, event: dict[str, Any]) -> tuple[str, str]:
    # The same event twice is one (an unread recount's nonce makes no difference).
    return group, json.dumps({k: v for k, v in event.items() if k != "nonce"}, sort_keys=True)


def _run_loop(loop: asyncio.AbstractEventLoop) -> None:
    asyncio.set_event_loop(loop)
    try:
        loop.run_forever()
    finally:  # stopped (tests): finish what is left on it, then close it
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()


class _Publisher:
    """One event loop per process, on its own thread, that publishes for synchronous code.

    ``async_to_sync`` from a page worker starts a new loop (and, with Redis, a new connection)
    for every call: tens of milliseconds, and hundreds for the first one, on the path of every
    live delivery. This loop and its layer connection live as long as the process.

    A circuit breaker keeps a down or hung Redis off the path of a send: a publish gets
    ``PUBLISH_TIMEOUT_SECONDS``; when it fails, later sends skip publishing (no wait at all)
    and hold their events, while the loop tries Redis again in the background on a fresh
    connection; once it answers, the held events are published and sends publish again. One
    warning when it stops, one when it is back: not one per message.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid = 0
        self._down_since: float | None = None
        self._held: OrderedDict[tuple[str, str], tuple[str, dict[str, Any]]] = OrderedDict()

    def loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            return self._loop_locked()

    def _loop_locked(self) -> asyncio.AbstractEventLoop:
        # A forked child inherits the object but not the thread: start its own.
        if self._loop is None or self._pid != os.getpid():
            loop = asyncio.new_event_loop()
            threading.Thread(
                target=_run_loop, args=(loop,), name="tandem-live-events", daemon=True
            ).start()
            self._loop, self._pid = loop, os.getpid()
            self._down_since = None
            self._held.clear()
        return self._loop

    @property
    def down(self) -> bool:
        return self._down_since is not None

    def stop(self) -> None:
        """Stop the publishing loop (tests; a process simply exits)."""
        with self._lock:
            loop, self._loop = self._loop, None
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)

    def publish(self, layer: Any, events: Events) -> None:
        """Publish ``events`` within ``PUBLISH_TIMEOUT_SECONDS``, or hold them (see above)."""
        with self._lock:
            loop = self._loop_locked()
            if self._down_since is not None:
                self._hold(events)
                return
        future = asyncio.run_coroutine_threadsafe(_publish(layer, events), loop)
        try:
            future.result(timeout=PUBLISH_TIMEOUT_SECONDS)
        except OUTAGE_ERRORS as error:
            future.cancel()
            self._went_down(layer, events, error, loop)
        except Exception:
            logger.exception("Could not publish a live messaging event")

    def _hold(self, events: Events) -> None:
        for group, event in events:
            key = _held_key(group, event)
            self._held.pop(key, None)
            self._held[key] = (group, event)
        while len(self._held) > MAX_HELD_EVENTS:
            self._held.popitem(last=False)

    def _went_down(
        self, layer: Any, events: Events, error: BaseException, loop: asyncio.AbstractEventLoop
    ) -> None:
        with self._lock:
            self._hold(events)
            if self._down_since is not None:
                return
            self._down_since = time.monotonic()
        logger.warning(
            "Could not publish a live messaging event (%s: %s): live events are off until "
            "the channel layer answers again; messages are stored and open pages catch up "
            "from the database",
            type(error).__name__,
            str(error) or "no answer in time",
        )
        asyncio.run_coroutine_threadsafe(self._recover(layer), loop)

    async def _recover(self, layer: Any) -> None:
        """On the publishing loop: try Redis until it answers, then publish what was held."""
        wait = RETRY_SECONDS
        while True:
            await asyncio.sleep(wait)
            wait = min(wait * 2, RETRY_MAX_SECONDS)
            with self._lock:
                held = list(self._held.items())
            try:
                async with asyncio.timeout(1.0):
                    # Drop connections that may be dead or hung; the next command opens one.
                    flush = getattr(layer, "flush", None)
                    if flush is not None:
                        await flush()
                    await _publish(layer, [event for _key, event in held])
            except OUTAGE_ERRORS as error:  # still down: try again later
                logger.debug("The channel layer still does not answer: %s", error)
                continue
            except Exception:  # not an outage: these events will never go; drop them
                logger.exception("Could not publish held live messaging events")
            with self._lock:
                for key, _event in held:
                    self._held.pop(key, None)
                if self._held:
                    continue  # held while this round ran: publish those first
                down_since, self._down_since = self._down_since, None
            logger.warning(
                "Live messaging events are back after %.1f s (%d held events published)",
                time.monotonic() - (down_since or time.monotonic()),
                len(held),
            )
            return


_PUBLISHER = _Publisher()


def _send_all(events: Events) -> None:
    """Publish events in one trip into an event loop (never raises: see ``_Publisher``)."""
    layer = get_channel_layer()
    if layer is None or not events:
        return
    if isinstance(layer, InMemoryChannelLayer):
        # Its queues belong to the loop of the process's sockets: async_to_sync finds it.
        try:
            async_to_sync(_publish)(layer, events)
        except Exception:
            logger.warning("Could not publish a live messaging event", exc_info=True)
        return
    _PUBLISHER.publish(layer, events)


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
