"""Lockout after repeated wrong passwords, and the two-step requirement for staff roles."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from tandem.accounts.models import Role, User
from tandem.accounts.tests.factories import TEST_PASSWORD

from .conftest import log_in, submit_login_form

TWO_STEP_REQUIRED = re.compile(r"/account/two-step-required/$")


def retry_time(offset: timedelta) -> str:
    return timezone.localtime(timezone.now() + offset).strftime("%H:%M")


@pytest.mark.browser
def test_five_wrong_passwords_pause_logging_in_even_with_the_right_password(
    page: Page, service_user: User
) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    cool_off = settings.AXES_COOLOFF_TIME
    for attempt in range(1, limit):
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            submit_login_form(page, service_user.email, f"wrong password {attempt}")
        assert answer.value.status == 200, f"attempt {attempt}"
        expect(page.get_by_role("alert")).to_contain_text("email address and/or password")

    earliest = retry_time(cool_off)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        submit_login_form(page, service_user.email, "wrong password 5")
    latest = retry_time(cool_off)
    assert answer.value.status == 429
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many attempts to log in")
    main = page.get_by_role("main")
    expect(main).to_contain_text("logging in to it from here is paused for 15 minutes")
    retry_at = main.locator("time").inner_text()
    assert retry_at in {earliest, latest}, (retry_at, earliest, latest)
    expect(main.get_by_role("link", name="Crisis contacts")).to_be_visible()

    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        submit_login_form(page, service_user.email, TEST_PASSWORD)
    assert answer.value.status == 429
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many attempts to log in")
    page.goto("/account/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/account/$"))


@pytest.mark.browser
def test_provider_without_two_step_verification_can_reach_only_its_set_up_and_crisis_pages(
    page: Page, make_member: Callable[..., User]
) -> None:
    provider = make_member(Role.PROVIDER, pseudonym="Piper")
    log_in(page, provider.email)
    expect(page).to_have_url(TWO_STEP_REQUIRED)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step verification")

    for path in ("/", "/account/", "/organisations/"):
        page.goto(path)
        expect(page).to_have_url(TWO_STEP_REQUIRED)

    page.goto("/crisis/")
    expect(page).to_have_url(re.compile(r"/crisis/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Need help now?")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()  # still logged in
    page.goto("/accounts/2fa/")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/$"))
