"""The installable app in a real browser (docs/pwa.md): the app's service worker keeps the
shell and never a private page; offline, a page shows "You are offline", the crisis contacts
and the crisis plan the person chose to keep; logging out leaves nothing in Cache Storage,
with the server's Clear-Site-Data and, where a browser ignores it, with the page's own wipe."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect
from playwright.sync_api import Error as PlaywrightError

from tandem.accounts.models import Organisation, User
from tandem.accounts.tests.factories import CrisisContactFactory
from tandem.toolbox.tests.factories import CrisisPlanFactory

from .conftest import PHONE, ContextFactory, axe_violations, log_in

CRISIS_PLAN = "/toolbox/crisis-plan/"
KEPT_PLAN = "/toolbox/crisis-plan/offline/"

DEVICE_STATE = """async () => {
    const registrations = await navigator.serviceWorker.getRegistrations();
    const caches_ = {};
    for (const name of await caches.keys()) {
        caches_[name] = [];
        for (const request of await (await caches.open(name)).keys()) {
            caches_[name].push(new URL(request.url).pathname);
        }
    }
    return {
        scopes: registrations.map((r) => new URL(r.scope).pathname).sort(),
        caches: caches_,
    };
}"""


def device_state(page: Page) -> dict[str, Any]:
    """Every service worker registration and every cached URL of the origin, as a page sees
    them."""
    state: dict[str, Any] = page.evaluate(DEVICE_STATE)
    return state


def eventually(page: Page, condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        page.wait_for_timeout(100)
    return True


def shell_is_kept(page: Page) -> bool:
    caches = device_state(page)["caches"]
    return any(
        name.startswith("tandem-shell-") and "/offline/" in urls for name, urls in caches.items()
    )


def start_app(context: BrowserContext, person: User) -> Page:
    """Log in; wait until the app's worker is active and has kept the shell."""
    page = context.new_page()
    log_in(page, person.email)
    page.goto("/")
    scope = page.evaluate("navigator.serviceWorker.ready.then((r) => new URL(r.scope).pathname)")
    assert scope == "/"
    assert eventually(page, lambda: shell_is_kept(page)), device_state(page)
    return page


def keep_crisis_plan(page: Page) -> None:
    page.goto(CRISIS_PLAN)
    page.get_by_role("button", name="Keep my crisis plan on this device").click()
    status = page.locator("#offline").get_by_role("status")
    expect(status).to_contain_text("Your crisis plan is kept on this device.")


def only_the_shell_and_the_kept_plan(state: dict[str, Any]) -> list[str]:
    """Cached URLs that are neither the shell (static files, the public offline page) nor the
    crisis plan copy the person chose to keep."""
    return [
        f"{name}: {url}"
        for name, urls in state["caches"].items()
        for url in urls
        if not (
            url.startswith("/static/")
            or (name.startswith("tandem-shell-") and url == "/offline/")
            or (name.startswith("tandem-crisis-plan-") and url == KEPT_PLAN)
        )
    ]


@pytest.fixture
def crisis_team(organisation: Organisation) -> None:
    CrisisContactFactory.create(
        organisation=organisation, name="Northside crisis team", phone="0300 555 0199"
    )


@pytest.mark.browser
@pytest.mark.usefixtures("crisis_team")
def test_offline_the_app_shows_the_offline_page_and_the_kept_crisis_plan_and_logout_wipes_it(
    new_context: ContextFactory, service_user: User
) -> None:
    CrisisPlanFactory.create(owner=service_user, coping_alone="Walk by the river")
    context = new_context(viewport=PHONE, service_workers="allow")
    page = start_app(context, service_user)

    # Private pages seen online are never kept: only the shell is.
    for path in ("/toolbox/", "/messages/", CRISIS_PLAN, "/account/"):
        page.goto(path)
    state = device_state(page)
    assert state["scopes"] == ["/"], state
    assert not only_the_shell_and_the_kept_plan(state), state
    assert not [name for name in state["caches"] if name.startswith("tandem-crisis-plan-")]

    # Offline, before opting in: the offline page, the crisis contacts, no plan.
    context.set_offline(True)
    response = page.goto("/toolbox/")
    assert response is not None and response.from_service_worker
    expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")
    main = page.get_by_role("main")
    expect(main).to_contain_text("No copy of a crisis plan is kept on this device.")
    expect(main).not_to_contain_text("Walk by the river")
    expect(main.get_by_role("link", name="0300 555 0199")).to_be_visible()
    expect(page.get_by_role("link", name="Emergency: call 999")).to_be_visible()
    expect(page.get_by_role("button", name="Try again")).to_be_visible()
    context.set_offline(False)

    # The person chooses to keep the plan; offline, every page now shows it under the notice.
    keep_crisis_plan(page)
    state = device_state(page)
    assert state["scopes"] == ["/", CRISIS_PLAN], state
    assert not only_the_shell_and_the_kept_plan(state), state
    context.set_offline(True)
    for path in ("/", "/messages/"):
        response = page.goto(path)
        assert response is not None and response.from_service_worker, path
        expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")
        plan = page.locator("[data-kept-plan]")
        expect(plan.get_by_role("heading", name="My crisis plan")).to_be_visible()
        expect(plan).to_contain_text("Walk by the river")
        expect(plan).to_contain_text("Northside crisis team")
        expect(page.get_by_text("No copy of a crisis plan is kept")).to_be_hidden()
        assert (
            page.evaluate("getComputedStyle(document.querySelector('.plan-number')).borderRadius")
            == "50%"
        ), "the kept plan has lost its style sheet"
    # The crisis plan's own address still opens the kept copy itself.
    response = page.goto(CRISIS_PLAN)
    assert response is not None and response.from_service_worker
    expect(page.get_by_role("heading", level=1)).to_have_text("My crisis plan")
    expect(page.get_by_role("main")).to_contain_text("Walk by the river")
    context.set_offline(False)

    # Log out: nothing is left, and the login page registers no worker again.
    page.goto("/")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")
    page.wait_for_load_state("load")
    state = device_state(page)
    assert state == {"scopes": [], "caches": {}}, state
    assert page.evaluate(
        "(url) => caches.match(url, {ignoreVary: true}).then((kept) => kept === undefined)",
        KEPT_PLAN,
    )
    page.wait_for_timeout(500)
    assert device_state(page) == {"scopes": [], "caches": {}}

    context.set_offline(True)
    with pytest.raises(PlaywrightError, match="ERR_INTERNET_DISCONNECTED"):
        page.goto("/")
    context.set_offline(False)


def strip_clear_site_data(route: Route) -> None:
    """Answer the logout as a browser that ignores Clear-Site-Data would see it."""
    response = route.fetch(max_redirects=0)
    headers = {k: v for k, v in response.headers.items() if k.lower() != "clear-site-data"}
    route.fulfill(response=response, headers=headers)


@pytest.mark.browser
def test_logout_wipes_the_device_in_the_page_where_clear_site_data_is_ignored(
    new_context: ContextFactory, service_user: User
) -> None:
    CrisisPlanFactory.create(owner=service_user)
    context = new_context(viewport=PHONE, service_workers="allow")
    page = start_app(context, service_user)
    keep_crisis_plan(page)
    assert len(device_state(page)["scopes"]) == 2

    context.route("**/accounts/logout/", strip_clear_site_data)
    with page.expect_response("**/accounts/logout/") as logout:
        page.get_by_role("button", name="Log out").click()
    assert logout.value.header_value("Clear-Site-Data") is None
    page.wait_for_url("**/accounts/login/")
    page.wait_for_load_state("load")
    assert device_state(page) == {"scopes": [], "caches": {}}


@pytest.mark.browser
@pytest.mark.usefixtures("crisis_team")
def test_remove_tandem_from_this_device_wipes_it_but_keeps_the_person_logged_in(
    new_context: ContextFactory, service_user: User
) -> None:
    CrisisPlanFactory.create(owner=service_user)
    context = new_context(viewport=PHONE, service_workers="allow")
    page = start_app(context, service_user)
    keep_crisis_plan(page)
    page.get_by_role("link", name="Tandem on this device").click()
    page.get_by_role("button", name="Remove Tandem from this device").click()
    expect(page.get_by_role("status")).to_contain_text("copies on this device are removed")
    # The page it lands on is a logged-in page, which registers the app's worker again (the
    # shell: nothing private); the crisis plan is gone until the person keeps it again.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    state = device_state(page)
    assert CRISIS_PLAN not in state["scopes"], state
    assert not [name for name in state["caches"] if name.startswith("tandem-crisis-plan-")]
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


@pytest.mark.browser
@pytest.mark.usefixtures("crisis_team")
def test_the_offline_page_with_a_kept_plan_passes_axe(
    new_context: ContextFactory, service_user: User
) -> None:
    CrisisPlanFactory.create(owner=service_user)
    # bypass_csp only so axe can be injected; the scripts are the page's own either way.
    context = new_context(viewport=PHONE, service_workers="allow", bypass_csp=True)
    page = start_app(context, service_user)
    keep_crisis_plan(page)
    context.set_offline(True)
    page.goto("/messages/")
    expect(page.locator("[data-kept-plan]")).to_be_visible()
    assert not axe_violations(page)
    context.set_offline(False)
    page.goto("/offline/")
    assert not axe_violations(page)


@pytest.mark.browser
def test_removal_without_the_page_script_is_done_by_the_server_header(
    new_context: ContextFactory, service_user: User
) -> None:
    """The "Remove" form sent as a browser without JavaScript sends it: Clear-Site-Data alone
    removes the kept plan and its worker."""
    CrisisPlanFactory.create(owner=service_user)
    context = new_context(viewport=PHONE, service_workers="allow")
    page = start_app(context, service_user)
    keep_crisis_plan(page)

    def without_page_wipe(route: Route) -> None:
        if route.request.method != "GET":
            route.continue_()
            return
        response = route.fetch()
        body = response.text().replace(" data-device-wipe", "")
        route.fulfill(response=response, body=body)

    context.route("**/device/", without_page_wipe)
    page.goto("/device/")
    assert page.locator("form[data-device-wipe]").count() == 0
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/device/")
    ) as removal:
        page.get_by_role("button", name="Remove Tandem from this device").click()
    assert removal.value.header_value("Clear-Site-Data") == '"cache", "storage"'
    expect(page.get_by_role("status")).to_contain_text("copies on this device are removed")
    state = device_state(page)
    assert CRISIS_PLAN not in state["scopes"], state
    assert not [name for name in state["caches"] if name.startswith("tandem-crisis-plan-")]
