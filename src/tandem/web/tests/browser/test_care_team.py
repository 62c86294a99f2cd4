"""A care team that works like a team, in the browser: each side is told what the other did
(a request, its acceptance, being added by code, a comment), and the provider's caseload
puts the person whose agreed reply time has passed first, marked in words; axe on the pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tandem.accounts.models import Role, User
from tandem.accounts.tests.factories import TEST_PASSWORD, MembershipFactory
from tandem.care import services as care_services
from tandem.care.models import CareRelationship, Level, Module
from tandem.conftest import TOTP_SECRET
from tandem.messaging.models import Side, Thread
from tandem.messaging.tests.factories import MessageFactory, thread_between
from tandem.toolbox.tests.factories import GoalFactory

from .conftest import ContextFactory, axe_violations, log_in


def confirm_password_if_asked(page: Page) -> None:
    """Adding someone who may see your data asks you to confirm it is you; the POST is then
    replayed (tandem.accounts.reauth)."""
    page.wait_for_load_state()
    if "/accounts/reauthenticate/" in page.url:
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_load_state()


def open_notification(page: Page, title: str) -> None:
    page.goto("/notifications/")
    button = page.get_by_role("button", name=title)
    expect(button).to_be_visible()
    button.click()
    page.wait_for_load_state()


def assert_no_axe_violations(page: Page) -> None:
    violations = axe_violations(page)
    assert not violations, "\n".join(violations)


@pytest.mark.browser
def test_a_request_is_told_accepted_told_back_and_a_comment_reaches_the_owner(
    new_context: ContextFactory, service_user: User, provider: User
) -> None:
    pat_name, skylark_name = provider.get_full_name(), service_user.get_full_name()
    pat = new_context().new_page()
    log_in(pat, provider.email, totp_secret=TOTP_SECRET)
    pat.goto("/care/caseload/")
    pat.get_by_label("The person's email address").fill(service_user.email)
    pat.get_by_role("button", name="Send request").click()
    expect(pat.locator(".messages")).to_contain_text("If this person uses Tandem")

    skylark = new_context().new_page()
    log_in(skylark, service_user.email)
    open_notification(skylark, f"{pat_name} asks to join your care team")
    expect(skylark).to_have_url(re.compile(r"/care/team/$"))
    assert_no_axe_violations(skylark)
    skylark.get_by_role("button", name=f"Accept {pat_name}").click()
    confirm_password_if_asked(skylark)
    assert CareRelationship.objects.get(service_user=service_user, provider=provider).is_active

    open_notification(pat, f"{skylark_name} accepted your request to join their care team")
    expect(pat).to_have_url(re.compile(rf"/people/{service_user.pk}/$"))
    expect(pat.get_by_role("link", name=f"Message {skylark_name}")).to_be_visible()

    # Skylark shares her goals for comments; Pat is told what he can see now.
    relationship = CareRelationship.objects.get(service_user=service_user, provider=provider)
    care_services.set_grants(
        service_user=service_user, levels={relationship.pk: {Module.GOALS: Level.COMMENT}}
    )
    goal = GoalFactory.create(owner=service_user, title="Sleep before midnight")
    open_notification(pat, f"{skylark_name} changed what you can see")
    pat.goto(f"/people/{service_user.pk}/goals/{goal.pk}/")
    pat.get_by_role("textbox", name="Comment").fill("Good plan. What helps you wind down?")
    pat.get_by_role("button", name="Add comment").click()
    expect(pat.locator(".messages")).to_contain_text("Your comment is added.")

    open_notification(skylark, f"{pat_name} commented on one of your goals")
    expect(skylark).to_have_url(re.compile(rf"/toolbox/goals/{goal.pk}/#comments$"))
    expect(skylark.locator("#comments")).to_contain_text("What helps you wind down?")


@pytest.mark.browser
def test_adding_a_provider_by_code_tells_the_provider(
    new_context: ContextFactory, service_user: User, provider: User
) -> None:
    code = care_services.ensure_link_code(provider=provider).code
    skylark = new_context().new_page()
    log_in(skylark, service_user.email)
    skylark.goto("/care/team/")
    skylark.get_by_label("Your care provider's code").fill(code)
    skylark.get_by_role("button", name="Add to my care team").click()
    confirm_password_if_asked(skylark)
    expect(skylark.locator(".messages")).to_contain_text("is now in your care team")

    pat = new_context().new_page()
    log_in(pat, provider.email, totp_secret=TOTP_SECRET)
    open_notification(pat, f"{service_user.get_full_name()} added you to their care team")
    expect(pat).to_have_url(re.compile(rf"/people/{service_user.pk}/$"))


@pytest.mark.browser
def test_the_caseload_puts_the_overdue_reply_first_and_marks_it_in_words(
    new_context: ContextFactory, provider: User, service_user: User
) -> None:
    organisation = provider.memberships.get(role=Role.PROVIDER).organisation
    now = timezone.now()
    people = {}
    for name, waited in (("Ada Recent", timedelta(hours=2)), ("Bea Overdue", timedelta(days=9))):
        person = MembershipFactory.create(
            organisation=organisation, role=Role.SERVICE_USER, user__full_name=name
        ).user
        care_services.link_provider_by_code(
            service_user=person, code=care_services.ensure_link_code(provider=provider).code
        )
        thread = thread_between(person, provider)
        MessageFactory.create(thread=thread, sender=person, created_at=now - waited)
        Thread.objects.filter(pk=thread.pk).update(
            waiting_for=Side.CARE_TEAM, waiting_since=now - waited
        )
        people[name] = person

    pat = new_context().new_page()
    log_in(pat, provider.email, totp_secret=TOTP_SECRET)
    pat.goto("/care/caseload/")
    counts = pat.locator("[data-triage-counts]")
    expect(counts).to_contain_text("1 reply overdue")
    expect(counts).to_contain_text("2 waiting for a reply")
    first = pat.locator("[data-triage-rows] > li").first
    expect(first).to_contain_text("Bea Overdue")
    expect(first).to_contain_text("Overdue: reply time passed")
    expect(pat.locator("[data-triage-rows] > li").nth(1)).not_to_contain_text("Overdue")
    assert_no_axe_violations(pat)

    pat.get_by_role("link", name="Name").click()
    expect(pat.locator("[data-triage-rows] > li").first).to_contain_text("Ada Recent")

    bea = people["Bea Overdue"]
    first = pat.locator(f'[data-person="{bea.pk}"]')
    first.get_by_role("link", name="Message Bea Overdue").click()
    expect(pat).to_have_url(re.compile(rf"/messages/new/\?service_user={bea.pk}$"))
    expect(pat.locator("select[name=service_user] option:checked")).to_have_text(
        re.compile("Bea Overdue")
    )
    pat.goto(f"/people/{bea.pk}/")
    expect(pat.get_by_text("Overdue: reply time passed")).to_be_visible()
    assert_no_axe_violations(pat)
