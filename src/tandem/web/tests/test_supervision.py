"""One dead worker must not stop the server (issue 12): real granian servers and a real
``manage.py serve`` lose a process to SIGKILL, and keep serving.

* Pages: granian WSGI, 2 workers, as ``manage.py serve`` starts it (``granian_command``). The
  worker holding a reply POST is killed (found through /proc: the child of granian's main
  process that holds the server side of the connection), either before the message is stored
  (this test holds SQLite's write lock, so the request waits for it) or after (the reply is
  committed and the worker stalls before answering: ``servers.stalling_application``). The
  browser sends the same form again, with the same ``client_key``: exactly one message is
  stored, a new worker replaces the dead one and the pages and the crisis page answer.
* WebSockets: granian ASGI, 2 workers; the worker holding a socket is killed: that socket
  closes, the other worker's sockets carry on, the client reconnects and new sockets are
  accepted, by the new worker too.
* ``manage.py serve``: its escalation sweep, task worker and pages server are killed; each
  comes back within seconds while the pages keep answering; SIGTERM stops everything.

SQLite in a temporary folder (a migrated, seeded template copied per test), loopback only,
every test bounded in time (SIGALRM and timeouts); only processes started here are signalled.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tandem.messaging.tests.servers import free_port, manage, seed, server_env
from tandem.web.management.commands.serve import CrashLoop, Supervisor
from tandem.web.tests.servers import (
    STALL_HEADER,
    alive,
    children,
    command_line,
    descendants,
    free_port_pair,
    granian,
    holder_of,
    started,
    wait_for_http,
    wait_until,
)

ROOT = Path(__file__).resolve().parents[4]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    """A migrated SQLite data folder with Skylark (a service user), Pat (their provider) and a
    thread between them, logged in; each test copies it (migrating is slow)."""
    folder = tmp_path_factory.mktemp("supervision-template")
    env = server_env(
        TANDEM_DATA_DIR=str(folder / "data"),
        TANDEM_CRISIS_CACHE_FILE=str(folder / "state" / "crisis-contacts.json"),
    )
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "createcachetable")
    return folder / "data", seed(env)


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


@dataclass(frozen=True)
class ReplyForm:
    """What a browser holds once the thread page is open: the form, its key, the cookies."""

    path: str
    csrf_cookie: str
    csrf_token: str
    client_key: str
    session: str

    def request(self, body: str) -> tuple[str, dict[str, str]]:
        form = {"csrfmiddlewaretoken": self.csrf_token, "client_key": self.client_key}
        headers = {
            "Accept-Language": "en",
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"sessionid={self.session}; csrftoken={self.csrf_cookie}",
        }
        return urlencode({**form, "body": body}), headers


def open_thread(host: str, session: str, thread: int) -> ReplyForm:
    page = get(host, f"/messages/{thread}/", {"sessionid": session})
    assert page.status == 200, page.body[:2000]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    key = re.search(r'name="client_key" value="([^"]+)"', page.body)
    assert token and key, "the thread page has no reply form"
    jar: SimpleCookie = SimpleCookie()
    for header in page.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    assert "csrftoken" in jar, page.headers
    return ReplyForm(
        f"/messages/{thread}/reply/", jar["csrftoken"].value, token.group(1), key.group(1), session
    )


def send(host: str, form: ReplyForm, body: str) -> Answer:
    name, port = host.split(":")
    connection = http.client.HTTPConnection(name, int(port), timeout=20)
    data, headers = form.request(body)
    try:
        connection.request(
            "POST", form.path, body=data, headers={**headers, "Origin": f"http://{host}"}
        )
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read().decode())
    finally:
        connection.close()


def stored(database: Path, client_key: str) -> list[int]:
    """Ids of the messages stored with ``client_key`` (read beside the server: WAL)."""
    with sqlite3.connect(database, timeout=10) as connection:
        rows = connection.execute(
            "SELECT id FROM messaging_message WHERE client_key = ?", (uuid.UUID(client_key).hex,)
        ).fetchall()
    connection.close()
    return [int(row[0]) for row in rows]


def has_open(pid: int, path: Path) -> bool:
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == str(path):
                return True
        except OSError:
            continue
    return False


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


# --- Pages: SIGKILL of the WSGI worker holding a POST ----------------------------------------


@pytest.mark.fault
@pytest.mark.parametrize("killed", ["before-commit", "after-commit"])
def test_sigkill_of_a_page_worker_mid_post_loses_and_duplicates_nothing(
    tmp_path: Path, template: tuple[Path, dict[str, object]], killed: str
) -> None:
    data, seeded = template
    env = copy_env(tmp_path, data)
    database = tmp_path / "data" / "tandem.sqlite3"
    session, thread = sessions(seeded)["skylark"], int(str(seeded["thread"]))
    body = f"Still here after the crash {uuid.uuid4().hex[:8]}"
    # After the commit, the worker must stall before answering: a wrapper around Tandem's
    # application does that for requests with STALL_HEADER. Before it, Tandem's own.
    app = "tandem.web.tests.servers:stalling_application" if killed == "after-commit" else None
    with granian(
        "wsgi",
        env,
        tmp_path / "server.log",
        port=free_port(),
        workers=2,
        blocking_threads=1,
        app=app,
    ) as server:
        host = f"{server.host}:{server.port}"
        workers = children(server.pid)
        assert len(workers) == 2
        form = open_thread(host, session, thread)

        lock = None
        if killed == "before-commit":
            # Hold SQLite's write lock: the view's transaction waits for it (busy timeout 5 s).
            lock = sqlite3.connect(database, isolation_level=None, timeout=10)
            lock.execute("BEGIN IMMEDIATE")
        posting = http.client.HTTPConnection(server.host, server.port, timeout=30)
        data_, headers = form.request(body)
        headers["Origin"] = f"http://{host}"
        if killed == "after-commit":
            headers[STALL_HEADER] = "1"
        posting.request("POST", form.path, body=data_, headers=headers)
        assert posting.sock is not None
        client = posting.sock
        holder: int = wait_until(
            lambda: holder_of(client, workers), timeout=15, what="the worker holding the POST"
        )
        if killed == "before-commit":
            # The worker opens the database for this request only (no persistent connection):
            # once it has, the request is inside Django, waiting for the lock to write.
            wait_until(
                lambda: has_open(holder, database), timeout=15, what="the POST to reach Django"
            )
            time.sleep(0.5)
            assert stored(database, form.client_key) == []
        else:
            wait_until(
                lambda: stored(database, form.client_key), timeout=15, what="the reply to be stored"
            )

        os.kill(holder, signal.SIGKILL)
        # The browser sees the connection drop, with no answer.
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            posting.getresponse().read()
        posting.close()
        if lock is not None:
            lock.execute("ROLLBACK")
            lock.close()
        before_retry = stored(database, form.client_key)
        assert len(before_retry) == (0 if killed == "before-commit" else 1)
        # granian replaces the killed worker; until the new one listens, a connection the kernel
        # hands to the old worker's socket is reset (a browser would retry that too). Wait for
        # it, so the retries below test what they are about: no loss and no duplicate.
        now = new_workers(server.pid, workers, 2)

        # ... and sends the same form again (twice: an impatient second tap).
        for _ in range(2):
            again = send(host, form, body)
            assert again.status == 302, again.body[:2000]
            ids = stored(database, form.client_key)
            assert len(ids) == 1, ids
            assert again.headers["Location"].endswith(f"#message-{ids[0]}")
        if before_retry:
            assert ids == before_retry  # the retry returned the message stored before the kill

        assert holder not in now and not alive(holder)
        assert_still_serving(host, session)
        page = get(host, f"/messages/{thread}/", {"sessionid": session})
        assert page.status == 200
        assert page.body.count(body) == 1
    log = (tmp_path / "server.log").read_text()
    assert "Respawning worker" in log, log[-3000:]


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


# --- manage.py serve: supervision ------------------------------------------------------------

MARKERS = {
    "pages (WSGI)": "tandem.wsgi:application",
    "websockets (ASGI)": "tandem.asgi:application",
    "background tasks": " db_worker ",
    "escalation sweep": " escalate_overdue ",
}


def serve_children(serve: int) -> dict[str, int] | None:
    """serve's four children by name, once they are all there."""
    found = {}
    for pid in children(serve):
        line = command_line(pid) + " "
        for name, marker in MARKERS.items():
            if marker in line:
                found[name] = pid
    return found if len(found) == len(MARKERS) else None


def all_gone(pids: Iterable[int]) -> bool:
    return not any(alive(pid) for pid in pids)


def replaced(
    serve: subprocess.Popen[bytes], log: Path, name: str, old: int
) -> dict[str, int] | None:
    """serve's children once ``name`` runs again in a process other than ``old``."""
    if serve.poll() is not None:
        raise AssertionError(f"serve stopped (exit {serve.returncode}):\n{log.read_text()[-3000:]}")
    found = serve_children(serve.pid)
    return found if found and found[name] != old else None


@pytest.mark.fault
def test_serve_restarts_a_child_that_dies_and_keeps_serving(
    tmp_path: Path, template: tuple[Path, dict[str, object]]
) -> None:
    data, seeded = template
    # Development mode, as `make run`: the task worker needs the database task backend (test
    # mode runs tasks at once and db_worker refuses to start).
    env = copy_env(tmp_path, data, TANDEM_ENV="dev")
    session = sessions(seeded)["skylark"]
    port = free_port_pair()
    host = f"127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    command = [sys.executable, "-m", "tandem.manage", "serve", "--port", str(port)]
    with started(command, env, log) as serve:
        wait_for_http("127.0.0.1", port, serve, log)
        first: dict[str, int] = wait_until(
            lambda: serve_children(serve.pid), timeout=30, what="serve's four children"
        )

        timings = {}
        for name in ("escalation sweep", "background tasks", "pages (WSGI)"):
            victim = first[name]
            orphans = children(victim)  # granian's workers, for the pages
            killed_at = time.monotonic()
            os.kill(victim, signal.SIGKILL)
            back: dict[str, int] = wait_until(
                partial(replaced, serve, log, name, victim),
                timeout=20,
                what=f"serve to start {name} again",
            )
            timings[name] = time.monotonic() - killed_at
            # A killed granian main process leaves its workers behind: serve kills them, so
            # that no stale worker keeps serving beside the new server.
            wait_until(
                partial(all_gone, orphans),
                timeout=10,
                what=f"the workers left behind by {name}",
            )
            wait_for_http("127.0.0.1", port, serve, log)
            assert_still_serving(host, session)
            assert serve.poll() is None
            first = back
        assert all(seconds < 15 for seconds in timings.values()), timings
        text = log.read_text()
        for name in timings:
            assert f"serve: {name} stopped unexpectedly (killed by SIGKILL)" in text, text[-3000:]
            assert f"serve: {name} started again" in text

        # SIGTERM (what a process manager sends; Ctrl-C is the same) stops everything.
        everything = descendants(serve.pid)
        assert len(everything) >= 4 + 2  # four children, granian's workers
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=30) == 0, log.read_text()[-3000:]
        wait_until(
            partial(all_gone, everything),
            timeout=10,
            what="every process serve started to stop",
        )
    assert "Tandem stopped." in log.read_text()
    print(f"restart times: {timings}")  # noqa: T201 - timings for the report


def test_serve_stops_a_child_that_keeps_dying_instead_of_spinning() -> None:
    lines: list[str] = []
    supervisor = Supervisor(
        {
            "flaky": [sys.executable, "-c", "import sys; sys.exit(3)"],
            "steady": [sys.executable, "-c", "import time; time.sleep(120)"],
        },
        env=dict(os.environ),
        log=lines.append,
        first_delay=0.05,
        loop_exits=5,
        loop_seconds=60,
    )
    supervisor.start()
    steady = supervisor.pids()["steady"]
    try:
        with pytest.raises(CrashLoop, match=r"flaky stopped 5 times within 60 s \(last: exit 3\)"):
            supervisor.run(lambda: False)
    finally:
        supervisor.stop(timeout=5)
    assert not alive(steady)
    restarts = [line for line in lines if "stopped unexpectedly" in line]
    assert [line.rsplit(" in ", 1)[1] for line in restarts] == [
        "0.05 s.",
        "0.1 s.",
        "0.2 s.",
        "0.4 s.",
    ]
    assert sum("flaky started again" in line for line in lines) == 4
    assert not any("steady" in line for line in lines)


def test_every_documented_granian_server_respawns_failed_workers() -> None:
    """The commands an operator copies (docs/operations.md, the Procfile) respawn workers, and
    the Procfile shown in the docs is the one in the repository."""
    operations = (ROOT / "docs" / "operations.md").read_text()
    procfile = (ROOT / "Procfile").read_text()
    for name, text in (("operations.md", operations), ("Procfile", procfile)):
        commands = [line for line in text.splitlines() if "-m granian " in line]
        assert commands, name
        for line in commands:
            assert "--respawn-failed-workers" in line, f"{name}: {line}"
    processes = [line for line in procfile.splitlines() if line and not line.startswith("#")]
    assert [line.split(":", 1)[0] for line in processes] == [
        "web",
        "websockets",
        "tasks",
        "sweep",
        "datarights",
        "retention",
        "reviews",
        "checkins",
        "purge",
        "courses",
        "unanswered",
    ]
    for line in processes:
        assert f"\n{line}\n" in operations, f"docs/operations.md does not show: {line}"
