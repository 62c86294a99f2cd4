"""A messaging socket's life: opening it (at most so many per person), the session behind it,
closing it. The rules are in the package's docstring."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from datetime import datetime
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.utils import timezone

from tandem.accounts.models import User
from tandem.messaging import events, fragments
from tandem.messaging.consumers.polling import PollingConsumer
from tandem.messaging.layer import watch_for
from tandem.messaging.socket_session import (
    CLOSE_TWO_STEP_REQUIRED,
    CLOSE_UNAUTHENTICATED,
    CLOSE_UNVERIFIED,
    session_state,
)

logger = logging.getLogger(__name__)

# The longest a socket goes without re-reading its session (a backstop: logouts and the like
# also send an event that makes it check at once).
SESSION_CHECK_SECONDS = 60.0
# How soon a session check that failed (the database is away) is tried again.
SESSION_RETRY_SECONDS = 5.0
CLOSE_TOO_MANY = 4429

# Open sockets per person in this process.
_OPEN_SOCKETS: Counter[int] = Counter()


class ConnectionConsumer(PollingConsumer):
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

    # --- The session behind the socket ---------------------------------------------------------

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
