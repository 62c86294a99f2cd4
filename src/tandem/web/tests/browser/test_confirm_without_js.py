"""Confirm before harm, without JavaScript: each delete or end asks on a page of its own and
the undo works; the new pages pass axe; the sharing table fits 320 px; the crisis plan panel
says "JavaScript is not running" only when it is not (issue 24)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tandem.accounts.models import User
from tandem.care.models import Grant, Level, Module, RelationshipStatus
from tandem.conftest import TOTP_SECRET
from tandem.toolbox.models import (
    Activity,
    GoalStep,
    NetworkMember,
    StatusRating,
)
from tandem.toolbox.tests.factories import (
    ActivityFactory,
    CrisisPlanFactory,
    GoalFactory,
    GoalStepFactory,
    NetworkMemberFactory,
    StatusRatingFactory,
    share_with,
)

from .conftest import PHONE, ContextFactory, axe_violations, horizontal_overflow, log_in

NARROWEST = ViewportSize(width=320, height=640)


def confirm_and_delete(page: Page, link: str | re.Pattern[str], button: str) -> None:
    """Follow a delete link, check the question page, and say yes."""
    page.get_by_role("link", name=link).click()
    expect(page.locator(".confirmation")).to_be_visible()
    page.get_by_role("button", name=button).click()
    expect(page.get_by_role("heading", level=1, name="Deleted")).to_be_visible()


@pytest.mark.browser
def test_every_delete_asks_first_and_undoes_without_javascript(
    new_context: ContextFactory, service_user: User
) -> None:
    goal = GoalFactory.create(owner=service_user, title="Sleep better")
    step = GoalStepFactory.create(goal=goal, text="No screens after ten")
    activity = ActivityFactory.create(owner=service_user, description="Went to bed early")
    rating = StatusRatingFactory.create(owner=service_user, rating=6)
    member = NetworkMemberFactory.create(owner=service_user, name="Aunt May")

    page = new_context(viewport=PHONE, java_script_enabled=False).new_page()
    log_in(page, service_user.email)

    page.goto("/toolbox/network/")
    confirm_and_delete(page, re.compile(r"^Remove\W+Aunt May$"), "Yes, remove")
    assert not NetworkMember.objects.filter(pk=member.pk).exists()
    page.get_by_role("button", name="Undo").click()
    expect(page).to_have_url(re.compile(r"/toolbox/network/$"))
    expect(page.get_by_role("main")).to_contain_text("Aunt May")
    assert NetworkMember.objects.filter(pk=member.pk).exists()

    page.goto(f"/toolbox/goals/{goal.pk}/")
    confirm_and_delete(page, re.compile(r"^Delete\W+No screens after ten$"), "Yes, delete")
    assert not GoalStep.objects.filter(pk=step.pk).exists()
    page.get_by_role("button", name="Undo").click()
    assert GoalStep.objects.filter(pk=step.pk).exists()

    page.goto("/toolbox/activities/")
    confirm_and_delete(page, re.compile(r"^Delete\W+Went to bed early$"), "Yes, delete")
    assert not Activity.objects.filter(pk=activity.pk).exists()

    page.goto("/toolbox/status/")
    confirm_and_delete(page, re.compile(r"^Delete rating of "), "Yes, delete")
    assert not StatusRating.objects.filter(pk=rating.pk).exists()
    # "No, go back" on a question page changes nothing.
    page.goto(f"/toolbox/goals/{goal.pk}/")
    page.get_by_role("link", name=re.compile(r"^Delete\W+No screens after ten$")).click()
    page.get_by_role("link", name="No, go back").click()
    assert GoalStep.objects.filter(pk=step.pk).exists()


@pytest.mark.browser
def test_ending_a_care_relationship_asks_first_without_javascript(
    new_context: ContextFactory, service_user: User, provider: User
) -> None:
    relationship = share_with(provider, service_user, Module.GOALS, level=Level.COMMENT)
    page = new_context(viewport=PHONE, java_script_enabled=False).new_page()
    log_in(page, service_user.email)
    page.goto(f"/care/relationships/{relationship.pk}/")
    page.get_by_role("link", name=f"Remove {provider.get_full_name()} from my care team").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Remove")
    expect(page.get_by_role("main")).to_contain_text("cannot be undone")
    relationship.refresh_from_db()
    assert relationship.status == RelationshipStatus.ACTIVE
    page.get_by_role("button", name="Yes, remove from my care team").click()
    relationship.refresh_from_db()
    assert relationship.status == RelationshipStatus.ENDED


@pytest.mark.browser
def test_the_new_pages_pass_axe_and_the_sharing_table_fits_320_px(
    new_context: ContextFactory, service_user: User, provider: User
) -> None:
    relationship = share_with(provider, service_user, *Module.values, level=Level.COMMENT)
    member = NetworkMemberFactory.create(owner=service_user, name="Aunt May")
    goal = GoalFactory.create(owner=service_user)
    problems: list[str] = []

    skylark = new_context(viewport=PHONE, bypass_csp=True).new_page()
    log_in(skylark, service_user.email)
    for path in (
        f"/toolbox/network/{member.pk}/delete/",
        f"/care/relationships/{relationship.pk}/end/",
        "/toolbox/deleted/person/999999/",  # too late to undo
    ):
        skylark.goto(path)
        problems += axe_violations(skylark)
    skylark.goto(f"/toolbox/network/{member.pk}/delete/")
    skylark.get_by_role("button", name="Yes, remove").click()
    problems += axe_violations(skylark)  # the "Deleted, undo" page

    skylark.set_viewport_size(NARROWEST)
    skylark.goto("/care/sharing/")
    overflow = horizontal_overflow(skylark)
    if overflow:
        problems.append(overflow)
    inner = skylark.evaluate(
        "(() => { const w = document.querySelector('.table-wrap');"
        " return [w.scrollWidth, w.clientWidth]; })()"
    )
    if inner[0] > inner[1]:
        problems.append(f"the sharing table scrolls inside its box: {inner[0]} > {inner[1]} px")
    problems += axe_violations(skylark)

    pat = new_context(viewport=PHONE, bypass_csp=True).new_page()
    log_in(pat, provider.email, totp_secret=TOTP_SECRET)
    pat.goto(f"/people/{service_user.pk}/goals/{goal.pk}/")
    pat.get_by_label("Comment:", exact=True).fill("Shall we plan two more walks?")
    Grant.objects.filter(relationship=relationship).delete()
    pat.get_by_role("button", name="Add comment").click()
    expect(pat.get_by_role("heading", level=1)).to_have_text("Your access has ended")
    expect(pat.get_by_role("textbox")).to_have_value("Shall we plan two more walks?")
    problems += axe_violations(pat)
    pat.goto("/messages/away/")
    problems += axe_violations(pat)
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_the_crisis_plan_says_javascript_is_off_only_when_it_is(
    new_context: ContextFactory, service_user: User
) -> None:
    CrisisPlanFactory.create(owner=service_user)
    note = "This needs JavaScript, which is not running"
    with_js = new_context(viewport=PHONE).new_page()
    log_in(with_js, service_user.email)
    with_js.goto("/toolbox/crisis-plan/")
    expect(with_js.get_by_text(note)).to_be_hidden()
    expect(with_js.get_by_role("button", name="Keep my crisis plan on this device")).to_be_visible()

    without_js = new_context(viewport=PHONE, java_script_enabled=False).new_page()
    log_in(without_js, service_user.email)
    without_js.goto("/toolbox/crisis-plan/")
    expect(without_js.get_by_text(note)).to_be_visible()
    # Opened directly, the offline page does not claim a copy was saved.
    without_js.goto("/toolbox/crisis-plan/offline/")
    expect(without_js.get_by_role("main")).not_to_contain_text("saved on this device")
    expect(without_js.get_by_role("main")).to_contain_text("No copy is kept on this device")
