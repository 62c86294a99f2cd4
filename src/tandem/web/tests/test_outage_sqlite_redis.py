"""SQLite and Redis outages for real: a granian WSGI server in a subprocess loses its service.

* SQLite: the server's data folder is renamed away. Django opens a new SQLite connection per
  request (no ``CONN_MAX_AGE``), so the next query fails with "unable to open database file",
  the same OperationalError as a missing or unreadable database.
* Redis: the server is pointed at a loopback port where nothing listens. Redis is optional at
  run time: logins and pages work (the cache falls back to the database cache) and /readyz
  says "degraded" with 200. (Redis restarting or hanging under live messaging:
  ``messaging/tests/live_faults/``.)

Every test is bounded in time (SIGALRM) and stops everything it started.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tandem.accounts.tests.factories import TEST_PASSWORD
from tandem.messaging.tests.servers import free_port, granian, server_env
from tandem.web.tests.helpers_outage import (
    EDIT_SCRIPT,
    before_outage,
    check_outage,
    check_recovered,
    prepare,
    request,
    run_script,
    saved_file,
)

pytestmark = pytest.mark.fault


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
