"""What the supervision tests share: copying the seeded data folder, plain HTTP requests to the
server, and finding the processes it runs."""

from __future__ import annotations

import http.client
import shutil
from dataclasses import dataclass
from pathlib import Path

from tandem.messaging.tests.servers import server_env
from tandem.web.tests.servers import (
    children,
    wait_until,
)


def copy_env(tmp_path: Path, template: Path, **extra: str) -> dict[str, str]:
    shutil.copytree(template, tmp_path / "data")
    return server_env(
        TANDEM_DATA_DIR=str(tmp_path / "data"),
        TANDEM_CRISIS_CACHE_FILE=str(tmp_path / "state" / "crisis-contacts.json"),
        **extra,
    )


def sessions(seeded: dict[str, object]) -> dict[str, str]:
    found = seeded["sessions"]
    assert isinstance(found, dict)
    return {str(name): str(key) for name, key in found.items()}


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: str


def get(host: str, path: str, cookies: dict[str, str] | None = None) -> Answer:
    name, port = host.split(":")
    connection = http.client.HTTPConnection(name, int(port), timeout=20)
    headers = {"Accept-Language": "en"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{key}={value}" for key, value in cookies.items())
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read().decode())
    finally:
        connection.close()


def assert_still_serving(host: str, session: str) -> None:
    home = get(host, "/", {"sessionid": session})
    assert home.status == 200, home.body[:2000]
    assert "Hello, Skylark" in home.body
    crisis = get(host, "/crisis/")
    assert crisis.status == 200, crisis.body[:2000]
    assert "<h1>Need help now?</h1>" in crisis.body


def new_workers(main: int, before: set[int], count: int) -> set[int]:
    """Wait until granian's main process has ``count`` workers again, some of them new."""
    return set(
        wait_until(
            lambda: (now := children(main)) - before and len(now) == count and now,
            timeout=30,
            what="granian to respawn the killed worker",
        )
    )
