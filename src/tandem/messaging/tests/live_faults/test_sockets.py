"""Live sockets under abuse, and when the database goes away for real.

The portal runs as in production, on a SQLite file in a temporary folder: a granian ASGI
process for sockets and, where messages are sent, a granian WSGI process for pages (messages
are posted through the reply form, as a browser would). Redis is a redis-server of the test's
own on a free loopback port (``servers.ThrowawayRedis``); the shared one on 6379 is never
touched. The faults:

* One person opens 100 sockets: past the cap they are closed with 4429 and a reason, and
  another person's socket works.
* A frame of 2,000 nested brackets: an error frame, and the socket stays open.
* The database goes away (its folder is renamed) before a socket's session reaches its idle
  limit: the socket is closed at the limit all the same.

Every test is bounded in time (SIGALRM) and stops everything it started.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection

from tandem.messaging.tests.live_faults.helpers import LiveSocket, Seeded, open_socket, portal_env
from tandem.messaging.tests.servers import free_port, granian

pytestmark = pytest.mark.fault


# --- Many sockets, hostile frames ------------------------------------------------------------


def test_a_person_opening_100_sockets_is_refused_past_the_cap_and_others_are_not(
    tmp_path: Path, template: Seeded
) -> None:
    env = portal_env(tmp_path, template, TANDEM_WS_MAX_SOCKETS_PER_PERSON="20")
    with granian("asginl", free_port(), env, tmp_path / "sockets.log") as host:
        accepted: list[ClientConnection] = []
        refused: list[tuple[int | None, str | None]] = []
        try:
            for _ in range(100):
                connection = open_socket(host, template.sessions["pat"])
                try:
                    assert json.loads(connection.recv(timeout=10))["type"] == "unread"
                    accepted.append(connection)
                except ConnectionClosed as closed:
                    frame = closed.rcvd
                    refused.append((frame.code, frame.reason) if frame else (None, None))
            assert len(accepted) == 20
            assert len(refused) == 80
            assert set(refused) == {(4429, "Too many live connections open for one person.")}

            # Skylark is not affected, nor are Pat's first twenty.
            with open_socket(host, template.sessions["skylark"]) as other:
                assert json.loads(other.recv(timeout=10))["type"] == "unread"
                other.send(json.dumps({"type": "subscribe", "thread": template.thread}))
                assert json.loads(other.recv(timeout=10))["type"] == "subscribed"
                other.send('{"type": "ping"}')
                while (answer := json.loads(other.recv(timeout=10)))["type"] == "messages":
                    pass
                assert answer == {"type": "pong"}
            for connection in (accepted[0], accepted[-1]):
                connection.send('{"type": "ping"}')
                assert json.loads(connection.recv(timeout=10)) == {"type": "pong"}
        finally:
            for connection in accepted:
                connection.close()


def test_a_deeply_nested_frame_gets_an_error_and_the_socket_stays_open(
    tmp_path: Path, template: Seeded
) -> None:
    env = portal_env(tmp_path, template)
    with (
        granian("asginl", free_port(), env, tmp_path / "sockets.log") as host,
        open_socket(host, template.sessions["skylark"]) as socket,
    ):
        assert json.loads(socket.recv(timeout=10))["type"] == "unread"
        # 2,000 characters: within the size limit, deeper than Python's parser goes.
        socket.send("[" * 1000 + "]" * 1000)
        reply = json.loads(socket.recv(timeout=10))
        assert reply["type"] == "error" and reply["code"] == "too_deep", reply
        socket.send('{"type": "ping"}')
        assert json.loads(socket.recv(timeout=10)) == {"type": "pong"}


# --- The database goes away ------------------------------------------------------------------

AGE_SCRIPT = """
import sys
from datetime import timedelta
from importlib import import_module
import django
django.setup()
from django.conf import settings
from django.utils import timezone
from tandem.accounts.middleware import SEEN_AT_KEY

store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=sys.argv[1])
seen = timezone.now() - settings.TANDEM_IDLE_TIMEOUT + timedelta(seconds=float(sys.argv[2]))
store[SEEN_AT_KEY] = seen.isoformat()
store.save()
"""


def test_a_socket_is_closed_at_its_idle_limit_while_the_database_is_away(
    tmp_path: Path, template: Seeded
) -> None:
    env = portal_env(tmp_path, template)
    session = template.sessions["skylark"]
    with granian("asginl", free_port(), env, tmp_path / "sockets.log") as host:
        # Skylark's last page was nearly 30 minutes ago: the session goes idle in 12 s.
        subprocess.run(  # noqa: S603 - fixed argv
            [sys.executable, "-c", AGE_SCRIPT, session, "12"],
            env=env,
            check=True,
            timeout=60,
            capture_output=True,
        )
        idle_at = time.monotonic() + 12
        socket = LiveSocket(host, session)
        try:
            socket.wait_for("unread")
            # The database goes away before the socket checks its session at the limit.
            (tmp_path / "data").rename(tmp_path / "data-away")
            closed = socket.wait_for("closed", timeout=idle_at - time.monotonic() + 10)
            assert closed == {"type": "closed", "reason": "unverified"}
            assert time.monotonic() >= idle_at - 1  # at the limit, not before
            # granian completes a close the server starts once the client sends something (as
            # live.js does: it closes the socket on "closed"); the socket answers nothing more.
            socket.send({"type": "ping"})
            _wait(lambda: socket.close_code is not None, timeout=10)
            assert socket.close_code == 4503
            assert all(frame["type"] != "pong" for _at, frame in socket.snapshot())
        finally:
            socket.close()
            if (tmp_path / "data-away").exists():
                (tmp_path / "data-away").rename(tmp_path / "data")


def _wait(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
