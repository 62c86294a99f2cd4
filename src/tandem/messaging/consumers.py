"""The live socket for messaging: new messages in open threads and the unread count.

Authentication comes from the session cookie (``AuthMiddlewareStack`` in ``tandem.asgi``); the
client never names a user. A client subscribes to a thread with the last message id it has;
the thread gate runs before joining, and every read after that repeats the participant check.
Events on the channel layer carry ids only; this consumer reads the messages itself.

Frames are small JSON objects. Anything else gets an ``error`` frame and the socket stays open.

Without a channel layer shared between processes (the in-memory default, where pages are
served by another process), the consumer also checks the database every ``POLL_SECONDS``.

One event reaches every socket of a thread (or of a person) in this process at about the same
time; ``SharedReads`` lets them share one database read per event instead of one each, and
each socket still checks its own right to read against what that read returned.

A socket lives no longer than the session it was opened with: it closes when that session ends
(logout, "log out everywhere", password change, a switched-off account), reaches the idle or
absolute time limit, or when the person's roles require two-step verification they have not
set up.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import zoneinfo
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import datetime
from importlib import import_module
from typing import Any

from channels.auth import get_user
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import InMemoryChannelLayer
from django.conf import settings
from django.db import connection
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tandem.accounts.access import must_set_up_two_step
from tandem.accounts.middleware import session_time_limits
from tandem.accounts.models import User
from tandem.accounts.selectors import role_summary_for_user
from tandem.messaging import access, events, selectors, services
from tandem.messaging.models import Message

logger = logging.getLogger(__name__)

MAX_FRAME_CHARS = 2000
MAX_SUBSCRIPTIONS = 20
POLL_SECONDS = 2.0
CLOSE_UNAUTHENTICATED = 4401
CLOSE_TWO_STEP_REQUIRED = 4403
# The longest a socket goes without re-reading its session (a backstop: logouts and the like
# also send an event that makes it check at once).
SESSION_CHECK_SECONDS = 60.0
RENDER_CACHE_SIZE = 2000
# Rendered message fragments of this process, keyed by everything that changes the HTML.
_RENDERED: dict[tuple[Any, ...], str] = {}


class SharedReads:
    """One read per key in this process, shared by every socket that asks for it at once.

    Results are kept for ``ttl`` seconds, enough for every socket reached by one event to
    take its turn; keys name the event, so a later event never gets an older answer.
    """

    def __init__(self, ttl: float = 5.0, max_entries: int = 5000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[Any, ...], tuple[float, asyncio.Future[Any]]] = (
            OrderedDict()
        )

    async def get(self, key: tuple[Any, ...], read: Callable[[], Awaitable[Any]]) -> Any:
        now = time.monotonic()
        while self._entries:
            oldest_key, (created, _future) = next(iter(self._entries.items()))
            if now - created < self.ttl and len(self._entries) < self.max_entries:
                break
            self._entries.pop(oldest_key)
        entry = self._entries.get(key)
        if entry is None:
            future: asyncio.Future[Any] = asyncio.ensure_future(read())
            self._entries[key] = (now, future)
            future.add_done_callback(lambda done: self._forget_failure(key, done))
        else:
            future = entry[1]
        return await asyncio.shield(future)

    def _forget_failure(self, key: tuple[Any, ...], future: asyncio.Future[Any]) -> None:
        if future.cancelled() or future.exception() is not None:
            entry = self._entries.get(key)
            if entry is not None and entry[1] is future:
                self._entries.pop(key)

    def clear(self) -> None:
        self._entries.clear()


# Reads are shared per event loop (a process has one; tests run each in its own).
_SHARED: dict[int, SharedReads] = {}


def shared_reads() -> SharedReads:
    loop_id = id(asyncio.get_running_loop())
    reads = _SHARED.get(loop_id)
    if reads is None:
        if len(_SHARED) > 16:  # Old loops of finished tests.
            _SHARED.clear()
        reads = _SHARED[loop_id] = SharedReads()
    return reads


def _new_messages_with_readers(thread_id: int, after: int) -> tuple[list[Message], set[int]]:
    """Messages of a thread after ``after`` and the ids of who may read them as a participant
    (two queries, whoever asks; each socket then checks its own user against the set)."""
    return (
        selectors.messages_after(thread_id, after=after),
        selectors.thread_reader_ids(thread_id),
    )


def _as_id(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 2**62:
        return None
    return int(value)


class MessagingConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]  # channels is untyped
    user: User
    # Thread id → id of the last message this socket has been sent.
    cursors: dict[int, int]
    # Threads this socket reads only as a covering colleague.
    covering: set[int]
    unread: int | None
    poller: asyncio.Task[None] | None = None
    session_watch: asyncio.Task[None] | None = None
    session_key: str | None = None
    time_zone: str
    closing: bool = False

    async def connect(self) -> None:
        user = self.scope.get("user")
        if not isinstance(user, User) or not user.is_active:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user = user
        self.cursors = {}
        self.covering = set()
        self.unread = None
        session = self.scope.get("session")
        self.session_key = getattr(session, "session_key", None)
        problem, _deadline = await self._session_state()
        if problem is not None:
            await self.close(code=problem)
            return
        self.time_zone = await database_sync_to_async(self._time_zone)()
        await self.channel_layer.group_add(events.user_group(user.pk), self.channel_name)
        await self.accept()
        await self._send_unread()
        self.session_watch = asyncio.create_task(self._watch_session())
        if isinstance(self.channel_layer, InMemoryChannelLayer):
            self.poller = asyncio.create_task(self._poll())

    async def disconnect(self, code: int) -> None:
        for task in (self.poller, self.session_watch):
            if task is not None and task is not asyncio.current_task():
                task.cancel()
        if not hasattr(self, "user"):
            return
        await self.channel_layer.group_discard(events.user_group(self.user.pk), self.channel_name)
        for thread_id in list(self.cursors):
            await self.channel_layer.group_discard(
                events.thread_group(thread_id), self.channel_name
            )

    # --- Frames from the client ----------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            await self._error("bad_frame", _("Send text frames with JSON."))
            return
        if len(text_data) > MAX_FRAME_CHARS:
            await self._error("too_long", _("That frame is too long."))
            return
        try:
            frame = json.loads(text_data)
        except ValueError:
            await self._error("bad_json", _("That frame is not valid JSON."))
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
            covering = await database_sync_to_async(self._gate)(thread_id)
        except Http404:
            await self._error("not_found", _("There is no such conversation."), thread=thread_id)
            return
        if covering:
            self.covering.add(thread_id)
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

    def _gate(self, thread_id: int) -> bool:
        """Raise Http404 unless the user may read the thread; True when only as cover."""
        thread = access.get_thread_for_user(self.user, thread_id)
        return not access.is_participant(self.user, thread)

    def _mark_read(self, thread_id: int, up_to: int) -> None:
        try:
            thread = access.get_thread_for_user(self.user, thread_id)
        except Http404:
            return
        services.mark_thread_read(user=self.user, thread=thread, up_to=up_to)

    # --- Events from the channel layer ---------------------------------------------------------

    async def thread_changed(self, event: dict[str, Any]) -> None:
        thread_id = _as_id(event.get("thread"))
        if thread_id is None or thread_id not in self.cursors:
            return
        message_id = _as_id(event.get("message")) or 0
        if event.get("changed") and message_id <= self.cursors[thread_id]:
            await self._deliver_changed(thread_id, [message_id])
        elif thread_id in self.covering:
            # Rare (a colleague covering): the socket's own read, with the cover check.
            await self._deliver_new(thread_id)
        else:
            await self._deliver_new_shared(thread_id, message_id)

    async def unread_changed(self, event: dict[str, Any]) -> None:
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
        problem, _deadline = await self._session_state()
        if problem is not None:
            await self._close_for(problem)

    # --- Sending -------------------------------------------------------------------------------

    async def _deliver_new(self, thread_id: int) -> None:
        after = self.cursors[thread_id]
        # On PostgreSQL many sockets' reads run side by side in the thread pool; SQLite keeps
        # them on one thread (its in-memory test database locks tables across connections).
        rendered = await database_sync_to_async(
            self._render_new, thread_sensitive=connection.vendor == "sqlite"
        )(thread_id, after)
        if not rendered:
            return
        # Another event may have moved the cursor while this one read: never go back.
        self.cursors[thread_id] = max(self.cursors.get(thread_id, 0), rendered[-1]["id"])
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
        rendered = self._render_cached(messages)
        if rendered is None:
            rendered = await database_sync_to_async(self._render)(messages)
        self.cursors[thread_id] = max(self.cursors.get(thread_id, 0), rendered[-1]["id"])
        await self._send({"type": "messages", "thread": thread_id, "messages": rendered})

    async def _deliver_changed(self, thread_id: int, message_ids: list[int]) -> None:
        rendered = await database_sync_to_async(self._render_by_id)(thread_id, message_ids)
        if rendered:
            await self._send({"type": "changed", "thread": thread_id, "messages": rendered})

    def _render_new(self, thread_id: int, after: int) -> list[dict[str, Any]]:
        return self._render(
            selectors.messages_for_socket(
                self.user, thread_id, after=after, covering=thread_id in self.covering
            )
        )

    def _render_by_id(self, thread_id: int, message_ids: list[int]) -> list[dict[str, Any]]:
        return self._render(selectors.messages_by_id(self.user, thread_id, message_ids))

    def _render_key(self, message: Message, language: str) -> tuple[Any, ...]:
        return (
            message.pk,
            message.edited_at,
            message.withdrawn_at,
            message.sender_id == self.user.pk,
            self.time_zone,
            language,
        )

    def _render_cached(self, messages: list[Message]) -> list[dict[str, Any]] | None:
        """The fragments when this process has rendered all of them already, else None."""
        language = self._language()
        rendered = []
        for message in messages:
            html = _RENDERED.get(self._render_key(message, language))
            if html is None:
                return None
            mine = message.sender_id == self.user.pk
            rendered.append({"id": message.pk, "mine": mine, "html": html})
        return rendered

    def _render(self, messages: list[Any]) -> list[dict[str, Any]]:
        language = self._language()
        rendered = []
        with timezone.override(zoneinfo.ZoneInfo(self.time_zone)), translation.override(language):
            for message in messages:
                # The same message goes to every socket of a thread in this process: render once.
                key = self._render_key(message, language)
                html = _RENDERED.get(key)
                if html is None:
                    (view,) = selectors.message_views(self.user, [message])
                    html = render_to_string(
                        "messaging/includes/message.html", {"item": view, "controls": False}
                    )
                    if len(_RENDERED) >= RENDER_CACHE_SIZE:
                        _RENDERED.clear()
                    _RENDERED[key] = html
                mine = message.sender_id == self.user.pk
                rendered.append({"id": message.pk, "mine": mine, "html": html})
        return rendered

    def _language(self) -> str:
        headers = dict(self.scope.get("headers") or [])
        accept = headers.get(b"accept-language", b"").decode("latin-1")
        return (
            translation.get_supported_language_variant(
                accept.split(",")[0].split(";")[0].strip() or settings.LANGUAGE_CODE
            )
            if accept
            else settings.LANGUAGE_CODE
        )

    def _time_zone(self) -> str:
        name = role_summary_for_user(self.user).time_zone or settings.TANDEM_DEFAULT_TIME_ZONE
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return "UTC"
        return name

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
        await self.send(text_data=json.dumps(payload))

    # --- The session behind the socket ------------------------------------------------------

    async def _session_state(self) -> tuple[int | None, datetime | None]:
        """(close code or None, when the session times out next) for this socket's session."""
        if self.session_key is None:
            return CLOSE_UNAUTHENTICATED, None
        store = await database_sync_to_async(self._load_session)()
        # Channels' own check: the session names this user and its auth hash still matches
        # (a password change or "log out everywhere" ends it).
        user = await get_user({"session": store})
        if not isinstance(user, User) or user.pk != self.user.pk or not user.is_active:
            return CLOSE_UNAUTHENTICATED, None
        state: tuple[int | None, datetime | None] = await database_sync_to_async(
            self._session_limits
        )(user, store)
        return state

    def _load_session(self) -> Any:
        engine = import_module(settings.SESSION_ENGINE)
        store = engine.SessionStore(session_key=self.session_key)
        store.load()
        return store

    def _session_limits(self, user: User, store: Any) -> tuple[int | None, datetime | None]:
        passed, deadline = session_time_limits(store, timezone.now())
        if passed is not None:
            return CLOSE_UNAUTHENTICATED, None
        if must_set_up_two_step(user, needs_mfa=role_summary_for_user(user).needs_mfa):
            return CLOSE_TWO_STEP_REQUIRED, None
        return None, deadline

    async def _watch_session(self) -> None:
        """Re-check the session at its next time limit, and at least every minute."""
        while True:
            problem, deadline = await self._session_state()
            if problem is not None:
                await self._close_for(problem)
                return
            wait = SESSION_CHECK_SECONDS
            if deadline is not None:
                wait = min(wait, (deadline - timezone.now()).total_seconds() + 1)
            await asyncio.sleep(max(wait, 0.5))

    async def _close_for(self, code: int) -> None:
        if self.closing:
            return
        self.closing = True
        await self._send(
            {
                "type": "closed",
                "reason": "session" if code != CLOSE_TWO_STEP_REQUIRED else "two_step",
            }
        )
        await self.close(code=code)

    async def _poll(self) -> None:
        """Check the database for what events from other processes would have said."""
        since = timezone.now()
        while True:
            await asyncio.sleep(POLL_SECONDS)
            try:
                now = timezone.now()
                for thread_id in list(self.cursors):
                    changed = await database_sync_to_async(selectors.changed_message_ids)(
                        self.user, thread_id, since=since, up_to=self.cursors[thread_id]
                    )
                    if changed:
                        await self._deliver_changed(thread_id, changed)
                    await self._deliver_new(thread_id)
                await self._send_unread()
                since = now
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("Messaging poll failed; trying again", exc_info=True)
