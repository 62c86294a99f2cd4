"""Fixtures for the browser tests: Debian's Chromium, driven by Playwright, against a live server.

The browser never reaches the internet: every request that is not for the live server is
aborted, except the quick-exit destination, which gets a tiny neutral page so a test can see
the browser arrive there. pytest-django's ``live_server`` serves static files through the
staticfiles finders, so no ``collectstatic`` is needed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    Route,
    ViewportSize,
    expect,
    sync_playwright,
)
from pytest_django.live_server_helper import LiveServer

from tandem.accounts.tests.factories import TEST_PASSWORD
from tandem.conftest import current_totp
from tandem.toolbox.models import DEFAULT_DOMAINS, LifeDomain
from tandem.web import middleware as outage_middleware

BROWSER_DIR = __file__.rsplit("/", 1)[0]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here is a browser test: scripts/pytest.sh runs them apart from the rest,
    one at a time, so a missing marker must not put one among the parallel workers."""
    for item in items:
        if str(item.path).startswith(BROWSER_DIR):
            item.add_marker(pytest.mark.browser)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PHONE = ViewportSize(width=390, height=844)
DESKTOP = ViewportSize(width=1280, height=800)
NEUTRAL_PAGE = (
    "<!DOCTYPE html><html lang='en'><head><title>Weather</title></head>"
    "<body><h1>Weather forecast</h1></body></html>"
)
BLOCKING_IMPACTS = frozenset({"serious", "critical"})

ContextFactory = Callable[..., BrowserContext]


# Package scope, not session: Playwright's sync API leaves an asyncio loop "running" in the
# main thread while it is open, which would break asyncio.run() and async_to_sync() in tests
# that run after this package. One browser is still shared by every test here.
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture(autouse=True)
def _fresh_cache(transactional_db: None) -> None:
    """The database cache table is not flushed between tests; used TOTP codes and rate limits
    from an earlier test must not leak into the next one."""
    cache.clear()


@pytest.fixture(autouse=True)
def _no_outage_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    """The outage middleware remembers, per process, that it saw the database fail and then
    answers the crisis page from its saved copy for a while. Browser tests share one process:
    a failure provoked by an earlier test must not change what a later test sees."""
    monkeypatch.setattr(outage_middleware, "_outage_seen_at", float("-inf"))


@pytest.fixture(autouse=True)
def _default_life_domains(transactional_db: None) -> None:
    """Put back the default life domains that toolbox migration 0002 seeds: a live server's
    test empties every table when it ends, so an earlier browser test has removed them."""
    for position, key in enumerate(DEFAULT_DOMAINS, start=1):
        LifeDomain.objects.get_or_create(
            key=key, organisation=None, owner=None, defaults={"position": position * 10}
        )


def quick_exit_host() -> str:
    return urlsplit(settings.TANDEM_QUICK_EXIT_URL).hostname or ""


def wait_for_requests_to_finish(timeout: float = 10.0) -> None:
    """Wait until no live-server request is still at work in PostgreSQL.

    Closing a browser context does not stop a request the server is already serving (a page
    load cut short shows up as a "broken pipe"). The test's database flush (TRUNCATE of every
    table) then races that request for table locks, and PostgreSQL can end the deadlock by
    failing the flush: the test errors in teardown. SQLite's flush waits (busy_timeout).
    """
    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND state <> 'idle'"
            )
            row = cursor.fetchone()
            if row is None or row[0] == 0:
                return
            time.sleep(0.05)


@pytest.fixture
def new_context(browser: Browser, live_server: LiveServer) -> Iterator[ContextFactory]:
    """Make browser contexts that can reach only the live server (and the neutral exit page).

    ``bypass_csp=True`` is for axe only: it must inject its script under our strict CSP.
    Any request that had to be blocked fails the test: Tandem must load nothing from elsewhere.
    """
    contexts: list[BrowserContext] = []
    blocked: list[str] = []
    exit_host = quick_exit_host()
    port = urlsplit(live_server.url).port
    # Every URL except the live server's. Matching in the browser (a regex, not a Python
    # callable) lets the live server's own requests go straight through, which is faster.
    elsewhere = re.compile(rf"^(?!http://(localhost|127\.0\.0\.1):{port}/)")

    def handle(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname == exit_host:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=NEUTRAL_PAGE)
        else:
            blocked.append(url)
            route.abort("blockedbyclient")

    def make(
        *,
        viewport: ViewportSize | None = None,
        bypass_csp: bool = False,
        locale: str = "en-GB",
        **options: Any,
    ) -> BrowserContext:
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport or DESKTOP,
            bypass_csp=bypass_csp,
            locale=locale,
            **options,
        )
        context.set_default_timeout(10_000)
        context.route(elsewhere, handle)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    wait_for_requests_to_finish()
    assert not blocked, f"The browser tried to leave the test server: {blocked}"


@pytest.fixture
def page(new_context: ContextFactory) -> Page:
    """A desktop-sized page under the site's real CSP."""
    return new_context().new_page()


@pytest.fixture
def phone_page(new_context: ContextFactory) -> Page:
    """A page the size of a cheap phone, under the site's real CSP."""
    return new_context(viewport=PHONE, has_touch=True, is_mobile=True).new_page()


@pytest.fixture
def axe_page(new_context: ContextFactory) -> Page:
    """A phone-sized page whose context bypasses CSP so axe can be injected."""
    return new_context(viewport=PHONE, bypass_csp=True).new_page()


def submit_login_form(page: Page, email: str, password: str = TEST_PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()


def log_in(
    page: Page, email: str, password: str = TEST_PASSWORD, totp_secret: str | None = None
) -> None:
    """Log in through the login form, and the two-step page when ``totp_secret`` is given."""
    submit_login_form(page, email, password)
    if totp_secret is not None:
        page.wait_for_url("**/accounts/2fa/authenticate/")
        page.get_by_label("Code").fill(current_totp(totp_secret))
        page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def axe_violations(page: Page, rules: list[str] | None = None) -> list[str]:
    """Run axe-core (all rules, or only ``rules``) on the page; describe each serious or
    critical violation (empty if none)."""
    options: dict[str, Any] = {"resultTypes": ["violations"]}
    if rules:
        options["runOnly"] = {"type": "rule", "values": rules}
    results = Axe().run(page, options=options)
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"    {node['target']}" for node in v["nodes"])
        for v in results.response["violations"]
        if v["impact"] in BLOCKING_IMPACTS
    ]


def horizontal_overflow(page: Page) -> str | None:
    """Describe sideways scrolling of the page at its current width, or None if it fits."""
    scroll_width, client_width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if scroll_width <= client_width:
        return None
    return f"{page.url} scrolls sideways at {client_width}px: content is {scroll_width}px wide"
