"""The Redis channel layer as the live socket needs it: sockets keep working while Redis is
away, and catch up from the database when it is back.

``RedisLayer`` is channels-redis's Pub/Sub layer (``settings.redis_channel_layer``) with one
change: subscribing never fails. channels-redis raised when Redis did not answer, so a socket
opened during an outage was refused and one that opened a conversation then lost its handler.
Here every channel and group is kept in this process's memory whatever Redis says; subscribing
is tried with a short time limit, and what did not get through is subscribed again by the
watch. (The first command after a Redis restart no longer fails on the connection the restart
closed either: redis-py retries it once on a fresh one, ``settings.data._redis_retry``.)

``LayerWatch`` (one per event loop, running while the process has sockets) sends itself a
probe through Redis every second: the round trip proves that publishing and this process's
subscriptions both work. While it fails, each socket reads the database every 2 seconds, as
without Redis; when it works again, or when the subscribing connection had to reconnect since
the last probe (a restart quicker than a probe notices), each socket catches up from the
database by the last message id it sent (events published meanwhile were lost: Pub/Sub keeps
nothing). One line is logged when the layer goes away and one when it is back.

This leans on channels-redis 4's layer internals (``channels``, ``groups``, ``_shards`` and a
shard's ``_subscribed_to`` and ``_pubsub``; pyproject pins channels-redis below 5):
``messaging/tests/live_faults/`` restarts and hangs a real Redis under it.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import uuid
import weakref
from collections.abc import Awaitable
from typing import Any, Protocol

import redis.exceptions
from channels_redis.pubsub import (  # type: ignore[import-untyped]
    RedisPubSubChannelLayer,
    RedisPubSubLoopLayer,
)
from channels_redis.utils import _wrap_close  # type: ignore[import-untyped]

logger = logging.getLogger(__name__)

# What "Redis does not answer" looks like from here: refused, reset, timed out, or hung.
REDIS_FAILURES: tuple[type[BaseException], ...] = (
    redis.exceptions.RedisError,
    OSError,
    TimeoutError,
)
SUBSCRIBE_TIMEOUT_SECONDS = 1.0
PROBE_SECONDS = 1.0
# While Redis does not answer a probe fails at once (refused): try more often, to notice soon.
PROBE_SECONDS_WHILE_DOWN = 0.25
PROBE_TIMEOUT_SECONDS = 1.0


class RedisLayer(RedisPubSubChannelLayer):  # type: ignore[misc]  # channels-redis is untyped
    """channels-redis's Redis Pub/Sub layer whose subscriptions never fail (see the module)."""

    def _get_layer(self) -> _LoopLayer:
        loop = asyncio.get_running_loop()
        layer: _LoopLayer | None = self._layers.get(loop)
        if layer is None:
            layer = self._layers[loop] = _LoopLayer(*self._args, **self._kwargs, channel_layer=self)
            _wrap_close(self, loop)
        return layer


class _LoopLayer(RedisPubSubLoopLayer):  # type: ignore[misc]  # channels-redis is untyped
    """The layer of one event loop: its channels and groups, and its connection to Redis."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._probe_channel = ""
        # How often the subscribing connection has connected again since it was first made:
        # each time, events published while it was away were lost.
        self.reconnects = 0
        self._watched: weakref.WeakSet[Any] = weakref.WeakSet()

    async def new_channel(self, prefix: str = "specific.") -> str:
        channel = f"{self.prefix}{prefix}{uuid.uuid4().hex}"
        self.channels[channel] = asyncio.Queue()
        await self._try(self._get_shard(channel).subscribe(channel))
        return channel

    async def group_add(self, group: str, channel: str) -> None:
        # The membership is kept in memory before Redis is asked (channels-redis does that).
        await self._try(super().group_add(group, channel))

    async def group_discard(self, group: str, channel: str) -> None:
        await self._try(super().group_discard(group, channel))

    async def _try(self, operation: Awaitable[Any]) -> bool:
        try:
            await asyncio.wait_for(operation, SUBSCRIBE_TIMEOUT_SECONDS)
        except REDIS_FAILURES as error:
            logger.debug("Redis did not take a subscription (%s); the watch will retry", error)
            return False
        return True

    async def resubscribe(self) -> None:
        """Subscribe in Redis to every channel and group this process has, and drop the
        subscriptions it no longer needs (after a subscribe or unsubscribe that failed)."""
        wanted = {*self.channels, *self.groups}
        for name in wanted:
            shard = self._get_shard(name)
            if name not in shard._subscribed_to:
                await shard.subscribe(name)
        for shard in self._shards:
            for name in set(shard._subscribed_to) - wanted:
                await shard.unsubscribe(name)

    async def alive(self, timeout: float = PROBE_TIMEOUT_SECONDS) -> bool:
        """True when a message published now comes back through this process's
        subscriptions within ``timeout`` (all of them are subscribed again first)."""
        try:
            async with asyncio.timeout(timeout):
                if self._probe_channel not in self.channels:
                    self._probe_channel = await self.new_channel("probe.")
                await self.resubscribe()
                self._count_reconnects()
                queue: asyncio.Queue[bytes] = self.channels[self._probe_channel]
                while not queue.empty():  # answers to earlier probes that came late
                    queue.get_nowait()
                nonce = uuid.uuid4().hex
                await self.send(self._probe_channel, {"type": "probe", "nonce": nonce})
                while True:
                    message = self.channel_layer.deserialize(await queue.get())
                    if message.get("nonce") == nonce:
                        return True
        except REDIS_FAILURES:
            return False

    def _count_reconnects(self) -> None:
        """Have each subscribing connection tell us when redis-py connects it again (it
        subscribes again by itself then; what was published meanwhile is lost)."""
        for shard in self._shards:
            connection = getattr(shard._pubsub, "connection", None)
            if connection is not None and connection not in self._watched:
                connection.register_connect_callback(self._connected)
                self._watched.add(connection)

    def _connected(self, connection: Any) -> None:
        self.reconnects += 1


class Listener(Protocol):
    def layer_changed(self, up: bool) -> None:
        """The layer went away (``up`` False) or came back."""


class LayerWatch:
    """Whether the channel layer works for this process, checked every ``PROBE_SECONDS``
    while the process has sockets; tells them when that changes (see the module)."""

    def __init__(self, layer: Any) -> None:
        self.layer = layer
        self.up = True
        self.listeners: set[Listener] = set()
        self._task: asyncio.Task[None] | None = None
        self._down_since = 0.0
        self._reconnects: int | None = None

    def join(self, listener: Listener) -> None:
        self.listeners.add(listener)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    def leave(self, listener: Listener) -> None:
        self.listeners.discard(listener)
        if not self.listeners and self._task is not None:
            self._task.cancel()
            self._task = None

    async def _run(self) -> None:
        while self.listeners:
            up = await self.layer.alive()
            if up:
                # Connected again between two probes (a quick restart): the same as back.
                reconnects = self.layer.reconnects
                reconnected = self._reconnects is not None and reconnects != self._reconnects
                self._reconnects = reconnects
                if not self.up or reconnected:
                    self._changed(True)
            elif self.up:
                self._changed(False)
            await asyncio.sleep(PROBE_SECONDS if self.up else PROBE_SECONDS_WHILE_DOWN)

    def _changed(self, up: bool) -> None:
        if up:
            logger.warning(
                "Live messaging: Redis answers again%s; %d open sockets catch up from the database",
                "" if self.up else f" after {time.monotonic() - self._down_since:.0f} s",
                len(self.listeners),
            )
        else:
            self._down_since = time.monotonic()
            logger.warning(
                "Live messaging: Redis does not answer; open sockets read the database every "
                "few seconds until it does"
            )
        self.up = up
        for listener in list(self.listeners):
            listener.layer_changed(up)


_WATCHES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LayerWatch] = (
    weakref.WeakKeyDictionary()
)


def watch_for(layer: Any) -> LayerWatch | None:
    """The watch of this event loop for ``layer`` (None for a layer that needs none: the
    in-memory one cannot go away)."""
    if not isinstance(layer, RedisLayer):
        return None
    loop = asyncio.get_running_loop()
    watch = _WATCHES.get(loop)
    if watch is None or watch.layer is not layer:
        watch = _WATCHES[loop] = LayerWatch(layer)
    return watch


class _QuietReceiveErrors(logging.Filter):
    """channels-redis logs a traceback every second while Redis is down ("Unexpected
    exception in receive task"): let one through a minute (the watch says the rest)."""

    def __init__(self) -> None:
        super().__init__()
        self.last = -math.inf

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg != "Unexpected exception in receive task":
            return True
        now = time.monotonic()
        if now - self.last < 60:
            return False
        self.last = now
        return True


logging.getLogger("channels_redis.pubsub").addFilter(_QuietReceiveErrors())
