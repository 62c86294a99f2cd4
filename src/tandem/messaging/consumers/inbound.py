"""Frames from the client of a messaging socket: ``subscribe``, ``read`` and ``ping`` (the limits
on a frame are in the package's docstring)."""

from __future__ import annotations

import json
from typing import Any

from channels.db import database_sync_to_async
from django.http import Http404
from django.utils.translation import gettext as _

from tandem.messaging import access, events, kinds, services
from tandem.messaging.consumers.outbound import OutboundConsumer
from tandem.messaging.models import Thread

MAX_FRAME_CHARS = 2000
# Frames are flat objects; deeper nesting is refused before parsing (Python's parser raised
# RecursionError on a 2,000-character frame of brackets, which killed the socket's handler).
MAX_FRAME_DEPTH = 8
MAX_SUBSCRIPTIONS = 20


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


def as_id(value: Any) -> int | None:
    """``value`` as an id from a frame or an event, or None if it is not one."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 2**62:
        return None
    return int(value)


class InboundConsumer(OutboundConsumer):
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
        thread_id = as_id(frame.get("thread"))
        after = as_id(frame.get("after", 0))
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
        thread_id = as_id(frame.get("thread"))
        up_to = as_id(frame.get("up_to"))
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
