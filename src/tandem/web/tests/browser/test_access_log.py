"""Issue 24's "Done means" in the browser, for the access log and the agreement.

Skylark's access log shows "Pat viewed your goal …" once however often Pat reloads it in one
visit, names the overview too, and filters by module (axe clean, no sideways scrolling at
320 px). Pat proposes an agreement change; until Skylark accepts it both see the old version,
and Skylark sees the difference before accepting.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tandem.accounts.models import User
from tandem.care import services as care_services
from tandem.care.models import Agreement, CareRelationship, Level, Module
from tandem.conftest import TOTP_SECRET
from tandem.toolbox.tests.factories import GoalFactory

from .conftest import ContextFactory, axe_violations, horizontal_overflow, log_in

NARROWEST = ViewportSize(width=320, height=640)


def _link(service_user: User, provider: User) -> CareRelationship:
    return care_services.link_provider_by_code(
        service_user=service_user, code=care_services.ensure_link_code(provider=provider).code
    )


def _log_lines(page: Page) -> list[str]:
    return [
        text.strip()
        for text in page.locator("[data-access-log] > li > p:first-child").all_inner_texts()
    ]


@pytest.mark.browser
def test_the_access_log_shows_each_goal_once_per_visit_and_filters_by_module(
    new_context: ContextFactory, service_user: User, provider: User
) -> None:
    relationship = _link(service_user, provider)
    care_services.set_grants(
        service_user=service_user, levels={relationship.pk: {Module.GOALS: Level.VIEW}}
    )
    goal = GoalFactory.create(owner=service_user, title="Sleep better")
    pat_name = provider.get_full_name()

    pat = new_context().new_page()
    log_in(pat, provider.email, totp_secret=TOTP_SECRET)
    pat.goto(f"/people/{service_user.pk}/")
    pat.goto(f"/people/{service_user.pk}/goals/{goal.pk}/")
    expect(pat.get_by_role("heading", name="Sleep better")).to_be_visible()
    pat.reload()
    pat.goto(f"/people/{service_user.pk}/goals/{goal.pk}/")
    expect(pat.get_by_role("heading", name="Sleep better")).to_be_visible()

    skylark = new_context(viewport=NARROWEST, bypass_csp=True).new_page()
    log_in(skylark, service_user.email)
    skylark.goto("/care/access-log/")
    lines = _log_lines(skylark)
    goal_lines = [line for line in lines if "your goal “Sleep better”" in line]
    assert len(goal_lines) == 1, lines
    assert re.fullmatch(
        rf"{re.escape(pat_name)} viewed your goal “Sleep better” on \d+ \w+ at \d\d:\d\d\.",
        goal_lines[0],
    ), goal_lines[0]
    assert any(line.startswith(f"{pat_name} viewed the overview") for line in lines), lines
    assert len(lines) == 2, lines
    assert horizontal_overflow(skylark) is None
    violations = axe_violations(skylark)
    assert not violations, "\n".join(violations)

    skylark.get_by_label("What").select_option(label="Goals and activities")
    skylark.get_by_role("button", name="Show").click()
    expect(skylark).to_have_url(re.compile(r"module=goals"))
    assert _log_lines(skylark) == goal_lines
    expect(skylark.get_by_label("What")).to_have_value("goals")

    skylark.get_by_label("What").select_option(label="Medications")
    skylark.get_by_role("button", name="Show").click()
    expect(skylark.get_by_text("Nothing matches these filters.")).to_be_visible()
    skylark.get_by_role("link", name="Show everything").first.click()
    expect(skylark.locator("[data-access-log] > li")).to_have_count(2)


@pytest.mark.browser
def test_an_agreement_change_is_shown_as_a_diff_and_applies_only_once_accepted(
    new_context: ContextFactory, service_user: User, provider: User
) -> None:
    relationship = _link(service_user, provider)
    page_path = f"/care/relationships/{relationship.pk}/"
    in_force = "[data-agreement-in-force]"

    pat = new_context().new_page()
    log_in(pat, provider.email, totp_secret=TOTP_SECRET)
    pat.goto(page_path)
    pat.get_by_role("link", name="Propose a change").click()
    pat.get_by_label("What we use Tandem for").fill("Planning the week and talking about sleep.")
    pat.get_by_label("Replies can be expected within (working days)").fill("3")
    pat.get_by_role("button", name="Propose this change").click()
    pat.wait_for_load_state()

    # Until Skylark accepts, both see the agreement as it was.
    pat.goto(page_path)
    expect(pat.locator("[data-agreement-proposal]")).to_contain_text("Until it is accepted")
    expect(pat.locator(in_force)).not_to_contain_text("talking about sleep")
    expect(pat.locator(in_force)).to_contain_text("Version 1")

    skylark = new_context(bypass_csp=True).new_page()
    log_in(skylark, service_user.email)
    skylark.goto(page_path)
    expect(skylark.locator(in_force)).not_to_contain_text("talking about sleep")
    expect(skylark.locator(in_force)).to_contain_text("Version 1")
    diff = skylark.locator("[data-agreement-proposal] [data-agreement-diff]")
    expect(diff.locator("ins").filter(has_text="sleep")).to_have_count(1)
    expect(diff).to_contain_text("added:")
    expect(diff.locator("ins").filter(has_text="3")).to_have_count(1)
    violations = axe_violations(skylark)
    assert not violations, "\n".join(violations)
    agreement = Agreement.objects.get(relationship=relationship)
    assert "talking about sleep" not in agreement.purpose

    skylark.get_by_role("button", name="Accept the change").click()
    skylark.wait_for_load_state()
    skylark.goto(page_path)
    expect(skylark.locator("[data-agreement-proposal]")).to_have_count(0)
    expect(skylark.locator(in_force)).to_contain_text("Planning the week and talking about sleep.")
    expect(skylark.locator(in_force)).to_contain_text("Version 2")
    expect(skylark.locator(in_force)).to_contain_text("3 working days")
    pat.goto(page_path)
    expect(pat.locator(in_force)).to_contain_text("Planning the week and talking about sleep.")
