"""axe-core plus reflow at 320 px on the toolbox's and the care team's pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tandem.accounts.models import User
from tandem.conftest import TOTP_SECRET
from tandem.web.tests.browser.helpers_toolbox import CRISIS_PLAN, fill_toolbox

from .conftest import PHONE, ContextFactory, axe_violations, horizontal_overflow, log_in

NARROWEST = ViewportSize(width=320, height=640)


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
