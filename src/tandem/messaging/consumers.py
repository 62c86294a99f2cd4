"""The live socket for messaging: new messages in open threads and the unread count.

Authentication comes from the session cookie (``AuthMiddlewareStack`` in ``tandem.asgi``); the
client never names a user. A client subscribes to a thread with the last message id it has;
the thread gate runs before joining, and every read after that repeats the participant check.
Events on the channel layer carry ids only; this consumer reads the messages itself.

Frames are small JSON objects. Anything else gets an ``error`` frame and the socket stays open.

Without a channel layer shared between processes (the in-memory default, where pages are
served by another process), the consumer also checks the database every ``POLL_SECONDS``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import zoneinfo
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import InMemoryChannelLayer
from django.conf import settings
from django.db import connection
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.accounts.selectors import role_summary_for_user
from tandem.messaging import access, events, selectors, services

logger = logging.getLogger(__name__)

MAX_FRAME_CHARS = 2000
MAX_SUBSCRIPTIONS = 20
POLL_SECONDS = 2.0
CLOSE_UNAUTHENTICATED = 4401
RENDER_CACHE_SIZE = 2000
# Rendered message fragments of this process, keyed by everything that changes the HTML.
_RENDERED: dict[tuple[Any, ...], str] = {}


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
    time_zone: str

    async def connect(self) -> None:
        user = self.scope.get("user")
        if not isinstance(user, User) or not user.is_active:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user = user
        self.cursors = {}
        self.covering = set()
        self.unread = None
        self.time_zone = await database_sync_to_async(self._time_zone)()
        await self.channel_layer.group_add(events.user_group(user.pk), self.channel_name)
        await self.accept()
        await self._send_unread()
        if isinstance(self.channel_layer, InMemoryChannelLayer):
            self.poller = asyncio.create_task(self._poll())

    async def disconnect(self, code: int) -> None:
        if self.poller is not None:
            self.poller.cancel()
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
        else:
            await self._deliver_new(thread_id)

    async def unread_changed(self, event: dict[str, Any]) -> None:
        await self._send_unread()

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

    def _render(self, messages: list[Any]) -> list[dict[str, Any]]:
        language = self._language()
        rendered = []
        with timezone.override(zoneinfo.ZoneInfo(self.time_zone)), translation.override(language):
            for view in selectors.message_views(self.user, messages):
                message = view.message
                # The same message goes to every socket of a thread in this process: render once.
                key = (
                    message.pk,
                    message.edited_at,
                    message.withdrawn_at,
                    view.is_mine,
                    self.time_zone,
                    language,
                )
                html = _RENDERED.get(key)
                if html is None:
                    html = render_to_string(
                        "messaging/includes/message.html", {"item": view, "controls": False}
                    )
                    if len(_RENDERED) >= RENDER_CACHE_SIZE:
                        _RENDERED.clear()
                    _RENDERED[key] = html
                rendered.append({"id": message.pk, "mine": view.is_mine, "html": html})
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
        if count != self.unread:
            self.unread = count
            await self._send({"type": "unread", "count": count})

    async def _error(self, code: str, message: str, **extra: Any) -> None:
        await self._send({"type": "error", "code": code, "message": message, **extra})

    async def _send(self, payload: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(payload))

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
