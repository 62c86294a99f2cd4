"""Events from the channel layer to a messaging socket (ids only: the socket reads the messages
itself), and from this process's layer watch."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from tandem.messaging import selectors
from tandem.messaging.consumers.inbound import as_id
from tandem.messaging.consumers.outbound import OutboundConsumer
from tandem.messaging.shared_reads import shared_reads


class LayerEventsConsumer(OutboundConsumer):
    # --- Events from the channel layer ---------------------------------------------------------

    async def thread_changed(self, event: dict[str, Any]) -> None:
        thread_id = as_id(event.get("thread"))
        if self.closing or thread_id is None or thread_id not in self.cursors:
            return
        message_id = as_id(event.get("message")) or 0
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
