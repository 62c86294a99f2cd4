"""Where data lives and moves: the database, the cache, the channel layer and background tasks.

Each store switches on when its URL is set (``DATABASE_URL``, ``REDIS_URL``); with neither,
SQLite and in-process stand-ins need no other service.
"""

from __future__ import annotations

import os
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from tandem.settings.environment import DATA_DIR, IS_TEST, env_bool

# --- Database: SQLite (WAL) by default, PostgreSQL through DATABASE_URL -----------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# WAL lets readers and one writer work at once; IMMEDIATE avoids upgrade deadlocks; the busy
# timeout makes a writer wait for another instead of failing with "database is locked".
# SQLite's busy handler retries at intervals rather than queueing, so under many writers (the
# 50-person burst, web/tests/test_burst.py) one waiter can lose the lock for several seconds:
# 5 s answered some requests 503; a person would rather wait a little longer.
SQLITE_OPTIONS = {
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
    ),
    "transaction_mode": "IMMEDIATE",
}
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    DATABASES["default"].setdefault("OPTIONS", {})
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        # A SQLite file named in DATABASE_URL gets the same settings as the default one.
        DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"]["OPTIONS"]}
    elif os.environ.get("DATABASE_PREPARED_STATEMENTS", "on") != "off":
        # PostgreSQL plans a query once per connection instead of on every page: planning
        # the forum's gate and list queries took PostgreSQL several times longer than running
        # them (docs/performance.md). Django leaves this off for the sake of connection
        # poolers; behind PgBouncer in transaction mode without max_prepared_statements, set
        # DATABASE_PREPARED_STATEMENTS=off (docs/operations.md).
        DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
    if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        # Without it an unreachable database host holds every worker for the operating
        # system's TCP timeout (minutes), the crisis page included (docs/operations.md).
        DATABASES["default"]["OPTIONS"].setdefault(
            "connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))
        )
else:
    # The embedded default needs no set-up beyond a folder for the file.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "tandem.sqlite3"),
            "OPTIONS": dict(SQLITE_OPTIONS),
        }
    }
    if os.environ.get("TANDEM_TEST_SQLITE_FILE"):
        # The browser tests (scripts/pytest.sh) use a test database in a file. In memory, the
        # live server's request threads all share the test's one connection, and the
        # browser's parallel requests (pages, the service worker, downloads) then interleave
        # on it; a run hung there for good. With a file, each thread has its own connection
        # and SQLite's locking (WAL, the busy timeout) keeps them apart, as in production.
        DATABASES["default"]["TEST"] = {"NAME": os.environ["TANDEM_TEST_SQLITE_FILE"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# PostgreSQL role the application runs as when it is not the tables' owner: the access record's
# migration revokes UPDATE, DELETE and TRUNCATE from it (docs/security-access-record.md).
TANDEM_DB_APP_ROLE = os.environ.get("TANDEM_DB_APP_ROLE", "")


# --- Retention (docs/operations.md "Retention"): rows older than this many days are deleted by
# `manage.py apply_retention` (datarights.retention); 0 keeps them for ever.
def _retention_days(name: str, default: int) -> int:
    raw = os.environ.get(name, str(default))
    if not raw.isdigit():
        raise ImproperlyConfigured(f"{name} must be a whole number of days (0: keep for ever).")
    return int(raw)


# The access record (access log and security events): kept by default. The database's
# triggers let only lines past this be deleted, as it was when `manage.py lock_access_record`
# last ran: run it (as the tables' owner) after changing this.
TANDEM_RETAIN_ACCESS_LOG_DAYS = _retention_days("TANDEM_RETAIN_ACCESS_LOG_DAYS", 0)
TANDEM_RETAIN_NOTIFICATIONS_DAYS = _retention_days("TANDEM_RETAIN_NOTIFICATIONS_DAYS", 365)
# Ended joint sessions, with their shared notes: part of the care record, kept by default.
TANDEM_RETAIN_JOINT_SESSIONS_DAYS = _retention_days("TANDEM_RETAIN_JOINT_SESSIONS_DAYS", 0)
# The rows of finished exports (their files go after 24 hours regardless).
TANDEM_RETAIN_EXPORTS_DAYS = _retention_days("TANDEM_RETAIN_EXPORTS_DAYS", 30)
# Posts held for review that a moderator then hid, counted from the moderator's decision.
TANDEM_RETAIN_REJECTED_POSTS_DAYS = _retention_days("TANDEM_RETAIN_REJECTED_POSTS_DAYS", 90)

# --- Cache, channel layer: Redis when REDIS_URL is set, else what needs no other service ----
REDIS_URL = os.environ.get("REDIS_URL", "")
# Redis is optional at run time: while it is down, logins and pages keep working (the cache
# falls back to the database cache), live messages reach open pages through the database, and
# /readyz says "degraded" with 200. Set this to make /readyz answer 503 then instead.
TANDEM_REDIS_REQUIRED = env_bool("TANDEM_REDIS_REQUIRED", default=False)
# Live sockets one person may hold open on one ASGI process (one per tab); more are refused
# with close code 4429.
TANDEM_WS_MAX_SOCKETS_PER_PERSON = int(os.environ.get("TANDEM_WS_MAX_SOCKETS_PER_PERSON", "20"))


def _redis_retry(asynchronous: bool) -> dict[str, Any]:
    """redis-py options that retry a command once, at once, on a fresh connection when the
    pooled one is dead: the first command after a Redis restart otherwise fails on the
    connection the restart closed (redis-py retries nothing by default)."""
    import redis.exceptions
    from redis.backoff import NoBackoff

    if asynchronous:
        from redis.asyncio.retry import Retry as AsyncRetry

        return {
            "retry": AsyncRetry(NoBackoff(), 1),
            "retry_on_error": [redis.exceptions.ConnectionError],
        }
    from redis.retry import Retry

    return {"retry": Retry(NoBackoff(), 1), "retry_on_error": [redis.exceptions.ConnectionError]}


def redis_channel_layer(url: str, **config: Any) -> dict[str, Any]:
    """The channel layer for ``url``: channels-redis's Redis Pub/Sub layer, as
    ``tandem.messaging.layer.RedisLayer`` (which keeps sockets working while Redis is away).

    A group message is one PUBLISH that each process receives once and hands to its own sockets
    in memory; the list-based layer pushes and pops one copy per socket through Redis, which
    made a provider with many open tabs the bottleneck of live delivery. Pub/Sub keeps nothing
    for a process that is not listening; messaging events are only hints (each socket reads
    what it may see from the database, and catches up by the last id it saw when a client
    reconnects or the layer comes back), so nothing is lost with them.

    redis-py 8 reads with a 5-second socket timeout by default; the longer read timeout here
    keeps idle connections open (a dead one is still noticed, within 30 s). Publishing and
    subscribing put their own short limits on top (``messaging.events``, ``messaging.layer``).
    """
    host = {
        "address": url,
        "socket_timeout": 30,
        "socket_connect_timeout": 2,
        **_redis_retry(asynchronous=True),
    }
    return {
        "BACKEND": "tandem.messaging.layer.RedisLayer",
        "CONFIG": {"hosts": [host], **config},
    }


# The database cache is shared by every worker, so used TOTP codes and rate limits hold
# across processes (a per-process memory cache would let a code be replayed).
_DATABASE_CACHE = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "tandem_cache",
}
if REDIS_URL:
    CACHES: dict[str, Any] = {
        # Redis with short timeouts; the database cache while Redis does not answer
        # (tandem/core/cache.py; docs/operations.md "Redis").
        "default": {
            "BACKEND": "tandem.core.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "FALLBACK": "fallback",
                "RETRY_SECONDS": 5,
                "socket_connect_timeout": 0.5,
                "socket_timeout": 0.5,
                **_redis_retry(asynchronous=False),
            },
        },
        "fallback": _DATABASE_CACHE,
    }
    CHANNEL_LAYERS = {"default": redis_channel_layer(REDIS_URL)}
else:
    CACHES = {"default": _DATABASE_CACHE}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Background work (emails, digests) runs in a worker (`manage.py db_worker`), never in a
# request. Tests run tasks at once so their effects can be checked in the same test.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if IS_TEST
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}
