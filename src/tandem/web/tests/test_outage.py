"""Database and Redis outages for real: a granian WSGI server in a subprocess loses its service.

* SQLite (always runs): the server's data folder is renamed away. Django opens a new SQLite
  connection per request (no ``CONN_MAX_AGE``), so the next query fails with "unable to open
  database file", the same OperationalError as a missing or unreadable database.
* PostgreSQL: a throwaway cluster (``initdb``/``pg_ctl`` from /usr/lib/postgresql/*/bin) on a
  free loopback port is stopped with ``pg_ctl stop -m immediate`` (a crash) and started
  again. Skipped, saying why, when the binaries are absent. The shared server on 5432 is never
  used.
* Redis: the server is pointed at a loopback port where nothing listens. Redis is optional at
  run time: logins and pages work (the cache falls back to the database cache) and /readyz
  says "degraded" with 200. (Redis restarting or hanging under live messaging:
  ``messaging/tests/test_live_faults.py``.)

Every test is bounded in time (SIGALRM) and stops everything it started.
"""

from __future__ import annotations

import glob
import http.client
import json
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tandem.accounts.tests.factories import TEST_PASSWORD
from tandem.messaging.tests.servers import free_port, granian, manage, server_env

pytestmark = pytest.mark.fault

ORG_COOKIE = "tandem-crisis-org"  # the dev/test name of TANDEM_CRISIS_ORGANISATION_COOKIE

SEED_SCRIPT = """
import json
import django
django.setup()
from django.test import Client
from tandem.accounts.models import Role
from tandem.accounts.tests.factories import (
    CrisisContactFactory, MembershipFactory, OrganisationFactory, UserFactory,
)

organisation = OrganisationFactory.create(name="Northside Test", slug="northside-test")
CrisisContactFactory.create(
    organisation=organisation, name="Northside crisis team", phone="0300 555 0199", position=0
)
person = UserFactory.create(email="sam@example.org", pseudonym="Skylark")
MembershipFactory.create(user=person, organisation=organisation, role=Role.SERVICE_USER)
client = Client()
client.force_login(person)
print(json.dumps({"session": client.cookies["sessionid"].value, "organisation": organisation.pk}))
"""

# Another process on the same host changes a contact: its commit rewrites the shared file.
EDIT_SCRIPT = """
import django
django.setup()
from tandem.accounts.models import CrisisContact

contact = CrisisContact.objects.get(name="Northside crisis team")
contact.name = "Northside night line"
contact.phone = "0300 555 0123"
contact.save()
"""


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: str

    def cookie(self, name: str) -> str | None:
        jar: SimpleCookie = SimpleCookie()
        for header in self.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return jar[name].value if name in jar else None


def request(
    host: str,
    path: str,
    *,
    cookies: dict[str, str] | None = None,
    method: str = "GET",
    form: dict[str, str] | None = None,
) -> Answer:
    name, port = host.split(":")
    connection = http.client.HTTPConnection(name, int(port), timeout=20)
    headers = {"Accept-Language": "en"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{key}={value}" for key, value in cookies.items())
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Origin"] = f"http://{host}"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read().decode())
    finally:
        connection.close()


def run_script(env: dict[str, str], script: str) -> str:
    result = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"script failed:\n{result.stderr[-3000:]}")
    return result.stdout


def prepare(env: dict[str, str]) -> dict[str, object]:
    """Migrate and seed: Northside Test with one contact, Skylark logged in."""
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "createcachetable")  # the cache while Redis is away (docs/operations.md)
    data: dict[str, object] = json.loads(run_script(env, SEED_SCRIPT).strip().splitlines()[-1])
    return data


def saved_file(env: dict[str, str]) -> dict[str, object]:
    data: dict[str, object] = json.loads(Path(env["TANDEM_CRISIS_CACHE_FILE"]).read_text())
    return data


@dataclass(frozen=True)
class Visitor:
    """What a browser holds from before the outage."""

    session: str
    organisation_cookie: str
    csrf_cookie: str
    csrf_token: str

    @property
    def logged_in(self) -> dict[str, str]:
        return {"sessionid": self.session, ORG_COOKIE: self.organisation_cookie}


def before_outage(host: str, session: str) -> Visitor:
    """A normal day: the crisis page names the person's organisation and sets its cookie; the
    login page hands out the CSRF token for a login attempt made during the outage."""
    page = request(host, "/crisis/", cookies={"sessionid": session})
    assert page.status == 200, page.body[:2000]
    assert "Northside crisis team" in page.body
    organisation_cookie = page.cookie(ORG_COOKIE)
    assert organisation_cookie, page.headers
    login = request(host, "/accounts/login/")
    assert login.status == 200
    csrf_cookie = login.cookie("csrftoken")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.body)
    assert csrf_cookie and token
    return Visitor(session, organisation_cookie, csrf_cookie, token.group(1))


def assert_outage_answer(answer: Answer) -> None:
    """What every answer during an outage shares: no cookies, nothing kept by caches."""
    assert answer.headers.get_all("Set-Cookie") is None, answer.headers.get_all("Set-Cookie")
    assert "no-store" in answer.headers["Cache-Control"]
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    # Quick exit still leaves.
    assert 'href="https://www.bbc.co.uk/weather"' in answer.body


def assert_contacts(answer: Answer) -> None:
    """The organisation's saved contacts, as edited by the other process, and the national
    defaults (the emergency number and the built-in helpline)."""
    assert "Contacts from Northside Test" in answer.body
    assert "Northside night line" in answer.body
    assert 'href="tel:03005550123"' in answer.body
    assert "Northside crisis team" not in answer.body  # the copy from before the edit
    assert "call 999" in answer.body
    assert "Samaritans" in answer.body
    assert 'href="tel:116123"' in answer.body


def check_crisis_page(host: str, cookies: dict[str, str] | None) -> None:
    page = request(host, "/crisis/", cookies=cookies)
    assert page.status == 200, page.body[:2000]
    assert "<h1>Need help now?</h1>" in page.body
    assert "Tandem is having trouble right now" in page.body
    assert_contacts(page)
    assert_outage_answer(page)


def check_outage(host: str, visitor: Visitor, *, first: str) -> None:
    """The database is gone: walk each path an outage error takes through Django.

    The first crisis page of the outage goes through the whole stack; after it, the process
    answers the crisis page from its copy at once for a while (CRISIS_SHORTCUT_SECONDS).
    ``first="visitor"``: a visitor's crisis page, which fails in the view
    (``process_exception``); ``first="person"``: the logged-in person's, which fails in
    SessionTimeoutMiddleware reading the session, before any view.
    """
    check_crisis_page(host, None if first == "visitor" else visitor.logged_in)

    # Logged in: the session read fails inside SessionTimeoutMiddleware, before any view.
    home = request(host, "/", cookies=visitor.logged_in)
    assert home.status == 503, home.body[:2000]
    assert home.headers["Retry-After"] == "30"
    assert "Tandem is having trouble right now" in home.body
    assert 'href="/crisis/"' in home.body
    assert_contacts(home)
    assert_outage_answer(home)

    # The other one: the person's own organisation (cookie), or the organisation of this
    # single-organisation deployment for a visitor, as on a normal day.
    check_crisis_page(host, visitor.logged_in if first == "visitor" else None)

    # A login attempt: CSRF passes, then the view fails on the database; axes, allauth and
    # the session middleware handle the response after it and must not make it a 500.
    login = request(
        host,
        "/accounts/login/",
        method="POST",
        cookies={"csrftoken": visitor.csrf_cookie},
        form={
            "csrfmiddlewaretoken": visitor.csrf_token,
            "login": "sam@example.org",
            "password": "not the password",
        },
    )
    assert login.status == 503, login.body[:2000]
    assert_contacts(login)
    assert_outage_answer(login)

    # Health checks: the process is up, but not ready.
    assert request(host, "/healthz").status == 200
    ready = request(host, "/readyz")
    assert ready.status == 503
    assert json.loads(ready.body)["checks"]["database"] == "unavailable"


def check_recovered(host: str, visitor: Visitor) -> None:
    home = request(host, "/", cookies=visitor.logged_in)
    assert home.status == 200, home.body[:2000]
    assert "Hello, Skylark" in home.body
    assert request(host, "/readyz").status == 200


# --- SQLite ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    """A migrated and seeded SQLite data folder that each test copies (migrating is slow)."""
    folder = tmp_path_factory.mktemp("outage-template")
    env = server_env(
        TANDEM_DATA_DIR=str(folder / "data"),
        TANDEM_CRISIS_CACHE_FILE=str(folder / "state" / "crisis-contacts.json"),
    )
    return folder / "data", prepare(env)


def sqlite_env(tmp_path: Path, template: Path, **extra: str) -> dict[str, str]:
    shutil.copytree(template, tmp_path / "data")
    return server_env(
        TANDEM_DATA_DIR=str(tmp_path / "data"),
        # Apart from the data folder, as an operator would keep it: it must outlive the
        # database (docs/operations.md).
        TANDEM_CRISIS_CACHE_FILE=str(tmp_path / "state" / "crisis-contacts.json"),
        **extra,
    )


def test_sqlite_database_away_crisis_page_200_other_pages_503(
    tmp_path: Path, sqlite_template: tuple[Path, dict[str, object]]
) -> None:
    template, seeded = sqlite_template
    env = sqlite_env(tmp_path, template)
    with granian("wsgi", free_port(), env, tmp_path / "server.log") as host:
        visitor = before_outage(host, str(seeded["session"]))
        # Refresh on change: the edit, made by another process, rewrites the saved copy.
        run_script(env, EDIT_SCRIPT)
        saved = json.dumps(saved_file(env))
        assert "Northside night line" in saved
        assert "Northside crisis team" not in saved

        (tmp_path / "data").rename(tmp_path / "data-away")
        check_outage(host, visitor, first="visitor")

        (tmp_path / "data-away").rename(tmp_path / "data")
        check_recovered(host, visitor)
    log = (tmp_path / "server.log").read_text()
    assert "Service unavailable (OperationalError" in log


def test_redis_away_logins_and_pages_work_and_readyz_says_degraded(
    tmp_path: Path, sqlite_template: tuple[Path, dict[str, object]]
) -> None:
    template, seeded = sqlite_template
    env = sqlite_env(tmp_path, template, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    with granian("wsgi", free_port(), env, tmp_path / "server.log") as host:
        login_page = request(host, "/accounts/login/")
        assert login_page.status == 200, login_page.body[:2000]
        for cookies in ({"sessionid": str(seeded["session"])}, None):
            page = request(host, "/crisis/", cookies=cookies)
            assert page.status == 200, page.body[:2000]
            assert "Northside crisis team" in page.body
            assert "Tandem is having trouble" not in page.body
        assert request(host, "/", cookies={"sessionid": str(seeded["session"])}).status == 200
        # Logging in uses the cache (allauth's rate limits): it falls back to the database
        # cache. It used to answer the outage page.
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.body)
        assert token
        login = request(
            host,
            "/accounts/login/",
            method="POST",
            cookies={"csrftoken": str(login_page.cookie("csrftoken"))},
            form={
                "csrfmiddlewaretoken": token.group(1),
                "login": "sam@example.org",
                "password": TEST_PASSWORD,
            },
        )
        assert login.status == 302, login.body[:2000]
        session = login.cookie("sessionid")
        assert session
        home = request(host, "/", cookies={"sessionid": session})
        assert home.status == 200, home.body[:2000]
        assert "Hello, Skylark" in home.body
        # A wrong password is refused as usual (the rate limits still count, in the database).
        wrong = request(
            host,
            "/accounts/login/",
            method="POST",
            cookies={"csrftoken": str(login_page.cookie("csrftoken"))},
            form={
                "csrfmiddlewaretoken": token.group(1),
                "login": "sam@example.org",
                "password": "x",
            },
        )
        assert wrong.status == 200 and "Tandem is having trouble" not in wrong.body
        # Ready, degraded: a proxy's health check must not take the site out for Redis.
        ready = request(host, "/readyz")
        assert ready.status == 200, ready.body
        assert json.loads(ready.body) == {
            "status": "degraded",
            "checks": {"database": "ok", "redis": "degraded"},
        }
    log = (tmp_path / "server.log").read_text()
    assert log.count("does not answer") == 1  # one line for the outage, not one per request
    assert "Service unavailable" not in log


# --- PostgreSQL ------------------------------------------------------------------------------


def postgres_bin() -> Path | None:
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if all(os.access(Path(folder) / tool, os.X_OK) for tool in ("initdb", "pg_ctl")):
            return Path(folder)
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).parent
    return None


@dataclass
class Cluster:
    bin: Path
    folder: Path
    port: int
    user: str | None  # run the server as this user (initdb refuses to run as root)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/tandem"

    def run(self, tool: str, *args: str) -> None:
        result = subprocess.run(  # noqa: S603 - fixed argv
            [str(self.bin / tool), *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            user=self.user,
            cwd=self.folder,
        )
        if result.returncode != 0:
            log = self.folder / "postgres.log"
            detail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{tool} {' '.join(args)} failed:\n{result.stderr}\n{detail}")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off -c synchronous_commit=off"
        )
        self.run(
            "pg_ctl",
            *("-D", str(self.folder / "data"), "-l", str(self.folder / "postgres.log")),
            *("-o", options, "-w", "-t", "60", "start"),
        )

    def stop(self) -> None:
        # immediate: the way a crash or a pulled cable looks to the page workers.
        self.run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")


@contextmanager
def postgres_cluster() -> Iterator[Cluster]:
    binaries = postgres_bin()
    if binaries is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found: PostgreSQL outage skipped")
    user = None
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root without a postgres user: initdb cannot run")
        user = "postgres"
    # Not under pytest's tmp_path: the postgres user must be able to reach the folder.
    folder = Path(tempfile.mkdtemp(prefix="tandem-outage-pg-"))
    if user is not None:
        os.chown(folder, account.pw_uid, account.pw_gid)
    cluster = Cluster(binaries, folder, free_port(), user)
    started = False
    try:
        cluster.run(
            "initdb",
            "-D",
            str(folder / "data"),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        cluster.start()
        started = True
        import psycopg

        admin = f"postgresql://postgres@127.0.0.1:{cluster.port}/postgres"
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as connection:
            connection.execute("CREATE DATABASE tandem")
        yield cluster
    finally:
        if started:
            with_status = subprocess.run(  # noqa: S603 - fixed argv
                [str(binaries / "pg_ctl"), "-D", str(folder / "data"), "status"],
                capture_output=True,
                timeout=30,
                check=False,
                user=user,
            )
            if with_status.returncode == 0:
                cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.postgres
def test_postgres_stopped_crisis_page_200_other_pages_503(tmp_path: Path) -> None:
    with postgres_cluster() as cluster:
        env = server_env(
            DATABASE_URL=cluster.url,
            TANDEM_DATA_DIR=str(tmp_path / "data"),
            TANDEM_CRISIS_CACHE_FILE=str(tmp_path / "state" / "crisis-contacts.json"),
        )
        seeded = prepare(env)
        with granian("wsgi", free_port(), env, tmp_path / "server.log") as host:
            visitor = before_outage(host, str(seeded["session"]))
            run_script(env, EDIT_SCRIPT)
            assert "Northside night line" in json.dumps(saved_file(env))

            cluster.stop()
            check_outage(host, visitor, first="person")

            cluster.start()
            check_recovered(host, visitor)
