"""The live socket for messaging: new messages in open threads and the unread count.

Authentication comes from the session cookie (``AuthMiddlewareStack`` in ``tandem.asgi``); the
client never names a user. A client subscribes to a thread with the last message id it has;
the thread gate runs before joining, and every read after that repeats the participant check.
Events on the channel layer carry ids only; this consumer reads the messages itself.

Frames are small JSON objects (at most ``MAX_FRAME_CHARS`` characters, nested at most
``MAX_FRAME_DEPTH`` deep, checked before parsing). Anything else gets an ``error`` frame and the
socket stays open.

Each socket also checks the database itself: without a channel layer shared between processes
(the in-memory default, where pages are served by another process) every ``POLL_SECONDS``; with
Redis every ``SAFETY_POLL_SECONDS`` or so (a safety net for an event that never came), every
``POLL_SECONDS`` while Redis does not answer, and at once when it is back (``layer.LayerWatch``:
events published meanwhile were lost, so each socket catches up by the last id it sent). A
socket opened while Redis is away is accepted all the same (``layer.RedisLayer``).

One person holds at most ``settings.TANDEM_WS_MAX_SOCKETS_PER_PERSON`` sockets on one process
(one per open tab); another is accepted and closed at once with ``CLOSE_TOO_MANY`` (4429),
which leaves everyone else's sockets alone.

One event reaches every socket of a thread (or of a person) in this process at about the same
time; ``SharedReads`` lets them share one database read per event instead of one each, and
each socket still checks its own right to read against what that read returned. That sharing
is for care threads, where a participant row is the right to read; a thread of another kind
(``messaging.kinds``) has few readers, and each socket reads with that kind's rule.

When a thread is closed, each socket watching it sends its person the reason (``closed``
frames are about the socket itself; this one is ``thread_closed``).

A socket lives no longer than the session it was opened with: it closes when that session ends
(logout, "log out everywhere", password change, a switched-off account), reaches the idle or
absolute time limit, or when the person's roles require two-step verification they have not
set up.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections import Counter
from datetime import datetime
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import connection
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.messaging import access, events, fragments, kinds, selectors, services, socket_reads
from tandem.messaging.layer import LayerWatch, watch_for
from tandem.messaging.models import Message, Thread
from tandem.messaging.shared_reads import SharedReads, shared_reads
from tandem.messaging.socket_session import (
    CLOSE_TWO_STEP_REQUIRED,
    CLOSE_UNAUTHENTICATED,
    CLOSE_UNVERIFIED,
    session_state,
)

__all__ = [
    "CLOSE_TOO_MANY",
    "CLOSE_TWO_STEP_REQUIRED",
    "CLOSE_UNAUTHENTICATED",
    "CLOSE_UNVERIFIED",
    "MessagingConsumer",
    "SharedReads",
]

logger = logging.getLogger(__name__)

MAX_FRAME_CHARS = 2000
# Frames are flat objects; deeper nesting is refused before parsing (Python's parser raised
# RecursionError on a 2,000-character frame of brackets, which killed the socket's handler).
MAX_FRAME_DEPTH = 8
MAX_SUBSCRIPTIONS = 20
POLL_SECONDS = 2.0
# With Redis working: a safety net for a lost event, spread over ±20 % so that sockets opened
# together do not poll together. Per socket two queries per open thread (new and edited
# messages) and one for the unread count, more only when something changed.
SAFETY_POLL_SECONDS = 25.0
# The longest a socket goes without re-reading its session (a backstop: logouts and the like
# also send an event that makes it check at once).
SESSION_CHECK_SECONDS = 60.0
# How soon a session check that failed (the database is away) is tried again.
SESSION_RETRY_SECONDS = 5.0
CLOSE_TOO_MANY = 4429

# Open sockets per person in this process.
_OPEN_SOCKETS: Counter[int] = Counter()


def _new_messages_with_readers(thread_id: int, after: int) -> tuple[list[Message], set[int]]:
    """Messages of a care thread after ``after`` and the ids of who may read them as a
    participant (two queries, whoever asks; each socket then checks its own user)."""
    return (
        socket_reads.messages_after(thread_id, after=after),
        socket_reads.thread_reader_ids(thread_id),
    )


def _too_deep(text: str, limit: int = MAX_FRAME_DEPTH) -> bool:
    """Whether the JSON in ``text`` nests arrays and objects more than ``limit`` deep (brackets
    inside strings do not count; one pass, no parsing)."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _as_id(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 2**62:
        return None
    return int(value)


class MessagingConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]  # channels is untyped
    user: User
    reader: fragments.Reader
    # Thread id → id of the last message this socket has been sent.
    cursors: dict[int, int]
    # Thread id → the thread as the gate found it on subscribe (its kind names senders).
    threads: dict[int, Thread]
    # Threads this socket reads with its own read: as a covering colleague, or of another kind.
    covering: set[int]
    # Threads of another kind this socket has been told are closed.
    closed: set[int]
    unread: int | None
    poller: asyncio.Task[None] | None = None
    session_watch: asyncio.Task[None] | None = None
    session_key: str | None = None
    closing: bool = False
    # The person this socket counts against in ``_OPEN_SOCKETS`` (None: not counted).
    counted: int | None = None
    # This process's watch on the channel layer (None for the in-memory layer).
    watch: LayerWatch | None = None
    # Set to make the poll run now (the layer came back or went away).
    wake: asyncio.Event
    # Set to make the session watch check now (an event said a session ended).
    session_recheck: asyncio.Event

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._leave()

    def _leave(self) -> None:
        """However the socket ends: free its place and stop its tasks."""
        for task in (self.poller, self.session_watch):
            if task is not None and task is not asyncio.current_task():
                task.cancel()
        if self.watch is not None:
            self.watch.leave(self)
            self.watch = None
        if self.counted is not None:
            _OPEN_SOCKETS[self.counted] -= 1
            if _OPEN_SOCKETS[self.counted] <= 0:
                del _OPEN_SOCKETS[self.counted]
            self.counted = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if not isinstance(user, User) or not user.is_active:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if _OPEN_SOCKETS[user.pk] >= settings.TANDEM_WS_MAX_SOCKETS_PER_PERSON:
            # Accepted only to say why: a refused handshake carries no close code.
            await self.accept()
            await self.close(
                code=CLOSE_TOO_MANY, reason="Too many live connections open for one person."
            )
            return
        _OPEN_SOCKETS[user.pk] += 1
        self.counted = user.pk
        self.user = user
        self.cursors, self.threads, self.covering, self.closed = {}, {}, set(), set()
        self.unread = None
        self.wake, self.session_recheck = asyncio.Event(), asyncio.Event()
        session = self.scope.get("session")
        self.session_key = getattr(session, "session_key", None)
        problem, deadline = await session_state(user, self.session_key)
        if problem is not None:
            await self.close(code=problem)
            return
        time_zone = await database_sync_to_async(fragments.time_zone_of)(user)
        self.reader = fragments.Reader(
            user=user, time_zone=time_zone, language=fragments.language_of(self.scope)
        )
        # With Redis away this is kept in memory and subscribed once it is back (layer.py).
        await self.channel_layer.group_add(events.user_group(user.pk), self.channel_name)
        await self.accept()
        await self._send_unread()
        self.session_watch = asyncio.create_task(self._watch_session(deadline))
        self.watch = watch_for(self.channel_layer)
        if self.watch is not None:
            self.watch.join(self)
        self.poller = asyncio.create_task(self._poll())

    async def disconnect(self, code: int) -> None:
        self._leave()
        await self._leave_groups()

    async def _leave_groups(self) -> None:
        if not hasattr(self, "user"):
            return
        await self.channel_layer.group_discard(events.user_group(self.user.pk), self.channel_name)
        for thread_id in list(self.cursors):
            await self.channel_layer.group_discard(
                events.thread_group(thread_id), self.channel_name
            )

    # --- Frames from the client ----------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.closing:
            return  # the session behind it has ended: nothing a client sends counts now
        if text_data is None:
            await self._error("bad_frame", _("Send text frames with JSON."))
            return
        if len(text_data) > MAX_FRAME_CHARS:
            await self._error("too_long", _("That frame is too long."))
            return
        if _too_deep(text_data):
            await self._error("too_deep", _("That frame is nested too deeply."))
            return
        try:
            frame = json.loads(text_data)
        except ValueError:
            await self._error("bad_json", _("That frame is not valid JSON."))
            return
        except RecursionError:  # what the depth check is for; never let it end the socket
            await self._error("too_deep", _("That frame is nested too deeply."))
            return
        if not isinstance(frame, dict):
            await self._error("bad_frame", _("Send a JSON object."))
            return
        kind = frame.get("type")
        if kind == "subscribe":
            await self._subscribe(frame)
        elif kind == "read":
            await self._read(frame)
        elif kind == "ping":
            await self._send({"type": "pong"})
        else:
            await self._error("unknown_type", _("Unknown frame type."))

    async def _subscribe(self, frame: dict[str, Any]) -> None:
        thread_id = _as_id(frame.get("thread"))
        after = _as_id(frame.get("after", 0))
        if thread_id is None or after is None:
            await self._error("bad_frame", _("Give a thread id and the last message id seen."))
            return
        if thread_id not in self.cursors and len(self.cursors) >= MAX_SUBSCRIPTIONS:
            await self._error("too_many", _("Too many conversations open on one connection."))
            return
        try:
            thread, own_read = await database_sync_to_async(self._gate)(thread_id)
        except Http404:
            await self._error("not_found", _("There is no such conversation."), thread=thread_id)
            return
        if own_read:
            self.covering.add(thread_id)
        self.threads[thread_id] = thread
        await self.channel_layer.group_add(events.thread_group(thread_id), self.channel_name)
        self.cursors[thread_id] = after
        await self._send({"type": "subscribed", "thread": thread_id})
        # Everything stored while the client was away (or since its page was rendered).
        await self._deliver_new(thread_id)

    async def _read(self, frame: dict[str, Any]) -> None:
        thread_id = _as_id(frame.get("thread"))
        up_to = _as_id(frame.get("up_to"))
        if thread_id is None or up_to is None or thread_id not in self.cursors:
            await self._error("bad_frame", _("Subscribe to the conversation first."))
            return
        await database_sync_to_async(self._mark_read)(thread_id, up_to)

    def _gate(self, thread_id: int) -> tuple[Thread, bool]:
        """Raise Http404 unless the user may read the thread; return it and whether this
        socket reads it with its own read (as cover, or a thread of another kind)."""
        thread = access.get_thread_for_user(self.user, thread_id)
        own_read = thread.kind != kinds.CARE or not access.is_participant(self.user, thread)
        return thread, own_read

    def _mark_read(self, thread_id: int, up_to: int) -> None:
        try:
            thread = access.get_thread_for_user(self.user, thread_id)
        except Http404:
            return
        services.mark_thread_read(user=self.user, thread=thread, up_to=up_to)

    # --- Events from the channel layer ---------------------------------------------------------

    async def thread_changed(self, event: dict[str, Any]) -> None:
        thread_id = _as_id(event.get("thread"))
        if self.closing or thread_id is None or thread_id not in self.cursors:
            return
        message_id = _as_id(event.get("message")) or 0
        if event.get("closed"):
            await self._tell_closed(thread_id)
        elif event.get("changed") and message_id <= self.cursors[thread_id]:
            await self._deliver_changed(thread_id, [message_id])
        elif thread_id in self.covering:
            # A colleague covering, or a thread of another kind: the socket's own read.
            await self._deliver_new(thread_id)
        else:
            await self._deliver_new_shared(thread_id, message_id)

    async def unread_changed(self, event: dict[str, Any]) -> None:
        if self.closing:
            return
        nonce = event.get("nonce")
        if not isinstance(nonce, str):
            await self._send_unread()
            return
        # Every socket of this person in this process shares one count per change.
        count = await shared_reads().get(
            ("unread", self.user.pk, nonce),
            lambda: database_sync_to_async(selectors.unread_message_count)(self.user),
        )
        await self._send_unread_count(count)

    async def session_check(self, event: dict[str, Any]) -> None:
        # The session watch checks at once (and retries if the database is away).
        self.session_recheck.set()

    def layer_changed(self, up: bool) -> None:
        """From the layer watch: Redis went away or came back. Poll now (and, while it is away,
        every ``POLL_SECONDS``): what was published meanwhile never arrived."""
        self.wake.set()

    # --- Sending -------------------------------------------------------------------------------

    async def _deliver_new(self, thread_id: int) -> None:
        after = self.cursors[thread_id]
        # On PostgreSQL many sockets' reads run side by side in the thread pool; SQLite keeps
        # them on one thread (its in-memory test database locks tables across connections).
        rendered = await database_sync_to_async(
            self._render_new, thread_sensitive=connection.vendor == "sqlite"
        )(thread_id, after)
        await self._send_new(thread_id, rendered)

    async def _send_new(self, thread_id: int, rendered: list[dict[str, Any]]) -> None:
        """Send the messages the socket has not sent yet: an event, the poll and a catch-up
        may have read the same ones side by side, and each is sent once."""
        cursor = self.cursors.get(thread_id, 0)
        rendered = [message for message in rendered if message["id"] > cursor]
        if not rendered or thread_id not in self.cursors:
            return
        self.cursors[thread_id] = rendered[-1]["id"]
        await self._send({"type": "messages", "thread": thread_id, "messages": rendered})

    async def _deliver_new_shared(self, thread_id: int, message_id: int) -> None:
        after = self.cursors[thread_id]
        if message_id and message_id <= after:
            return  # Already sent (the subscribe catch-up or an earlier event got it).
        messages, readers = await shared_reads().get(
            ("thread", thread_id, after, message_id),
            lambda: database_sync_to_async(
                _new_messages_with_readers, thread_sensitive=connection.vendor == "sqlite"
            )(thread_id, after),
        )
        if self.user.pk not in readers:
            # No longer in the thread: the socket's own read decides (and finds nothing).
            await self._deliver_new(thread_id)
            return
        if not messages:
            return
        thread = self.threads[thread_id]
        rendered = fragments.cached(self.reader, thread, messages)
        if rendered is None:
            rendered = await database_sync_to_async(fragments.render)(self.reader, thread, messages)
        await self._send_new(thread_id, rendered)

    async def _deliver_changed(self, thread_id: int, message_ids: list[int]) -> None:
        rendered = await database_sync_to_async(self._render_by_id)(thread_id, message_ids)
        if rendered:
            await self._send({"type": "changed", "thread": thread_id, "messages": rendered})

    async def _tell_closed(self, thread_id: int) -> None:
        """Tell the person why nobody can write in the thread any more (once)."""
        reason = await database_sync_to_async(self._read_only_reason)(thread_id)
        if reason and thread_id not in self.closed:
            self.closed.add(thread_id)
            await self._send({"type": "thread_closed", "thread": thread_id, "reason": reason})

    def _read_only_reason(self, thread_id: int) -> str:
        try:
            thread = access.get_thread_for_user(self.user, thread_id)
        except Http404:
            return ""
        return access.read_only_reason(self.user, thread) if thread.closed_at else ""

    def _render_new(self, thread_id: int, after: int) -> list[dict[str, Any]]:
        thread = self.threads[thread_id]
        messages = socket_reads.messages_for_socket(
            self.user, thread_id, after=after, covering=thread_id in self.covering, kind=thread.kind
        )
        return fragments.render(self.reader, thread, messages)

    def _render_by_id(self, thread_id: int, message_ids: list[int]) -> list[dict[str, Any]]:
        thread = self.threads[thread_id]
        messages = socket_reads.messages_by_id(self.user, thread_id, message_ids, kind=thread.kind)
        return fragments.render(self.reader, thread, messages)

    async def _send_unread(self) -> None:
        count = await database_sync_to_async(selectors.unread_message_count)(self.user)
        await self._send_unread_count(count)

    async def _send_unread_count(self, count: int) -> None:
        if count != self.unread:
            self.unread = count
            await self._send({"type": "unread", "count": count})

    async def _error(self, code: str, message: str, **extra: Any) -> None:
        await self._send({"type": "error", "code": code, "message": message, **extra})

    async def _send(self, payload: dict[str, Any]) -> None:
        if self.closing:
            return  # closed for a reason (``_close_for``): nothing more goes out
        await self.send(text_data=json.dumps(payload))

    # --- The session behind the socket, and the poll -------------------------------------------

    async def _watch_session(self, deadline: datetime | None) -> None:
        """Re-check the session at its next time limit, at least every minute, and at once when
        an event asks. A check that fails (the database is away) is tried again every
        ``SESSION_RETRY_SECONDS``; once the time limit has passed and the session still cannot
        be checked, the socket closes all the same (``CLOSE_UNVERIFIED``)."""
        failing = False
        while True:
            wait = SESSION_RETRY_SECONDS if failing else SESSION_CHECK_SECONDS
            if deadline is not None:
                wait = min(wait, (deadline - timezone.now()).total_seconds() + 1)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.session_recheck.wait(), max(wait, 0.5))
            self.session_recheck.clear()
            try:
                problem, next_deadline = await session_state(self.user, self.session_key)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if deadline is not None and timezone.now() >= deadline:
                    logger.warning(
                        "Could not check a live socket's session past its time limit (%s: %s): "
                        "closed it",
                        type(error).__name__,
                        error,
                    )
                    await self._close_for(CLOSE_UNVERIFIED)
                    return
                if not failing:
                    logger.warning(
                        "Could not check a live socket's session (%s: %s); trying again every "
                        "%.0f s",
                        type(error).__name__,
                        error,
                        SESSION_RETRY_SECONDS,
                    )
                failing = True
                continue
            failing = False
            if problem is not None:
                await self._close_for(problem)
                return
            deadline = next_deadline

    async def _close_for(self, code: int) -> None:
        """Say why, stop everything this socket does, and close it.

        The socket is finished as soon as the ``closed`` frame is sent: it leaves its groups,
        its poll stops and nothing more is sent on it (``_send``). That matters because
        granian completes a close the server starts only once the client sends something or
        goes away (its close waits for the read half, which a pending receive holds): until
        then the connection stays open, and must carry nothing. live.js closes the socket
        when it gets ``closed``.
        """
        if self.closing:
            return
        reasons = {CLOSE_TWO_STEP_REQUIRED: "two_step", CLOSE_UNVERIFIED: "unverified"}
        await self._send({"type": "closed", "reason": reasons.get(code, "session")})
        self.closing = True
        self._leave()
        await self._leave_groups()
        await self.close(code=code)

    def _newly_closed(self) -> list[int]:
        """Subscribed threads of another kind closed since this socket last looked."""
        watched = [
            pk
            for pk, thread in self.threads.items()
            if thread.kind != kinds.CARE and pk not in self.closed
        ]
        if not watched:
            return []
        return list(
            Thread.objects.filter(pk__in=watched, closed_at__isnull=False).values_list(
                "pk", flat=True
            )
        )

    async def _poll(self) -> None:
        """Check the database for what events would have said (see the module for when)."""
        since = timezone.now()
        while True:
            await self._until_next_poll()
            try:
                now = timezone.now()
                await self._catch_up(since)
                since = now
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("Messaging poll failed; trying again", exc_info=True)

    async def _until_next_poll(self) -> None:
        if self.watch is None or not self.watch.up:
            wait = POLL_SECONDS
        else:
            wait = SAFETY_POLL_SECONDS * random.uniform(0.8, 1.2)  # noqa: S311 - not a secret
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.wake.wait(), wait)
        self.wake.clear()

    async def _catch_up(self, since: datetime) -> None:
        """Send what changed in the database: new messages after each cursor, messages edited
        or withdrawn since ``since``, threads closed, the unread count."""
        for thread_id in list(self.cursors):
            changed = await database_sync_to_async(socket_reads.changed_message_ids)(
                self.user,
                thread_id,
                since=since,
                up_to=self.cursors[thread_id],
                kind=self.threads[thread_id].kind,
            )
            if changed:
                await self._deliver_changed(thread_id, changed)
            await self._deliver_new(thread_id)
        for thread_id in await database_sync_to_async(self._newly_closed)():
            await self._tell_closed(thread_id)
        await self._send_unread()
