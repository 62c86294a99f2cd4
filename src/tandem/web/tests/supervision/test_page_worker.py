"""One dead page worker must not stop the server (issue 12): a real granian WSGI server, 2
workers, as ``manage.py serve`` starts it (``granian_command``). The worker holding a reply POST
is killed (found through /proc: the child of granian's main process that holds the server side
of the connection), either before the message is stored (this test holds SQLite's write lock,
so the request waits for it) or after (the reply is committed and the worker stalls before
answering: ``servers.stalling_application``). The browser sends the same form again, with the
same ``client_key``: exactly one message is stored, a new worker replaces the dead one and the
pages and the crisis page answer.

SQLite in a temporary folder (a migrated, seeded template copied per test), loopback only,
every test bounded in time (SIGALRM and timeouts); only processes started here are signalled.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import sqlite3
import time
import uuid
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tandem.messaging.tests.servers import free_port
from tandem.web.tests.servers import (
    STALL_HEADER,
    alive,
    children,
    granian,
    holder_of,
    wait_until,
)
from tandem.web.tests.supervision.helpers import (
    Answer,
    assert_still_serving,
    copy_env,
    get,
    new_workers,
    sessions,
)


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
