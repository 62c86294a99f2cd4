"""What a messaging socket sends: new, changed and closed threads, the unread count, errors.

Also the socket's state, which every other part of ``MessagingConsumer`` reads and writes.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.db import connection
from django.http import Http404

from tandem.accounts.models import User
from tandem.messaging import access, fragments, selectors, socket_reads
from tandem.messaging.layer import LayerWatch
from tandem.messaging.models import Message, Thread
from tandem.messaging.shared_reads import shared_reads


def _new_messages_with_readers(thread_id: int, after: int) -> tuple[list[Message], set[int]]:
    """Messages of a care thread after ``after`` and the ids of who may read them as a
    participant (two queries, whoever asks; each socket then checks its own user)."""
    return (
        socket_reads.messages_after(thread_id, after=after),
        socket_reads.thread_reader_ids(thread_id),
    )


class OutboundConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]  # channels is untyped
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
