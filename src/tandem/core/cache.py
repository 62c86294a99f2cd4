"""The default cache: Redis when it answers, another cache while it does not.

Logging in, two-step codes and the other rate limits live in the default cache (allauth's rate
limits and used TOTP codes, the care link-code attempts). With plain ``RedisCache`` a Redis
outage turned every login into an error page, and a hung Redis held each page for as long as
the client waited. ``FallbackRedisCache`` is Django's ``RedisCache`` with short socket timeouts
(``settings.CACHES``) that, when Redis raises a connection error or times out, answers from
the cache named by its ``FALLBACK`` option instead (the database cache: shared by every
process, so used codes and rate limits keep holding across workers) and leaves Redis alone for
``RETRY_SECONDS`` before trying it again. One line is logged when it falls back and one when
Redis is back, not one per call. Should the fallback fail too (its table was never created,
``manage.py createcachetable``), this process's memory is the last resort.

What changes during an outage: counters start again from zero in the fallback (a rate limit
allows its quota once more), and what was stored in Redis is not seen until it is back.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import redis.exceptions
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.db import DatabaseError

logger = logging.getLogger(__name__)

T = TypeVar("T")

# What "Redis does not answer" looks like: refused, reset, unknown host, timed out, loading.
REDIS_FAILURES: tuple[type[BaseException], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)
DEFAULT_RETRY_SECONDS = 5.0


class _Outage:
    """Whether Redis at one location is being skipped, shared by the process's threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.skip_until = 0.0
        self.since: float | None = None
        self.fallback_failed = False

    def skipping(self) -> bool:
        return time.monotonic() < self.skip_until

    def failed(self, location: str, fallback: str, error: BaseException, retry: float) -> None:
        now = time.monotonic()
        with self.lock:
            self.skip_until = now + retry
            first = self.since is None
            if first:
                self.since = now
        if first:
            logger.warning(
                "Redis cache at %s does not answer (%s: %s): using the %r cache until it does",
                _safe_location(location),
                type(error).__name__,
                error,
                fallback,
            )

    def answered(self, location: str) -> None:
        if self.since is None:
            return
        with self.lock:
            since, self.since = self.since, None
        if since is not None:
            logger.warning(
                "Redis cache at %s answers again after %.0f s: back on Redis",
                _safe_location(location),
                time.monotonic() - since,
            )


_OUTAGES: dict[str, _Outage] = {}
_OUTAGES_LOCK = threading.Lock()
_MEMORY: dict[str, LocMemCache] = {}


def _outage_for(location: str) -> _Outage:
    with _OUTAGES_LOCK:
        return _OUTAGES.setdefault(location, _Outage())


def _safe_location(location: str) -> str:
    """The location without a password (redis://:secret@host → redis://host)."""
    scheme, _sep, rest = location.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}" if rest else location


class FallbackRedisCache(RedisCache):
    """``RedisCache`` that answers from another cache while Redis does not answer.

    OPTIONS (besides RedisCache's own): ``FALLBACK``, the alias of the cache to use meanwhile
    (default ``"fallback"``); ``RETRY_SECONDS``, how long to leave Redis alone after a failure
    (default 5).
    """

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        self._fallback_alias = str(options.pop("FALLBACK", "fallback"))
        self._retry_seconds = float(options.pop("RETRY_SECONDS", DEFAULT_RETRY_SECONDS))
        super().__init__(server, {**params, "OPTIONS": options})
        self._location = server if isinstance(server, str) else ",".join(server)
        self._outage = _outage_for(self._location)

    @property
    def redis_answering(self) -> bool:
        """False while this process skips Redis after a failure."""
        return not self._outage.skipping()

    def _fallback(self) -> BaseCache:
        return caches[self._fallback_alias]

    def _memory(self) -> LocMemCache:
        memory = _MEMORY.get(self._location)
        if memory is None:
            memory = _MEMORY.setdefault(
                self._location, LocMemCache(f"tandem-fallback-{self._location}", {})
            )
        return memory

    def _call(self, on_redis: Callable[[], T], elsewhere: Callable[[BaseCache], T]) -> T:
        if not self._outage.skipping():
            try:
                result = on_redis()
            except REDIS_FAILURES as error:
                self._outage.failed(
                    self._location, self._fallback_alias, error, self._retry_seconds
                )
            else:
                self._outage.answered(self._location)
                return result
        try:
            return elsewhere(self._fallback())
        except DatabaseError:
            if not self._outage.fallback_failed:
                self._outage.fallback_failed = True
                logger.exception(
                    "The %r fallback cache failed too (run manage.py createcachetable): "
                    "using this process's memory",
                    self._fallback_alias,
                )
            return elsewhere(self._memory())

    # Every other method of BaseCache (get_or_set, decr, incr_version, the async ones…) is
    # built on these.

    def add(
        self,
        key: Any,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> bool:
        return self._call(
            lambda: super(FallbackRedisCache, self).add(key, value, timeout, version),
            lambda cache: cache.add(key, value, timeout, version),
        )

    def get(self, key: Any, default: Any | None = None, version: int | None = None) -> Any:
        return self._call(
            lambda: super(FallbackRedisCache, self).get(key, default, version),
            lambda cache: cache.get(key, default, version),
        )

    def set(
        self,
        key: Any,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> None:
        self._call(
            lambda: super(FallbackRedisCache, self).set(key, value, timeout, version),
            lambda cache: cache.set(key, value, timeout, version),
        )

    def touch(
        self, key: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return self._call(
            lambda: super(FallbackRedisCache, self).touch(key, timeout, version),
            lambda cache: cache.touch(key, timeout, version),
        )

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._call(
            lambda: super(FallbackRedisCache, self).delete(key, version),
            lambda cache: cache.delete(key, version),
        )

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        keys = list(keys)
        return self._call(
            lambda: super(FallbackRedisCache, self).get_many(keys, version),
            lambda cache: cache.get_many(keys, version),
        )

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._call(
            lambda: super(FallbackRedisCache, self).has_key(key, version),
            lambda cache: cache.has_key(key, version),
        )

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return self._call(
            lambda: super(FallbackRedisCache, self).incr(key, delta, version),
            lambda cache: cache.incr(key, delta, version),
        )

    def set_many(
        self,
        data: dict[Any, Any],
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> list[Any]:
        return self._call(
            lambda: super(FallbackRedisCache, self).set_many(data, timeout, version),
            lambda cache: cache.set_many(data, timeout, version),
        )

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        keys = list(keys)
        self._call(
            lambda: super(FallbackRedisCache, self).delete_many(keys, version),
            lambda cache: cache.delete_many(keys, version),
        )

    def clear(self) -> None:
        self._call(
            lambda: super(FallbackRedisCache, self).clear(),
            lambda cache: cache.clear(),
        )
