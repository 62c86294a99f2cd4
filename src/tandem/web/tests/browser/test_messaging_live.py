"""Secure messaging in the browser, live: Skylark and Pat in two browser contexts.

pytest-django's live server is WSGI only and keeps SQLite in memory, which another process
cannot open; live updates need an ASGI process. So this test runs the portal as it runs for
real (``manage.py serve``): a granian WSGI process for pages and a granian ASGI process for
WebSockets, both on one SQLite file in a temporary folder, with the in-memory channel layer
(the socket process then checks the database every two seconds).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from tandem.conftest import TOTP_SECRET
from tandem.messaging.tests.servers import free_port, granian, manage, seed, server_env

from .conftest import DESKTOP, log_in

LIVE = 10_000  # ms: two poll periods and then some


@dataclass(frozen=True)
class Portal:
    base_url: str
    database: Path
    thread: int


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    folder = tmp_path_factory.mktemp("portal")
    page_port, socket_port = free_port(), free_port()
    env = server_env(
        TANDEM_DATA_DIR=str(folder),
        # Static files through the finders (no collectstatic), as in dev.
        DEBUG="true",
        TANDEM_WS_ORIGIN=f"ws://127.0.0.1:{socket_port}",
    )
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "createcachetable")
    data = seed(env)
    with (
        granian("wsgi", page_port, env, folder / "pages.log"),
        granian("asginl", socket_port, env, folder / "sockets.log"),
    ):
        yield Portal(
            base_url=f"http://127.0.0.1:{page_port}",
            database=folder / "tandem.sqlite3",
            thread=int(str(data["thread"])),
        )


@pytest.fixture(scope="module")
def people(browser: Browser, portal: Portal) -> Iterator[tuple[Page, Page]]:
    """Skylark's and Pat's pages, each in its own browser context, logged in once (a TOTP code
    is accepted once only, so Pat does not log in again in the next test)."""
    made: list[BrowserContext] = []
    blocked: list[str] = []
    elsewhere = re.compile(rf"^(?!{re.escape(portal.base_url)}/)")

    def block(route: Route) -> None:
        blocked.append(route.request.url)
        route.abort("blockedbyclient")

    for _ in range(2):
        context = browser.new_context(base_url=portal.base_url, viewport=DESKTOP, locale="en-GB")
        context.set_default_timeout(15_000)
        context.route(elsewhere, block)
        made.append(context)
    skylark, pat = (context.new_page() for context in made)
    log_in(skylark, "sam@example.org")
    log_in(pat, "pat@example.org", totp_secret=TOTP_SECRET)
    yield skylark, pat
    for context in made:
        context.close()
    assert not blocked, f"The browser tried to leave the test servers: {blocked}"


def count_messages(portal: Portal, body: str) -> int:
    with sqlite3.connect(portal.database) as db:
        # Bodies are encrypted: count by what the page shows instead when text matters.
        rows = db.execute("SELECT COUNT(*) FROM messaging_message WHERE withdrawn_at IS NULL")
        total: int = rows.fetchone()[0]
    return total


def age_message(portal: Portal, message_id: int, minutes: int) -> None:
    with sqlite3.connect(portal.database) as db:
        db.execute(
            "UPDATE messaging_message SET created_at = datetime('now', ?) WHERE id = ?",
            (f"-{minutes} minutes", message_id),
        )


def badge(page: Page) -> str:
    return page.locator("[data-messages-unread] [data-count]").inner_text()


def send(page: Page, text: str) -> None:
    page.get_by_label("Your message").fill(text)
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".message-item.mine").last).to_contain_text(text)


@pytest.mark.browser
def test_skylark_and_pat_exchange_messages_live(portal: Portal, people: tuple[Page, Page]) -> None:
    skylark, pat = people
    thread_url = f"/messages/{portal.thread}/"

    # Pat waits on the inbox; Skylark writes. Pat's unread badge changes without a reload.
    pat.goto("/messages/")
    expect(pat.locator("[data-messages-unread]")).to_be_hidden()
    skylark.goto(thread_url)
    expect(skylark.get_by_text("Messages are not for emergencies.")).to_be_visible()
    expect(
        skylark.get_by_text("Pat Provider usually replies within 2 working days.")
    ).to_be_visible()
    send(skylark, "I had a better week, mostly.")
    expect(pat.locator("[data-messages-unread]")).to_be_visible(timeout=LIVE)
    assert badge(pat) == "1"

    # Pat opens the thread (reading clears the badge) and the next message appears live.
    pat.goto(thread_url)
    expect(pat.get_by_text("I had a better week, mostly.")).to_be_visible()
    expect(pat.locator("[data-messages-unread]")).to_be_hidden()
    send(skylark, "Sleep is still hard.")
    expect(pat.get_by_text("Sleep is still hard.")).to_be_visible(timeout=LIVE)
    # Seen live while open, so it is read: the badge does not come back.
    pat.wait_for_timeout(3000)
    expect(pat.locator("[data-messages-unread]")).to_be_hidden()

    # Pat answers; it appears on Skylark's open page without a reload.
    send(pat, "Thank you. Shall we look at your sleep plan on Tuesday?")
    expect(skylark.get_by_text("Shall we look at your sleep plan on Tuesday?")).to_be_visible(
        timeout=LIVE
    )
    # The "waiting since" line is part of the page (it changes at the next page load).
    skylark.reload()
    # Skylark is "you" to themselves, never their own name.
    expect(skylark.get_by_text("Waiting for your reply since")).to_be_visible()


@pytest.mark.browser
def test_double_submit_stores_one_message_and_withdraw_keeps_to_five_minutes(
    portal: Portal, people: tuple[Page, Page]
) -> None:
    skylark, pat = people
    thread_url = f"/messages/{portal.thread}/"
    skylark.goto(thread_url)
    pat.goto(thread_url)
    before = count_messages(portal, "")

    # The same form submitted twice (a double click, or a retry after a dropped connection).
    skylark.get_by_label("Your message").fill("Sent twice by accident")
    statuses = skylark.evaluate(
        """async () => {
            const form = document.querySelector("form[action$='/reply/']");
            const send = () => fetch(form.action, {method: "POST", body: new FormData(form)});
            const responses = await Promise.all([send(), send()]);
            return responses.map((r) => r.status);
        }"""
    )
    assert statuses == [200, 200]  # both followed the redirect to the thread page
    assert count_messages(portal, "") == before + 1
    skylark.reload()
    expect(skylark.get_by_text("Sent twice by accident")).to_have_count(1)
    expect(pat.get_by_text("Sent twice by accident")).to_have_count(1, timeout=LIVE)

    # Withdraw within five minutes: the text goes, for Pat too (live), and says so.
    mine = skylark.locator(".message-item.mine").filter(has_text="Sent twice by accident")
    mine.get_by_role("button", name="Withdraw").click()
    expect(skylark.get_by_text("Your message is withdrawn.")).to_be_visible()
    expect(pat.get_by_text("Sent twice by accident")).to_have_count(0, timeout=LIVE)
    expect(pat.get_by_text("This message was withdrawn.").first).to_be_visible()

    # After five minutes the same button fails with a clear reason.
    send(skylark, "This one stays.")
    stays = skylark.locator(".message-item.mine").filter(has_text="This one stays.")
    message_id = int(str(stays.get_attribute("data-message-id")))
    age_message(portal, message_id, minutes=6)
    stays.get_by_role("button", name="Withdraw").click()
    expect(skylark.get_by_role("alert")).to_contain_text(
        "Messages can be changed or withdrawn for 5 minutes after sending"
    )
    expect(skylark.get_by_text("This one stays.")).to_be_visible()
