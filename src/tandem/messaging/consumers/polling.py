"""A messaging socket's own reads of the database: what events would have said (how often is
in the package's docstring)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from datetime import datetime

from channels.db import database_sync_to_async
from django.utils import timezone

from tandem.messaging import kinds, socket_reads
from tandem.messaging.consumers.outbound import OutboundConsumer
from tandem.messaging.models import Thread

logger = logging.getLogger(__name__)

POLL_SECONDS = 2.0
# With Redis working: a safety net for a lost event, spread over ±20 % so that sockets opened
# together do not poll together. Per socket two queries per open thread (new and edited
# messages) and one for the unread count, more only when something changed.
SAFETY_POLL_SECONDS = 25.0


class PollingConsumer(OutboundConsumer):
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
        """Check the database for what events would have said (see the package for when)."""
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
