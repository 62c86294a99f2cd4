"""The toolbox and the care team in the browser: goals and their progress, sharing with a care
provider and taking it back, the crisis plan's print view and its opt-in offline copy, and
axe-core plus reflow at 320 px on the toolbox's and the care team's pages."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, Route, ViewportSize, expect

from tandem.accounts.models import User
from tandem.accounts.tests.factories import TEST_PASSWORD
from tandem.care import services as care_services
from tandem.care.models import Level, Module
from tandem.care.tests.factories import AccessLogEntryFactory, AgreementFactory
from tandem.conftest import TOTP_SECRET
from tandem.toolbox.models import GoalStep
from tandem.toolbox.tests.factories import (
    ActivityFactory,
    CrisisPlanFactory,
    ExercisePracticeFactory,
    GoalFactory,
    GoalStepFactory,
    JournalEntryFactory,
    JournalShareFactory,
    MedicationFactory,
    NetworkMemberFactory,
    StatusRatingFactory,
    default_domain,
    share_with,
)

from .conftest import PHONE, ContextFactory, axe_violations, horizontal_overflow, log_in

NARROWEST = ViewportSize(width=320, height=640)
CACHE_PREFIX = "tandem-crisis-plan-"
CRISIS_PLAN = "/toolbox/crisis-plan/"
OFFLINE_PLAN = "/toolbox/crisis-plan/offline/"


def step_button(page: Page, action: str, step: str) -> Locator:
    """A step's button; its name ends with the step, after a visually hidden colon."""
    return page.get_by_role("button", name=re.compile(rf"^{action}\W+{re.escape(step)}$"))


def expect_progress(page: Page, title: str, percent: int) -> None:
    """The goal page shows ``percent`` both as the progress bar's value and in words."""
    bar = page.get_by_role("progressbar", name=f"Progress on {title}")
    expect(bar).to_have_attribute("value", str(percent))
    expect(page.locator(".progress-text")).to_have_text(f"{percent} % done")


# --- 1. Goals --------------------------------------------------------------------------------


@pytest.mark.browser
def test_a_goal_built_in_the_browser_shows_progress_as_steps_are_ticked(
    new_context: ContextFactory, service_user: User
) -> None:
    page = new_context(viewport=PHONE).new_page()
    log_in(page, service_user.email)
    page.goto("/toolbox/goals/")
    page.get_by_role("link", name="Set a new goal").click()
    page.get_by_label("My goal").fill("Walk every day")
    page.get_by_label("Life domain").select_option(label="Physical health")
    page.get_by_label("Why it matters to me (optional)").fill("I sleep better after a walk.")
    page.get_by_label("Steps towards it (optional)").fill("Walk to the corner shop")
    page.get_by_role("button", name="Save goal").click()

    expect(page.get_by_role("heading", level=1, name="Walk every day")).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("Your goal is saved.")
    expect_progress(page, "Walk every day", 0)

    # A second step through the goal page's own form.
    page.get_by_label("New step").fill("Walk to the park and back")
    page.get_by_role("button", name="Add step").click()
    expect(page.locator(".messages")).to_contain_text("Step added.")
    steps = page.locator("#steps li.step")
    expect(steps).to_have_count(2)
    expect(steps.nth(1)).to_contain_text("Walk to the park and back")
    expect_progress(page, "Walk every day", 0)

    step_button(page, "Mark as done", "Walk to the corner shop").click()
    expect_progress(page, "Walk every day", 50)
    expect(steps.nth(0)).to_contain_text("Done:")
    step_button(page, "Mark as done", "Walk to the park and back").click()
    expect_progress(page, "Walk every day", 100)

    # Unticking counts too.
    step_button(page, "Mark as not done", "Walk to the corner shop").click()
    expect_progress(page, "Walk every day", 50)
    step_button(page, "Mark as done", "Walk to the corner shop").click()
    expect_progress(page, "Walk every day", 100)

    page.get_by_role("link", name="All goals").click()
    card = page.locator(".card").filter(has_text="Walk every day")
    expect(card).to_contain_text("2 of 2 steps done")
    expect(card.get_by_role("progressbar")).to_have_attribute("value", "100")
    assert GoalStep.objects.filter(goal__owner=service_user, done=True).count() == 2


# --- 2. Sharing with a care provider ---------------------------------------------------------


@pytest.mark.browser
def test_shared_goals_are_read_by_the_provider_until_revoked_and_the_read_is_logged(
    new_context: ContextFactory, service_user: User, provider: User
) -> None:
    goal = GoalFactory.create(owner=service_user, title="Cook a proper meal twice a week")
    GoalStepFactory.create(goal=goal, text="Buy vegetables", done=True)
    GoalStepFactory.create(goal=goal, text="Cook on Sunday")
    code = care_services.ensure_link_code(provider=provider).code
    provider_name = provider.get_full_name()
    goals_path = f"/people/{service_user.pk}/goals/"

    skylark = new_context().new_page()
    log_in(skylark, service_user.email)
    skylark.goto("/care/team/")
    skylark.get_by_label("Your care provider's code").fill(code)
    skylark.get_by_role("button", name="Add to my care team").click()
    # Adding someone who may see her data asks Skylark to confirm it is her; the code she
    # typed is kept and used once she has.
    expect(skylark).to_have_url(re.compile(r"/accounts/reauthenticate/\?next=%2Fcare%2Fteam%2F$"))
    expect(skylark.locator(".messages")).to_contain_text("please confirm it is you")
    skylark.get_by_label("Password").fill(TEST_PASSWORD)
    skylark.get_by_role("button", name="Confirm").click()
    expect(skylark).to_have_url(re.compile(r"/care/sharing/$"))
    expect(skylark.locator(".messages")).to_contain_text(
        f"{provider_name} is now in your care team"
    )

    goals_cell = f"{provider_name}: Goals and activities"
    expect(skylark.get_by_label(f"{goals_cell}: Nothing", exact=True)).to_be_checked()
    skylark.get_by_label(f"{goals_cell}: Can view", exact=True).check()
    # She confirmed it was her a moment ago, so giving more access goes straight through.
    skylark.get_by_role("button", name="Save what my care team sees").click()
    expect(skylark).to_have_url(re.compile(r"/care/sharing/$"))
    expect(skylark.locator(".messages")).to_contain_text("Saved.")
    expect(skylark.get_by_label(f"{goals_cell}: Can view", exact=True)).to_be_checked()

    pat = new_context().new_page()
    log_in(pat, provider.email, totp_secret=TOTP_SECRET)
    response = pat.goto(goals_path)
    assert response is not None and response.status == 200
    link = pat.get_by_role("link", name="Cook a proper meal twice a week")
    expect(link).to_be_visible()
    link.click()
    expect(pat.get_by_role("heading", level=1)).to_have_text("Cook a proper meal twice a week")
    expect(pat.locator("#steps")).to_contain_text("Buy vegetables")
    expect(pat.get_by_role("progressbar")).to_have_attribute("value", "50")
    goal_path = f"/people/{service_user.pk}/goals/{goal.pk}/"
    expect(pat).to_have_url(re.compile(re.escape(goal_path) + "$"))

    skylark.get_by_label(f"{goals_cell}: Nothing", exact=True).check()
    skylark.get_by_role("button", name="Save what my care team sees").click()
    expect(skylark.locator(".messages")).to_contain_text("Saved.")

    # Pat loses access at once: the very next page is "not found", with nothing of Skylark's.
    response = pat.reload()
    assert response is not None and response.status == 404
    expect(pat.locator("body")).not_to_contain_text("Cook a proper meal")
    response = pat.goto(goals_path)
    assert response is not None and response.status == 404

    skylark.get_by_role("link", name="who has seen my information").click()
    expect(skylark.get_by_role("heading", level=1)).to_have_text("Who has seen my information")
    lines = skylark.locator("[data-access-log] > li")
    # Pat read the list of goals and the goal, one line each for the visit; the two refused
    # pages are not reads.
    expect(lines).to_have_count(2)
    for index in range(2):
        expect(lines.nth(index)).to_contain_text(provider_name)
    expect(lines.filter(has_text="your goal “Cook a proper meal twice a week”")).to_have_count(1)


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


# --- 5. axe-core and reflow ------------------------------------------------------------------


class Audit:
    """Collects axe's serious and critical violations, and sideways scrolling, page by page."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[str] = []

    def check(self, path: str, *, status: int = 200, reflow: bool = False) -> None:
        response = self.page.goto(path)
        assert response is not None
        assert response.status == status, f"{path}: HTTP {response.status}"
        assert self.page.url.endswith(path), f"{path} went to {self.page.url}"
        self.check_current(reflow=reflow)

    def check_current(self, *, reflow: bool = False) -> None:
        self.problems.extend(axe_violations(self.page))
        if reflow:
            size = self.page.viewport_size
            self.page.set_viewport_size(NARROWEST)
            overflow = horizontal_overflow(self.page)
            if overflow:
                self.problems.append(overflow)
            if size:
                self.page.set_viewport_size(size)


def fill_toolbox(owner: User, provider: User) -> dict[str, int]:
    """Something on every toolbox page, shared with ``provider`` (comments allowed)."""
    relationship = share_with(provider, owner, *Module.values, level=Level.COMMENT)
    AgreementFactory.create(relationship=relationship)
    goal = GoalFactory.create(
        owner=owner, title="Sleep before midnight", target_date=timezone.localdate()
    )
    GoalStepFactory.create(goal=goal, text="No screens after ten", done=True)
    GoalStepFactory.create(goal=goal, text="Read a book in bed")
    GoalFactory.create(owner=owner, title="Phone my sister", domain=default_domain("relationships"))
    ActivityFactory.create(owner=owner, goal=goal, description="Went to bed at half eleven")
    for rating in (3, 5, 6):
        StatusRatingFactory.create(owner=owner, rating=rating)
    StatusRatingFactory.create(owner=owner, rating=4, domain=default_domain("money"))
    MedicationFactory.create(owner=owner, name="Sertraline")
    for name, circle, quality in (
        ("Mum", "inner", "supportive"),
        ("Choir on Tuesdays", "middle", "mixed"),
        ("A very long name for the GP surgery on the high street", "outer", "strained"),
    ):
        NetworkMemberFactory.create(owner=owner, name=name, circle=circle, quality=quality)
    CrisisPlanFactory.create(owner=owner)
    ExercisePracticeFactory.create(owner=owner, note="Calmer afterwards")
    entry = JournalEntryFactory.create(owner=owner, title="A better week", body="Slept **well**.")
    JournalShareFactory.create(entry=entry, relationship=relationship)
    care_services.add_comment(
        author=provider,
        owner=owner,
        module=Module.GOALS,
        item_id=goal.pk,
        body="Well done on the screens.",
    )
    AccessLogEntryFactory.create(owner=owner, viewer=provider, module=Module.CRISIS_PLAN)
    return {"goal": goal.pk, "entry": entry.pk, "relationship": relationship.pk}


@pytest.mark.browser
def test_toolbox_and_care_pages_have_no_serious_accessibility_problems(
    new_context: ContextFactory, service_user: User, provider: User
) -> None:
    """Phone-sized, under axe (which needs the CSP bypassed); every page is checked before the
    test fails, so one report lists every problem."""
    ids = fill_toolbox(service_user, provider)
    owner = service_user.pk

    skylark = Audit(new_context(viewport=PHONE, bypass_csp=True).new_page())
    log_in(skylark.page, service_user.email)
    skylark.check("/toolbox/", reflow=True)
    skylark.check("/toolbox/goals/")
    skylark.check(f"/toolbox/goals/{ids['goal']}/")
    skylark.page.goto("/toolbox/goals/create/")
    skylark.page.get_by_role("button", name="Save goal").click()
    expect(skylark.page.get_by_role("alert")).to_contain_text("My goal: This field is required.")
    skylark.check_current()
    skylark.check("/toolbox/status/")
    skylark.check("/toolbox/activities/")
    skylark.check("/toolbox/medications/")
    skylark.check("/toolbox/network/", reflow=True)
    skylark.check(CRISIS_PLAN)
    skylark.check("/toolbox/crisis-plan/edit/")
    skylark.check("/toolbox/crisis-plan/print/")
    skylark.check("/toolbox/exercises/")
    skylark.check("/toolbox/journal/")
    skylark.check("/care/team/")
    skylark.check("/care/sharing/", reflow=True)
    skylark.check("/care/access-log/")
    skylark.check(f"/care/relationships/{ids['relationship']}/")

    pat = Audit(new_context(viewport=PHONE, bypass_csp=True).new_page())
    log_in(pat.page, provider.email, totp_secret=TOTP_SECRET)
    pat.check("/care/caseload/")
    pat.check(f"/people/{owner}/")
    pat.check(f"/care/relationships/{ids['relationship']}/")
    pat.check(f"/people/{owner}/goals/")
    pat.check(f"/people/{owner}/network/")
    problems = skylark.problems + pat.problems
    assert not problems, "\n\n".join(problems)
