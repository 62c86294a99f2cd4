"""The burst test's people and counts: one person's browser (GET the page, POST the reply with
the form's token and ``client_key``, retry a dropped connection once with the same form), the
tally of what was sent, and reads of what the database holds."""

from __future__ import annotations

import http.client
import re
import sqlite3
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

REQUEST_TIMEOUT_SECONDS = 30


# --- One person's browser --------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """A POST the server accepted (302), or refused (``location`` is None)."""

    kind: str  # "post" or "message"
    client_key: str
    status: int
    location: str | None


@dataclass
class Tally:
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    post_seconds: list[float] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    dropped: int = 0  # connections dropped once, then retried
    failures: list[str] = field(default_factory=list)  # no answer even after the retry
    lock: threading.Lock = field(default_factory=threading.Lock)


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KEY = re.compile(r'name="client_key" value="([^"]+)"')


class Browser:
    """One person: their cookies, and the forms they fill in."""

    def __init__(self, host: str, person: dict[str, object], topic: int, tally: Tally) -> None:
        self.host = host
        self.name, port = host.split(":")
        self.port = int(port)
        self.person = int(str(person["id"]))
        self.cookies = {"sessionid": str(person["session"])}
        self.tally = tally
        self.pages = {
            "post": (f"/topics/{topic}/", f"/topics/{topic}/reply/"),
            "message": (f"/messages/{person['thread']}/", f"/messages/{person['thread']}/reply/"),
        }
        self.written = 0

    def _exchange(
        self, method: str, path: str, body: str | None = None
    ) -> tuple[int, http.client.HTTPMessage, str]:
        connection = http.client.HTTPConnection(
            self.name, self.port, timeout=REQUEST_TIMEOUT_SECONDS
        )
        headers = {
            "Accept-Language": "en",
            "Cookie": "; ".join(f"{key}={value}" for key, value in self.cookies.items()),
        }
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://{self.host}"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        jar: SimpleCookie = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        self.cookies.update({name: morsel.value for name, morsel in jar.items()})
        return response.status, response.headers, text

    def _with_one_retry(
        self, method: str, path: str, body: str | None = None
    ) -> tuple[int, http.client.HTTPMessage, str] | None:
        """The answer; after a dropped connection, the answer to the same request sent again
        (for a form: the same ``client_key``, as a browser resubmitting it)."""
        for attempt in range(2):
            started = time.monotonic()
            try:
                answer = self._exchange(method, path, body)
            except (ConnectionError, http.client.HTTPException) as error:
                with self.tally.lock:
                    if attempt == 0:
                        self.tally.dropped += 1
                        continue
                    self.tally.failures.append(f"{method} {path}: {error!r}")
                return None
            except TimeoutError as error:
                with self.tally.lock:
                    self.tally.failures.append(f"{method} {path}: {error!r}")
                return None
            with self.tally.lock:
                if method == "POST":
                    self.tally.post_seconds.append(time.monotonic() - started)
                self.tally.statuses[(method, answer[0])] += 1
            return answer
        return None

    def write(self, kind: str) -> None:
        page, action = self.pages[kind]
        shown = self._with_one_retry("GET", page)
        if shown is None or shown[0] != 200:
            return
        text = shown[2]
        form = text[text.index(f'action="{action}"') :] if f'action="{action}"' in text else ""
        token, key = TOKEN.search(form), KEY.search(form)
        if token is None or key is None:
            with self.tally.lock:
                self.tally.failures.append(f"GET {page}: no reply form")
            return
        self.written += 1
        body = f"Burst {kind} {self.written} from person {self.person}: a short walk helped."
        data = urlencode(
            {"csrfmiddlewaretoken": token.group(1), "client_key": key.group(1), "body": body}
        )
        answer = self._with_one_retry("POST", action, data)
        if answer is None:
            return
        status, headers, _ = answer
        location = headers["Location"] if status == 302 else None
        with self.tally.lock:
            self.tally.sent.append(Sent(kind, key.group(1), status, location))


def person_at_work(browser: Browser, start: threading.Barrier, deadline: list[float]) -> None:
    start.wait(timeout=60)
    # Half the people start with a forum reply, half with a care message.
    kinds = ("post", "message") if browser.person % 2 else ("message", "post")
    turn = 0
    while time.monotonic() < deadline[0]:
        browser.write(kinds[turn % 2])
        turn += 1


# --- What the database holds -----------------------------------------------------------------


def rows_by_key(database: Path, table: str) -> dict[str, list[int]]:
    """Ids of ``table``'s rows by client key (read beside the server: WAL)."""
    found: dict[str, list[int]] = {}
    with sqlite3.connect(database, timeout=10) as connection:
        rows = connection.execute(
            f"SELECT client_key, id FROM {table} WHERE client_key IS NOT NULL"  # noqa: S608 - fixed names
        ).fetchall()
    connection.close()
    for key, row in rows:
        found.setdefault(str(uuid.UUID(key)), []).append(int(row))
    return found


def count(database: Path, sql: str, *params: object) -> int:
    with sqlite3.connect(database, timeout=10) as connection:
        (number,) = connection.execute(sql, params).fetchone()
    connection.close()
    return int(number)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def get_status(host: str, path: str, cookies: dict[str, str] | None = None) -> int:
    name, port = host.split(":")
    connection = http.client.HTTPConnection(name, int(port), timeout=REQUEST_TIMEOUT_SECONDS)
    headers = {"Accept-Language": "en"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{key}={value}" for key, value in cookies.items())
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()
