"""Questionnaires in the browser: a PHQ-9 with item 9 above 0 shows the person's own crisis
plan on the result page at once, with and without JavaScript; axe-core on the instrument,
result and trends pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tandem.accounts.models import CrisisContact, Organisation, User
from tandem.care.models import Level, Module
from tandem.conftest import TOTP_SECRET
from tandem.questionnaires.tests.factories import make_response
from tandem.toolbox.tests.factories import CrisisPlanFactory, share_with

from .conftest import ContextFactory, axe_violations, log_in


@pytest.fixture
def skylark(service_user: User, organisation: Organisation) -> User:
    CrisisPlanFactory.create(
        owner=service_user, professionals="Northside crisis team 0300 555 0199 (24 hours)"
    )
    CrisisContact.objects.create(
        organisation=organisation, position=0, name="Samaritans", phone="116 123"
    )
    return service_user


def answer_phq9_with_item_9(page: Page) -> None:
    page.goto("/questionnaires/phq9/")
    for number in range(1, 9):
        page.get_by_role("group", name=re.compile(rf"^{number}\. ")).get_by_label(
            "Not at all"
        ).check()
    page.get_by_role("group", name=re.compile(r"^9\. ")).get_by_label("Several days").check()
    page.get_by_role("button", name="Send my answers").click()


def expect_own_crisis_plan(page: Page) -> None:
    expect(page.get_by_role("heading", name="Your result")).to_be_visible()
    follow_up = page.locator(".follow-up")
    expect(follow_up.get_by_text("Walk by the river")).to_be_visible()
    expect(follow_up.get_by_text("Not sleeping")).to_be_visible()
    expect(follow_up.get_by_text("0300 555 0199 (24 hours)")).to_be_visible()
    expect(follow_up.get_by_role("link", name="116 123")).to_be_visible()


def test_item_9_shows_the_persons_own_crisis_plan_at_once(skylark: User, page: Page) -> None:
    log_in(page, skylark.email)
    answer_phq9_with_item_9(page)
    expect_own_crisis_plan(page)


def test_item_9_follow_up_without_javascript(skylark: User, new_context: ContextFactory) -> None:
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, skylark.email)
    answer_phq9_with_item_9(page)
    expect_own_crisis_plan(page)


def test_questionnaire_pages_pass_axe(skylark: User, axe_page: Page) -> None:
    now = timezone.now()
    for weeks, value in ((6, 2), (4, 1), (2, 1)):
        make_response(skylark, "phq9", submitted_at=now - timedelta(weeks=weeks), value=value)
    log_in(axe_page, skylark.email)
    problems: list[str] = []
    for path in ("/questionnaires/", "/questionnaires/phq9/", "/questionnaires/phq9/trends/"):
        axe_page.goto(path)
        problems += axe_violations(axe_page)
    axe_page.goto("/questionnaires/phq9/")
    axe_page.get_by_role("button", name="Send my answers").click()  # the error summary
    expect(axe_page.get_by_role("alert")).to_be_visible()
    problems += axe_violations(axe_page)
    answer_phq9_with_item_9(axe_page)
    expect_own_crisis_plan(axe_page)
    problems += axe_violations(axe_page)
    assert not problems, "\n".join(problems)


def test_providers_questionnaire_page_passes_axe(
    skylark: User, provider: User, axe_page: Page
) -> None:
    make_response(skylark, "who5", value=2)
    share_with(provider, skylark, Module.QUESTIONNAIRES, level=Level.VIEW)
    log_in(axe_page, provider.email, totp_secret=TOTP_SECRET)
    axe_page.goto(f"/people/{skylark.pk}/questionnaires/")
    expect(axe_page.get_by_text("Latest WHO-5:")).to_be_visible()
    assert not axe_violations(axe_page)
