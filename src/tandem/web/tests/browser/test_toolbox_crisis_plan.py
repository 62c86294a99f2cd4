"""The crisis plan in the browser: its print view, and its opt-in offline copy (kept, refreshed
and removed by the crisis plan's own service worker)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from tandem.accounts.models import User
from tandem.toolbox.tests.factories import CrisisPlanFactory
from tandem.web.tests.browser.helpers_toolbox import CRISIS_PLAN

from .conftest import PHONE, ContextFactory, log_in

CACHE_PREFIX = "tandem-crisis-plan-"
OFFLINE_PLAN = "/toolbox/crisis-plan/offline/"


# --- 3 and 4. The crisis plan ----------------------------------------------------------------


@pytest.mark.browser
def test_the_crisis_plan_print_view_shows_the_plan_and_prints_without_navigation(
    new_context: ContextFactory, service_user: User
) -> None:
    page = new_context().new_page()
    log_in(page, service_user.email)
    page.goto(CRISIS_PLAN)
    page.get_by_role("link", name="Write my crisis plan").click()
    page.get_by_label("Warning signs").fill("Not sleeping\nCancelling plans")
    page.get_by_label("Things I can do on my own").fill("Walk by the canal")
    page.get_by_label("People I can ask for help").fill("Jo 07700 900456")
    page.get_by_role("button", name="Save my crisis plan").click()
    expect(page).to_have_url(re.compile(re.escape(CRISIS_PLAN) + "$"))
    expect(page.locator(".messages")).to_contain_text("Your crisis plan is saved.")

    page.get_by_role("link", name="Print view").click()
    expect(page).to_have_url(re.compile(r"/toolbox/crisis-plan/print/$"))
    plan = page.locator(".crisis-plan")
    expect(page.get_by_role("heading", level=1)).to_have_text("My crisis plan")
    for text in ("Not sleeping", "Cancelling plans", "Walk by the canal", "Jo 07700 900456"):
        expect(plan.get_by_text(text)).to_be_visible()
    expect(plan.get_by_role("heading", name="Warning signs")).to_be_visible()
    print_button = page.get_by_role("button", name="Print", exact=True)
    expect(print_button).to_be_visible()  # shown by the script
    expect(page.locator(".safety-bar")).to_be_visible()

    page.emulate_media(media="print")
    for hidden in (
        ".safety-bar",
        ".site-header",
        ".site-header nav",
        ".site-footer",
        ".skip-link",
        ".no-print",
    ):
        locator = page.locator(hidden)
        assert locator.count(), f"no {hidden} on the print view"
        for index in range(locator.count()):
            expect(locator.nth(index), f"{hidden} is printed").to_be_hidden()
    expect(print_button).to_be_hidden()
    expect(page.get_by_role("link", name="Back to my crisis plan")).to_be_hidden()
    for text in ("Not sleeping", "Walk by the canal", "Jo 07700 900456"):
        expect(plan.get_by_text(text)).to_be_visible()
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.print-columns')).columnCount")
        == "2"
    )


# The crisis plan's own worker; the app's worker (scope "/", docs/pwa.md) is test_pwa.py's.
SW_STATE_SCRIPT = """async (prefix) => {
    const registrations = (await navigator.serviceWorker.getRegistrations())
        .filter((r) => new URL(r.scope).pathname !== "/");
    const names = (await caches.keys()).filter((name) => name.startsWith(prefix));
    const kept = [];
    for (const name of names) {
        for (const request of await (await caches.open(name)).keys()) {
            kept.push(new URL(request.url).pathname);
        }
    }
    return {
        scopes: registrations.map((r) => new URL(r.scope).pathname),
        active: registrations.map((r) => (r.active ? r.active.state : null)),
        controlled: navigator.serviceWorker.controller !== null
            && navigator.serviceWorker.controller.scriptURL.endsWith("/crisis-plan-sw.js"),
        caches: names,
        kept: kept,
    };
}"""


PLAN_WORKER_CONTROLS = (
    "(navigator.serviceWorker.controller !== null"
    " && navigator.serviceWorker.controller.scriptURL.endsWith('/crisis-plan-sw.js'))"
)


def app_offline_page_without_a_plan(page: Page, path: str) -> None:
    """Offline, a page the plan's worker does not keep gets the app's offline page (its worker
    is active on every logged-in page), which holds no plan."""
    response = page.goto(path)
    assert response is not None and response.from_service_worker, path
    expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")
    expect(page.get_by_role("main")).not_to_contain_text("Walk by the river")


def sw_state(page: Page) -> dict[str, Any]:
    """The crisis plan's service worker registrations and caches, as the page sees them."""
    state: dict[str, Any] = page.evaluate(SW_STATE_SCRIPT, CACHE_PREFIX)
    return state


def kept_copy_text(page: Page) -> str:
    """The offline copy in the cache, or "" if there is none."""
    text: str = page.evaluate(
        """async (url) => {
            const kept = await caches.match(url, {ignoreVary: true});
            return kept ? await kept.text() : "";
        }""",
        OFFLINE_PLAN,
    )
    return text


def eventually(page: Page, condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Whether ``condition`` turns true within ``timeout`` seconds. (``wait_for_function``
    cannot do this: it takes a promise for true without waiting for it, and the Cache Storage
    API only speaks in promises.)"""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        page.wait_for_timeout(50)
    return True


def keep_on_device(page: Page) -> None:
    """Opt in on the crisis plan page, and wait until the worker controls the page and the
    cache holds the offline copy."""
    page.goto(CRISIS_PLAN)
    status = page.locator("#offline").get_by_role("status")
    expect(status).to_have_text("Your crisis plan is not kept on this device.")
    page.get_by_role("button", name="Keep my crisis plan on this device").click()
    expect(status).to_contain_text("Your crisis plan is kept on this device.")
    expect(page.get_by_role("button", name="Remove from this device")).to_be_visible()
    page.wait_for_function(PLAN_WORKER_CONTROLS)
    state = sw_state(page)
    assert state["scopes"] == [CRISIS_PLAN], state
    assert state["active"] == ["activated"], state
    assert state["controlled"], state
    assert OFFLINE_PLAN in state["kept"], state
    assert any(path.startswith("/static/") for path in state["kept"]), state


def remove_from_device(page: Page) -> None:
    page.get_by_role("button", name="Remove from this device").click()
    status = page.locator("#offline").get_by_role("status")
    expect(status).to_have_text("Your crisis plan is removed from this device.")
    expect(page.get_by_role("button", name="Keep my crisis plan on this device")).to_be_visible()


@pytest.mark.browser
def test_the_crisis_plan_is_kept_offline_only_after_opting_in_and_is_removed_on_request(
    new_context: ContextFactory, service_user: User
) -> None:
    plan = CrisisPlanFactory.create(owner=service_user, coping_alone="Walk by the river")
    context = new_context(viewport=PHONE, service_workers="allow")
    page = context.new_page()
    log_in(page, service_user.email)
    page.goto(CRISIS_PLAN)
    state = sw_state(page)
    assert state["scopes"] == [] and state["caches"] == [], state

    # Nothing is kept before the person opts in.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    context.set_offline(True)
    for path in (OFFLINE_PLAN, CRISIS_PLAN):
        app_offline_page_without_a_plan(page, path)
    context.set_offline(False)

    keep_on_device(page)

    # Offline, the kept copy opens at both addresses, styled, even though the plan has
    # changed on the server since (the copy is what the device holds, not the network).
    context.set_offline(True)
    plan.coping_alone = "Call Jo before bed"
    plan.save()
    for path in (OFFLINE_PLAN, CRISIS_PLAN):
        response = page.goto(path)
        assert response is not None and response.from_service_worker, path
        expect(page.get_by_role("heading", level=1)).to_have_text("My crisis plan")
        main = page.get_by_role("main")
        expect(main).to_contain_text("Walk by the river")
        expect(main).not_to_contain_text("Call Jo before bed")
        expect(main).to_contain_text("This copy was saved on this device")
        expect(page.get_by_role("link", name="Emergency: call 999")).to_be_visible()
        assert page.evaluate("getComputedStyle(document.querySelector('.safety-bar')).display") in (
            "flex",
            "block",
            "grid",
        ), "the kept copy has lost its style sheet"
    context.set_offline(False)

    # Online again, opening the plan brings the kept copy up to date.
    page.goto(CRISIS_PLAN)
    expect(page.locator(".crisis-plan")).to_contain_text("Call Jo before bed")
    assert eventually(page, lambda: "Call Jo before bed" in kept_copy_text(page)), (
        "the kept copy was not brought up to date"
    )

    remove_from_device(page)
    state = sw_state(page)
    assert state["scopes"] == [] and state["caches"] == [], state

    context.set_offline(True)
    for path in (OFFLINE_PLAN, CRISIS_PLAN):
        app_offline_page_without_a_plan(page, path)
    context.set_offline(False)


@pytest.mark.browser
def test_removing_the_offline_copy_while_it_is_being_refreshed_leaves_nothing_on_the_device(
    new_context: ContextFactory, service_user: User
) -> None:
    """Every online visit makes the worker fetch a fresh copy in the background. If the person
    chooses "Remove from this device" before that fetch ends, the copy must not come back."""
    CrisisPlanFactory.create(owner=service_user, coping_alone="Walk by the river")
    context = new_context(viewport=PHONE, service_workers="allow")
    page = context.new_page()
    log_in(page, service_user.email)
    keep_on_device(page)

    # Hold the worker's background fetch of the offline copy (Chromium routes a worker's
    # requests too) until the copy has been removed.
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    context.route(f"**{OFFLINE_PLAN}", hold)
    page.goto(CRISIS_PLAN)
    assert eventually(page, lambda: bool(held)), "the worker did not refresh the kept copy"
    assert held[0].request.service_worker is not None

    remove_from_device(page)
    assert sw_state(page)["caches"] == []
    context.unroute(f"**{OFFLINE_PLAN}")
    for route in held:
        route.continue_()
    # Give the worker's refresh time to finish (it fetches the page, then its assets).
    eventually(page, lambda: OFFLINE_PLAN in sw_state(page)["kept"], timeout=2.0)
    state = sw_state(page)
    assert "Walk by the river" not in kept_copy_text(page), (
        "after “Remove from this device” the crisis plan is back in the browser's cache, "
        f"where any same-origin page can read it: {state}"
    )
    assert state["caches"] == [] and state["kept"] == [], state
