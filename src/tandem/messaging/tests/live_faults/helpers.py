"""What the live-messaging fault tests share: the portal's environment on a copy of the seeded
folder, a browser's live socket, and sending through the page worker."""

from __future__ import annotations

import json
import re
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tandem.messaging.tests.servers import server_env


@dataclass(frozen=True)
class Seeded:
    data: Path
    thread: int
    sessions: dict[str, str]


def portal_env(tmp_path: Path, template: Seeded, **extra: str) -> dict[str, str]:
    shutil.copytree(template.data, tmp_path / "data")
    return server_env(
        TANDEM_DATA_DIR=str(tmp_path / "data"),
        TANDEM_CRISIS_CACHE_FILE=str(tmp_path / "state" / "crisis-contacts.json"),
        **extra,
    )


# --- A browser's socket ----------------------------------------------------------------------


def open_socket(host: str, session: str) -> ClientConnection:
    return connect(
        f"ws://{host}/ws/messaging/",
        additional_headers={"Cookie": f"sessionid={session}", "Origin": f"http://{host}"},
        open_timeout=10,
        close_timeout=2,
    )


class LiveSocket:
    """A socket whose frames are read on a thread as they come, each with the time."""

    def __init__(self, host: str, session: str) -> None:
        self.connection = open_socket(host, session)
        self.frames: list[tuple[float, dict[str, Any]]] = []
        self.close_code: int | None = None
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        try:
            while True:
                text = self.connection.recv()
                with self._lock:
                    self.frames.append((time.monotonic(), json.loads(text)))
        except ConnectionClosed as closed:
            self.close_code = closed.rcvd.code if closed.rcvd is not None else 1006

    def send(self, frame: dict[str, Any]) -> None:
        self.connection.send(json.dumps(frame))

    def snapshot(self) -> list[tuple[float, dict[str, Any]]]:
        with self._lock:
            return list(self.frames)

    def wait_for(self, kind: str, timeout: float = 10) -> dict[str, Any]:
        """The first frame of ``kind`` that has come or comes within ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            for _at, frame in self.snapshot():
                if frame["type"] == kind:
                    return frame
            if time.monotonic() > deadline or not self._reader.is_alive():
                raise AssertionError(f"no {kind} frame; got {self.snapshot()}")
            time.sleep(0.02)

    def shown(self) -> dict[str, list[float]]:
        """Each message (by its body) and when it came: once, unless it came twice."""
        seen: dict[str, list[float]] = {}
        for at, frame in self.snapshot():
            if frame["type"] == "messages":
                for message in frame["messages"]:
                    for body in re.findall(r"msg-[a-z]+-\d+-[0-9a-f]{6}", message["html"]):
                        seen.setdefault(body, []).append(at)
        return seen

    def close(self) -> None:
        self.connection.close()
        self._reader.join(timeout=5)
