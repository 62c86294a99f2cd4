"""One database read per event, shared by the sockets of a process that it reaches at once.

One event reaches every socket of a thread (or of a person) in this process at about the same
time; ``SharedReads`` lets them share one read per event instead of one each, and each socket
still checks its own right to read against what that read returned.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any


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
