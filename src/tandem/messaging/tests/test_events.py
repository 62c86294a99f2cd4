"""Publishing live events from synchronous code (page workers)."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from tandem.messaging import events


class RecordingLayer:
    """Stands in for a Redis layer: remembers the loop and thread each send ran on."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any], asyncio.AbstractEventLoop, str]] = []

    async def group_send(self, group: str, event: dict[str, Any]) -> None:
        loop = asyncio.get_running_loop()
        self.sent.append((group, event, loop, threading.current_thread().name))


def test_a_page_worker_publishes_on_one_long_lived_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    # A new loop per message would mean a new Redis connection per message (tens of ms each).
    layer = RecordingLayer()
    monkeypatch.setattr(events, "get_channel_layer", lambda: layer)
    events._send_all([("a", {"type": "one"})])
    events._send_all([("b", {"type": "two"}), ("c", {"type": "three"})])
    assert [group for group, *_rest in layer.sent] == ["a", "b", "c"]
    loops = {loop for _group, _event, loop, _thread in layer.sent}
    assert len(loops) == 1
    (loop,) = loops
    assert loop.is_running() and not loop.is_closed()
    assert {thread for *_rest, thread in layer.sent} == {"tandem-live-events"}


def test_a_failed_publish_is_logged_not_raised(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # The message is stored before anything is published: a Redis outage must not fail a send.
    class BrokenLayer:
        async def group_send(self, group: str, event: dict[str, Any]) -> None:
            raise ConnectionError("Redis is away")

    monkeypatch.setattr(events, "get_channel_layer", BrokenLayer)
    events._send_all([("a", {"type": "one"})])
    assert "Could not publish a live messaging event" in caplog.text


class FlakyLayer:
    """A channel layer that answers, refuses (Redis down) or never answers (Redis hung)."""

    def __init__(self) -> None:
        self.mode = "up"
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.flushes = 0

    async def group_send(self, group: str, event: dict[str, Any]) -> None:
        if self.mode == "down":
            raise ConnectionError("Connection refused")
        if self.mode == "hung":
            await asyncio.sleep(30)
        self.sent.append((group, event))

    async def flush(self) -> None:
        self.flushes += 1


def _timed_send(layer: FlakyLayer, group: str, event: dict[str, Any]) -> float:
    started = time.monotonic()
    events._send_all([(group, event)])
    return time.monotonic() - started


def _wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.mark.parametrize("mode", ["down", "hung"])
def test_a_down_or_hung_layer_never_holds_a_send_and_held_events_go_out_when_it_is_back(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, mode: str
) -> None:
    layer = FlakyLayer()
    monkeypatch.setattr(events, "get_channel_layer", lambda: layer)
    caplog.set_level(logging.WARNING, logger="tandem.messaging.events")
    layer.mode = mode
    first = _timed_send(layer, "messaging.thread.1", {"type": "thread.changed", "message": 1})
    assert first < events.PUBLISH_TIMEOUT_SECONDS + 0.15
    # The breaker is open: later sends do not wait at all, and nothing more is logged.
    later = [
        _timed_send(layer, "messaging.thread.1", {"type": "thread.changed", "message": n})
        for n in range(2, 12)
    ]
    assert max(later) < 0.02, later
    assert caplog.text.count("Could not publish a live messaging event") == 1
    assert layer.sent == []
    # Back: everything held is published (once each), then sends publish at once again.
    layer.mode = "up"
    _wait_for(lambda: "Live messaging events are back" in caplog.text)
    assert not events._PUBLISHER.down
    assert [event["message"] for _group, event in layer.sent] == list(range(1, 12))
    assert layer.flushes >= 1  # a fresh connection, not the one that failed
    events._send_all([("messaging.thread.1", {"type": "thread.changed", "message": 12})])
    assert layer.sent[-1][1]["message"] == 12


def test_held_events_are_bounded_and_repeats_are_kept_once(monkeypatch: pytest.MonkeyPatch) -> None:
    layer = FlakyLayer()
    monkeypatch.setattr(events, "get_channel_layer", lambda: layer)
    monkeypatch.setattr(events, "MAX_HELD_EVENTS", 5)
    layer.mode = "down"
    for n in range(10):
        events._send_all([("messaging.user.1", events._unread_event())])
        events._send_all([("messaging.thread.1", {"type": "thread.changed", "message": n})])
    layer.mode = "up"
    _wait_for(lambda: not events._PUBLISHER.down)
    # One unread recount (their nonces differ, the recount does not), the newest thread events.
    assert [group for group, _event in layer.sent].count("messaging.user.1") <= 1
    assert len(layer.sent) == 5
    assert layer.sent[-1][1]["message"] == 9
