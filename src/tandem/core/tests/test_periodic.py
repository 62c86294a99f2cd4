"""The loop every clock-driven job shares (core.periodic): once, or every N seconds, surviving
a failed tick and stopping cleanly on a signal."""

from __future__ import annotations

import io
import os
import signal

import pytest
from django.core.management import call_command
from django.db import DatabaseError

from tandem.core.periodic import PeriodicCommand

# Each tick starts by closing stale database connections, which touches the connection.
pytestmark = pytest.mark.django_db


class FlakyJob(PeriodicCommand):
    """Fails its first tick as a database outage would, reports the second, then asks the
    process to stop (as systemd or ``serve`` would with SIGTERM)."""

    def __init__(self) -> None:
        super().__init__(stdout=io.StringIO())
        self.ticks = 0

    def tick(self) -> str:
        self.ticks += 1
        if self.ticks == 1:
            raise DatabaseError("the database went away")
        if self.ticks == 3:
            os.kill(os.getpid(), signal.SIGTERM)
        return "did a thing"


def test_once_prints_what_the_tick_did() -> None:
    out = io.StringIO()
    job = FlakyJob()
    job.ticks = 1  # past the failing tick
    call_command(job, stdout=out)
    assert out.getvalue().strip() == "did a thing"


def test_a_failed_tick_is_logged_and_the_loop_goes_on_until_a_signal(
    caplog: pytest.LogCaptureFixture,
) -> None:
    previous = signal.getsignal(signal.SIGTERM)
    try:
        job = FlakyJob()
        call_command(job, every=1)
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    # The outage did not end the loop: it ticked again, and stopped only on the signal.
    assert job.ticks == 3
    assert "failed; trying again at the next tick" in caplog.text
