"""Scale-out for real: two ASGI server processes on one PostgreSQL database and one Redis.

A WebSocket client on process B sees a message that was posted through process A, which only
works when the channel layer is shared (Redis). Runs only when PostgreSQL and Redis answer on
127.0.0.1 (as in CI, through scripts/pytest.sh); otherwise it is skipped and says why.
"""

from __future__ import annotations

import json
import os
import re
import sys
import uuid
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode, urlsplit
from urllib.request import HTTPCookieProcessor, Request, build_opener

import pytest
from websockets.sync.client import connect

from tandem.messaging.tests.servers import answers, free_port, granian, manage, seed, server_env

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ADMIN_URL = os.environ.get("TANDEM_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tandem")
REDIS_URL = os.environ.get("TANDEM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _skip_unless_services() -> None:
    missing = [
        name
        for name, url in (("PostgreSQL", ADMIN_URL), ("Redis", REDIS_URL))
        if not answers(urlsplit(url).hostname or "127.0.0.1", urlsplit(url).port or 0)
    ]
    if missing:
        reason = f"{' and '.join(missing)} not answering on loopback: scale-out test skipped"
        print(reason, file=sys.stderr)  # noqa: T201 - the brief asks the skip to say why
        pytest.skip(reason)


def _fresh_database() -> tuple[str, str]:
    import psycopg

    name = f"tandem_scaleout_{uuid.uuid4().hex[:10]}"
    admin = urlsplit(ADMIN_URL)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return name, urlsplit(ADMIN_URL)._replace(path=f"/{name}").geturl()


def _drop_database(name: str) -> None:
    import psycopg

    admin = urlsplit(ADMIN_URL)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _post_reply(base: str, session: str, thread: int, body: str) -> int:
    """Log-in cookie, GET the thread page for the form's CSRF token, POST the reply."""
    jar = CookieJar()
    opener = build_opener(HTTPCookieProcessor(jar))
    opener.addheaders = [("Cookie", f"sessionid={session}")]
    page = opener.open(f"{base}/messages/{thread}/", timeout=20).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    key = re.search(r'name="client_key" value="([^"]+)"', page)
    assert token and key, "the thread page has no reply form"
    csrf_cookie = next(c.value for c in jar if c.name == "csrftoken")
    data = urlencode(
        {"csrfmiddlewaretoken": token.group(1), "client_key": key.group(1), "body": body}
    ).encode()
    request = Request(  # noqa: S310 - a loopback test server
        f"{base}/messages/{thread}/reply/",
        data=data,
        headers={"Cookie": f"sessionid={session}; csrftoken={csrf_cookie}", "Origin": base},
    )
    # A redirect to the thread page means stored.
    with build_opener().open(request, timeout=20) as response:
        return int(response.status)


def test_a_message_posted_through_process_a_reaches_a_socket_on_process_b(
    tmp_path: Path,
) -> None:
    _skip_unless_services()
    name, database_url = _fresh_database()
    try:
        env = server_env(
            DATABASE_URL=database_url,
            REDIS_URL=REDIS_URL,
            TANDEM_DATA_DIR=str(tmp_path),
        )
        manage(env, "migrate", "--noinput", "-v", "0")
        data = seed(env)
        sessions = data["sessions"]
        assert isinstance(sessions, dict)
        thread = int(str(data["thread"]))
        port_a, port_b = free_port(), free_port()
        with (
            granian("asginl", port_a, env, tmp_path / "a.log") as host_a,
            granian("asginl", port_b, env, tmp_path / "b.log") as host_b,
            connect(
                f"ws://{host_b}/ws/messaging/",
                additional_headers={
                    "Cookie": f"sessionid={sessions['pat']}",
                    "Origin": f"http://{host_b}",
                },
                open_timeout=10,
            ) as socket,
        ):
            assert json.loads(socket.recv(timeout=10)) == {"type": "unread", "count": 0}
            socket.send(json.dumps({"type": "subscribe", "thread": thread, "after": 0}))
            assert json.loads(socket.recv(timeout=10))["type"] == "subscribed"
            body = f"Posted through A {uuid.uuid4().hex[:6]}"
            _post_reply(f"http://{host_a}", str(sessions["skylark"]), thread, body)
            frames = [json.loads(socket.recv(timeout=10)) for _ in range(2)]
            kinds = {frame["type"]: frame for frame in frames}
            assert body in kinds["messages"]["messages"][0]["html"]
            assert kinds["unread"]["count"] == 1
    finally:
        _drop_database(name)
