"""One dead WebSocket worker must not stop the server (issue 12): granian ASGI, 2 workers; the
worker holding a socket is killed: that socket closes, the other worker's sockets carry on, the
client reconnects and new sockets are accepted, by the new worker too.

SQLite in a temporary folder (a migrated, seeded template copied per test), loopback only,
every test bounded in time (SIGALRM and timeouts); only processes started here are signalled.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tandem.messaging.tests.servers import free_port
from tandem.web.tests.servers import (
    alive,
    children,
    granian,
    holder_of,
    wait_until,
)
from tandem.web.tests.supervision.helpers import copy_env, new_workers, sessions

# --- WebSockets: SIGKILL of an ASGI worker ---------------------------------------------------


def open_socket(host: str, session: str) -> ClientConnection:
    socket = connect(
        f"ws://{host}/ws/messaging/",
        additional_headers={"Cookie": f"sessionid={session}", "Origin": f"http://{host}"},
        open_timeout=20,
    )
    assert json.loads(socket.recv(timeout=20))["type"] == "unread"
    return socket


def answers_ping(socket: ClientConnection) -> bool:
    socket.send(json.dumps({"type": "ping"}))
    # An unread count may come first.
    return any(json.loads(socket.recv(timeout=10))["type"] == "pong" for _ in range(5))


@pytest.mark.fault
def test_sigkill_of_a_websocket_worker_keeps_accepting_sockets(
    tmp_path: Path, template: tuple[Path, dict[str, object]]
) -> None:
    data, seeded = template
    env = copy_env(tmp_path, data)
    session, thread = sessions(seeded)["skylark"], int(str(seeded["thread"]))
    opened: list[ClientConnection] = []
    try:
        with granian("asginl", env, tmp_path / "server.log", port=free_port(), workers=2) as server:
            host = f"{server.host}:{server.port}"
            workers = children(server.pid)
            # Open sockets until each worker holds one (a worker accepts once it has loaded
            # Django).
            by_worker: dict[int, ClientConnection] = {}

            def one_on_each() -> bool:
                socket = open_socket(host, session)
                opened.append(socket)
                pid = wait_until(
                    lambda: holder_of(socket.socket, workers), timeout=10, what="a socket's worker"
                )
                by_worker.setdefault(pid, socket)
                return len(by_worker) == 2

            wait_until(one_on_each, timeout=60, interval=0.2, what="a socket on each worker")
            (victim, doomed), (survivor, kept) = by_worker.items()

            os.kill(victim, signal.SIGKILL)
            with pytest.raises(ConnectionClosed):
                while True:  # a frame already on its way may come first
                    doomed.recv(timeout=10)
            # The other worker's socket carries on, and the browser reconnects at once.
            assert answers_ping(kept)
            kept.send(json.dumps({"type": "subscribe", "thread": thread, "after": 0}))
            assert json.loads(kept.recv(timeout=10))["type"] == "subscribed"
            again = open_socket(host, session)
            opened.append(again)
            assert answers_ping(again)

            # A new worker replaces the dead one and takes new sockets once it has started.
            now = new_workers(server.pid, workers, 2)
            (respawned,) = now - workers
            assert survivor in now and not alive(victim)

            def lands_on_respawned() -> bool:
                socket = open_socket(host, session)
                opened.append(socket)
                assert answers_ping(socket)
                pid = wait_until(
                    lambda: holder_of(socket.socket, now), timeout=10, what="a socket's worker"
                )
                return bool(pid == respawned)

            wait_until(
                lands_on_respawned,
                timeout=60,
                interval=0.2,
                what="a new socket to reach the respawned worker",
            )
    finally:
        for socket in opened:
            socket.close()
    log = (tmp_path / "server.log").read_text()
    assert "Respawning worker" in log, log[-3000:]
