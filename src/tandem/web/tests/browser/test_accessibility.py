"""axe-core on every page of the shell at phone size, light and dark, plus reflow at 320 px.

Pages are grouped by who can see them, so each group logs in once. Every page is checked
before the test fails, so one report lists all problems.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.conf import settings
from playwright.sync_api import Page, ViewportSize, expect

from tandem.accounts import services
from tandem.accounts.models import Membership, Organisation, Role, User
from tandem.accounts.tests.factories import TEST_PASSWORD, CrisisContactFactory
from tandem.conftest import TOTP_SECRET

from .conftest import (
    PHONE,
    ContextFactory,
    axe_violations,
    horizontal_overflow,
    log_in,
    submit_login_form,
)

NARROWEST = ViewportSize(width=320, height=640)


class Audit:
    """Collects axe violations and sideways scrolling, page by page, for one report.

    Each page is checked in light mode, then for colour contrast in dark mode (only colours
    change there), then for sideways scrolling at 320 px.
    """

    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[str] = []

    def check(self, path: str, *, status: int = 200, reflow: bool = True) -> None:
        """Open ``path`` (expecting ``status`` and no redirect) and audit it."""
        response = self.page.goto(path)
        assert response is not None
        assert response.status == status, f"{path}: HTTP {response.status}"
        assert self.page.url.endswith(path), f"{path} went to {self.page.url}"
        self.check_current(reflow=reflow)

    def check_current(self, *, reflow: bool = True) -> None:
        """Audit the page as it is now."""
        self.problems.extend(axe_violations(self.page))
        self.page.emulate_media(color_scheme="dark")
        self.problems.extend(
            f"(dark mode) {problem}"
            for problem in axe_violations(self.page, rules=["color-contrast"])
        )
        self.page.emulate_media(color_scheme="light")
        if reflow:
            self.page.set_viewport_size(NARROWEST)
            overflow = horizontal_overflow(self.page)
            if overflow:
                self.problems.append(overflow)
            self.page.set_viewport_size(PHONE)

    def assert_clean(self) -> None:
        assert not self.problems, "\n\n".join(self.problems)


@pytest.fixture
def audit(axe_page: Page) -> Audit:
    return Audit(axe_page)


@pytest.mark.browser
def test_pages_for_visitors_have_no_serious_accessibility_problems(
    audit: Audit, org_admin: User, organisation: Organisation
) -> None:
    CrisisContactFactory(organisation=organisation, name="Northside crisis team")
    issued = services.invite_member(
        actor=org_admin, organisation=organisation, email="new@example.org", role=Role.SERVICE_USER
    )

    audit.check("/accounts/login/")
    audit.check("/accounts/password/reset/")
    audit.check("/crisis/")
    audit.check("/invitations/accept/not-a-real-token/", status=400)
    audit.page.goto(f"/invitations/accept/{issued.token}/")
    expect(audit.page.get_by_role("heading", name="Create your account")).to_be_visible()
    audit.check_current()
    audit.page.get_by_role("button", name="Create my account").click()
    expect(audit.page.get_by_role("alert")).to_be_visible()
    audit.check_current()

    submit_login_form(audit.page, "nobody@example.org", "wrong password")
    expect(audit.page.get_by_role("alert")).to_be_visible()
    audit.check_current()
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        submit_login_form(audit.page, "nobody@example.org", f"wrong password {attempt}")
    expect(audit.page.get_by_role("heading", name="Too many attempts to log in")).to_be_visible()
    audit.check_current()
    audit.assert_clean()


@pytest.mark.browser
def test_pages_for_a_service_user_have_no_serious_accessibility_problems(
    audit: Audit, service_user: User
) -> None:
    log_in(audit.page, service_user.email)
    for path in (
        "/",
        "/account/",
        "/accounts/password/change/",
        "/accounts/email/",
        "/accounts/2fa/",
    ):
        audit.check(path)
    # Its reflow has a test of its own below, which fails on a known bug.
    audit.check("/accounts/sessions/", reflow=False)

    audit.page.goto("/accounts/2fa/totp/activate/")
    if "/accounts/reauthenticate/" in audit.page.url:
        audit.check_current()
        audit.page.get_by_label("Password").fill(TEST_PASSWORD)
        audit.page.get_by_role("button", name="Confirm").click()
    expect(audit.page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    audit.check_current()
    audit.assert_clean()


@pytest.mark.browser
def test_two_step_required_page_has_no_serious_accessibility_problems(
    audit: Audit, make_member: Callable[..., User]
) -> None:
    provider = make_member(Role.PROVIDER)
    log_in(audit.page, provider.email)
    audit.check("/account/two-step-required/")
    audit.assert_clean()


@pytest.mark.browser
def test_organisation_admin_pages_have_no_serious_accessibility_problems(
    audit: Audit,
    org_admin: User,
    organisation: Organisation,
    make_member: Callable[..., User],
) -> None:
    newcomer = make_member(Role.PROVIDER, pseudonym="Unverified Uma")
    Membership.objects.filter(user=newcomer).update(verified_at=None)
    services.invite_member(
        actor=org_admin,
        organisation=organisation,
        email="someone.with.a.rather.long.address@example.org",
        role=Role.PROVIDER,
        profession="Community mental health nurse",
    )
    CrisisContactFactory(organisation=organisation, name="Northside crisis team")
    log_in(audit.page, org_admin.email, totp_secret=TOTP_SECRET)
    audit.check(f"/organisations/{organisation.pk}/members/")
    audit.check(f"/organisations/{organisation.pk}/settings/")
    audit.assert_clean()


@pytest.mark.browser
def test_sessions_list_fits_a_320px_screen_without_sideways_scrolling(
    new_context: ContextFactory, service_user: User
) -> None:
    """The full browser user agent once pushed allauth's table to 537 px on a 320 px screen."""
    page = new_context(viewport=NARROWEST).new_page()
    log_in(page, service_user.email)
    page.goto("/accounts/sessions/")
    expect(page.get_by_role("heading", name="Where you are logged in")).to_be_visible()
    assert horizontal_overflow(page) is None
