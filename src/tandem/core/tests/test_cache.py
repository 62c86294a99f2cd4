"""The default cache falls back to the database cache while Redis does not answer
(``tandem.core.cache.FallbackRedisCache``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.core.cache import caches
from django.test import Client, override_settings

from tandem.accounts.models import User
from tandem.conftest import login_client
from tandem.core import cache as fallback_cache
from tandem.messaging.tests.servers import free_port, throwaway_redis

pytestmark = pytest.mark.django_db

DATABASE = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "tandem_cache"}


def caches_for(url: str, **options: Any) -> dict[str, Any]:
    return {
        "default": {
            "BACKEND": "tandem.core.cache.FallbackRedisCache",
            "LOCATION": url,
            "OPTIONS": {
                "FALLBACK": "fallback",
                "socket_connect_timeout": 0.5,
                "socket_timeout": 0.5,
                **options,
            },
        },
        "fallback": DATABASE,
    }


def default_cache() -> fallback_cache.FallbackRedisCache:
    cache = caches["default"]
    assert isinstance(cache, fallback_cache.FallbackRedisCache)
    return cache


def answering(cache: fallback_cache.FallbackRedisCache) -> bool:
    return cache.redis_answering


@pytest.fixture(autouse=True)
def _fresh_outages(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(fallback_cache, "_OUTAGES", {})
    monkeypatch.setattr(fallback_cache, "_MEMORY", {})
    yield


def test_with_redis_refusing_every_operation_uses_the_database_cache(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="tandem.core.cache")
    with override_settings(CACHES=caches_for(f"redis://127.0.0.1:{free_port()}/0")):
        cache = default_cache()
        started = time.monotonic()
        cache.set("a", 1)
        assert cache.get("a") == 1
        assert cache.add("b", 2) and not cache.add("b", 3)
        assert cache.incr("a") == 2
        assert cache.get_many(["a", "b"]) == {"a": 2, "b": 2}
        assert cache.has_key("b")
        cache.set_many({"c": 3, "d": 4})
        cache.delete_many(["c"])
        assert cache.get_or_set("d", 5) == 4
        assert cache.delete("b") and not cache.has_key("b")
        assert time.monotonic() - started < 2  # Redis is tried once, then left alone
        # The same entries are in the database cache, shared by every process.
        assert caches["fallback"].get("a") == 2
        assert not cache.redis_answering
    assert caplog.text.count("does not answer") == 1


def test_logging_in_works_while_redis_is_down(service_user: User) -> None:
    # allauth's rate limits are in the default cache: a login used to answer the outage page.
    with override_settings(CACHES=caches_for(f"redis://127.0.0.1:{free_port()}/0")):
        login_client(Client(), service_user)


def test_a_missing_fallback_table_falls_back_to_memory(caplog: pytest.LogCaptureFixture) -> None:
    settings = caches_for(f"redis://127.0.0.1:{free_port()}/0")
    settings["fallback"] = {**DATABASE, "LOCATION": "no_such_cache_table"}
    with override_settings(CACHES=settings):
        cache = caches["default"]
        cache.set("a", 1)
        cache.set("b", 2)
        assert cache.get("a") == 1 and cache.get("b") == 2
    assert caplog.text.count("run manage.py createcachetable") == 1


@pytest.mark.fault
def test_back_on_redis_once_it_answers_again(tmp_path: Path) -> None:
    with throwaway_redis(tmp_path / "redis") as server:
        settings = caches_for(server.url, RETRY_SECONDS=0.2)
        direct = redis.Redis.from_url(server.url, socket_timeout=2)
        with override_settings(CACHES=settings):
            cache = default_cache()
            cache.set("before", 1)
            assert direct.exists(cache.make_key("before"))
            server.stop()
            cache.set("during", 2)  # into the database cache
            assert cache.get("during") == 2
            assert not answering(cache)
            server.start()
            time.sleep(0.3)  # RETRY_SECONDS
            cache.set("after", 3)
            assert answering(cache)
            assert direct.exists(cache.make_key("after"))
            assert caches["fallback"].get("during") == 2
        direct.close()
