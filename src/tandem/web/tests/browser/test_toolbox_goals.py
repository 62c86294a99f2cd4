"""The toolbox and the care team in the browser: goals and their progress, and sharing them with a
care provider and taking it back."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tandem.accounts.models import User
from tandem.accounts.tests.factories import TEST_PASSWORD
from tandem.care import services as care_services
from tandem.conftest import TOTP_SECRET
from tandem.toolbox.models import GoalStep
from tandem.toolbox.tests.factories import (
    GoalFactory,
    GoalStepFactory,
)

from .conftest import PHONE, ContextFactory, log_in


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
