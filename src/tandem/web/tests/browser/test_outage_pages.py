"""The pages a person sees while the database is down, in a real browser: they look right (the
styles load), pass axe at phone size in light and dark mode, and Quick exit works under the
outage pages' own Content Security Policy (shell.js runs).

The server is granian in a subprocess on a SQLite folder that is renamed away, as in
``tests/test_outage_sqlite_redis.py``; pytest-django's live server cannot lose its in-memory database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Route, expect

from tandem.messaging.tests.servers import free_port, granian, manage, server_env
from tandem.web.tests.helpers_outage import before_outage, prepare, request

from .conftest import NEUTRAL_PAGE, PHONE, quick_exit_host
from .test_accessibility import Audit

pytestmark = pytest.mark.fault


@pytest.fixture(scope="module")
def outage_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """A server whose database has gone; yields its address and the person's cookies."""
    tmp_path = tmp_path_factory.mktemp("outage-pages")
    env = server_env(
        TANDEM_DATA_DIR=str(tmp_path / "data"),
        TANDEM_CRISIS_CACHE_FILE=str(tmp_path / "state" / "crisis-contacts.json"),
        STATIC_ROOT=str(tmp_path / "static"),
    )
    seeded = prepare(env)
    manage(env, "collectstatic", "--noinput", "-v", "0")
    with granian("wsgi", free_port(), env, tmp_path / "server.log") as host:
        visitor = before_outage(host, str(seeded["session"]))
        (tmp_path / "data").rename(tmp_path / "data-away")
        try:
            # The first failure goes through the whole stack; check it once without a browser.
            assert request(host, "/crisis/", cookies=visitor.logged_in).status == 200
            yield host, visitor.logged_in
        finally:
            (tmp_path / "data-away").rename(tmp_path / "data")


def context_for(
    browser: Browser, host: str, cookies: dict[str, str], *, bypass_csp: bool
) -> BrowserContext:
    """A phone-sized context that reaches only the server (and the neutral exit page)."""
    context = browser.new_context(
        base_url=f"http://{host}", viewport=PHONE, bypass_csp=bypass_csp, locale="en-GB"
    )
    context.set_default_timeout(10_000)
    context.add_cookies(
        [{"name": name, "value": value, "url": f"http://{host}"} for name, value in cookies.items()]
    )
    exit_host = quick_exit_host()

    def elsewhere(route: Route) -> None:
        if exit_host in route.request.url:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=NEUTRAL_PAGE)
        else:
            route.abort("blockedbyclient")

    context.route(re.compile(rf"^(?!http://{re.escape(host)}/)"), elsewhere)
    return context


def test_outage_pages_look_right_and_pass_axe(
    browser: Browser, outage_server: tuple[str, dict[str, str]]
) -> None:
    host, cookies = outage_server
    context = context_for(browser, host, cookies, bypass_csp=True)
    try:
        audit = Audit(context.new_page())
        audit.check("/crisis/")
        main = audit.page.get_by_role("main")
        expect(main.get_by_role("heading", level=1)).to_have_text("Need help now?")
        expect(main.get_by_role("status")).to_contain_text("Tandem is having trouble right now")
        expect(main.get_by_role("heading", name="Contacts from Northside Test")).to_be_visible()
        expect(main.get_by_role("link", name="116 123")).to_have_attribute("href", "tel:116123")
        # The styles loaded: the safety bar is a flex row.
        safety_bar = "getComputedStyle(document.querySelector('.safety-bar')).display"
        assert audit.page.evaluate(safety_bar) == "flex"

        audit.check("/", status=503)
        expect(audit.page.get_by_role("heading", level=1)).to_contain_text(
            "Tandem is having trouble right now"
        )
        expect(audit.page.get_by_role("link", name="All crisis contacts")).to_have_attribute(
            "href", "/crisis/"
        )
        audit.assert_clean()
    finally:
        context.close()


def test_quick_exit_works_on_the_outage_page_under_its_own_csp(
    browser: Browser, outage_server: tuple[str, dict[str, str]]
) -> None:
    host, cookies = outage_server
    context = context_for(browser, host, cookies, bypass_csp=False)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text))
        response = page.goto("/toolbox/")
        assert response is not None and response.status == 503
        before = int(page.evaluate("history.length"))
        for _ in range(3):
            page.keyboard.press("Escape")
        expect(page.get_by_role("heading", name="Weather forecast")).to_be_visible()
        assert int(page.evaluate("history.length")) == before
        assert not [error for error in errors if "Content Security Policy" in error], errors
    finally:
        context.close()
