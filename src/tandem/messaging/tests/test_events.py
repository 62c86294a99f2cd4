"""Publishing live events from synchronous code (page workers)."""

from __future__ import annotations

import asyncio
import threading
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
