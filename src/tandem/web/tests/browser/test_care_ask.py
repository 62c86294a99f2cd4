"""Skylark asks Pat to join her care team; Pat is told, opens the notification, and accepts on
his caseload; Skylark is told and sees Pat in her care team (issue 24). Axe on each page that
changed: the care team with an ask waiting, the caseload with "Asking you to join"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tandem.accounts.models import User
from tandem.care.models import CareRelationship, Grant
from tandem.conftest import TOTP_SECRET

from .conftest import ContextFactory, axe_violations, log_in
from .test_care_team import confirm_password_if_asked, open_notification


def assert_no_axe_violations(page: Page) -> None:
    violations = axe_violations(page)
    assert not violations, "\n".join(violations)


@pytest.mark.browser
def test_skylark_asks_pat_to_join_and_pat_accepts_from_the_notification(
    new_context: ContextFactory, service_user: User, provider: User
) -> None:
    pat_name, skylark_name = provider.get_full_name(), service_user.get_full_name()

    skylark = new_context().new_page()
    log_in(skylark, service_user.email)
    skylark.goto("/care/team/")
    assert_no_axe_violations(skylark)
    skylark.get_by_role("combobox", name="Care provider to ask").select_option(str(provider.pk))
    skylark.get_by_role("button", name="Ask to join my care team").click()
    confirm_password_if_asked(skylark)
    expect(skylark).to_have_url(re.compile(r"/care/team/$"))
    expect(skylark.locator(".messages")).to_contain_text(f"We asked {pat_name}")
    expect(
        skylark.get_by_role("button", name=f"Withdraw the request to {pat_name}")
    ).to_be_visible()
    assert_no_axe_violations(skylark)

    pat = new_context().new_page()
    log_in(pat, provider.email, totp_secret=TOTP_SECRET)
    open_notification(pat, f"{skylark_name} asked you to join their care team")
    expect(pat).to_have_url(re.compile(r"/care/caseload/#asking$"))
    expect(pat.get_by_role("heading", name="Asking you to join")).to_be_visible()
    assert_no_axe_violations(pat)
    pat.get_by_role("button", name=f"Accept {skylark_name}").click()
    expect(pat).to_have_url(re.compile(rf"/people/{service_user.pk}/$"))
    expect(pat.locator(".messages")).to_contain_text("is now on your caseload")
    relationship = CareRelationship.objects.get(service_user=service_user, provider=provider)
    assert relationship.is_active
    assert not Grant.objects.filter(relationship=relationship).exists()

    open_notification(skylark, f"{pat_name} accepted and is now in your care team")
    expect(skylark).to_have_url(re.compile(rf"/care/relationships/{relationship.pk}/$"))
    skylark.goto("/care/team/")
    expect(skylark.get_by_role("link", name=pat_name)).to_be_visible()
    expect(skylark.get_by_text("Waiting for the care provider")).to_have_count(0)
    assert_no_axe_violations(skylark)


@pytest.mark.browser
def test_pat_declines_and_skylark_is_told_plainly(
    new_context: ContextFactory, service_user: User, provider: User
) -> None:
    pat_name, skylark_name = provider.get_full_name(), service_user.get_full_name()
    skylark = new_context().new_page()
    log_in(skylark, service_user.email)
    skylark.goto("/care/team/")
    skylark.get_by_role("combobox", name="Care provider to ask").select_option(str(provider.pk))
    skylark.get_by_role("button", name="Ask to join my care team").click()
    confirm_password_if_asked(skylark)

    pat = new_context().new_page()
    log_in(pat, provider.email, totp_secret=TOTP_SECRET)
    pat.goto("/care/caseload/")
    pat.get_by_role("button", name=f"Decline {skylark_name}").click()
    expect(pat.locator(".messages")).to_contain_text("You declined")

    open_notification(skylark, f"{pat_name} declined your request to join your care team")
    expect(skylark).to_have_url(re.compile(r"/care/team/$"))
    expect(skylark.get_by_text("Waiting for the care provider")).to_have_count(0)
