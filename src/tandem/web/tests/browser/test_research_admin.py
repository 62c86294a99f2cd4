"""An organisation's admin sets up a study in the browser (issue 20): the link from the
organisation's settings, the error summary that keeps what was typed, the study in the list,
and the lock once someone agreed. axe-core on every page of it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tandem.accounts.models import Organisation, Role, User
from tandem.conftest import TOTP_SECRET
from tandem.research import services
from tandem.research.models import Study

from .conftest import ContextFactory, axe_violations, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_admin_sets_up_a_study_and_it_locks_once_someone_agreed(
    new_context: ContextFactory,
    org_admin: User,
    organisation: Organisation,
    make_member: Callable[..., User],
) -> None:
    page: Page = new_context().new_page()
    log_in(page, org_admin.email, totp_secret=TOTP_SECRET)
    page.goto(f"/organisations/{organisation.pk}/settings/")
    page.get_by_role("link", name="Research studies").click()
    expect(page.get_by_role("heading", name="Research studies")).to_be_visible()
    problems = axe_violations(page)
    page.get_by_role("link", name="Set up a study").click()
    page.get_by_label("Title").fill("Waiting for the other")
    page.get_by_label("Purpose, in plain words").fill("To learn how long people wait.")
    page.get_by_label("What is collected").fill("Which part you used and the hour.")
    page.get_by_label("Ethics reference").fill("REK 2026/7")
    today = timezone.localdate()
    page.get_by_label("Start date").fill(today.isoformat())
    page.get_by_label("End date").fill((today - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Set up the study").click()
    expect(page.get_by_role("alert")).to_contain_text("A study cannot end before it starts.")
    expect(page.get_by_label("Purpose, in plain words")).to_have_value(
        "To learn how long people wait."
    )
    problems += axe_violations(page)
    page.get_by_label("End date").fill((today + timedelta(days=180)).isoformat())
    page.get_by_role("button", name="Set up the study").click()
    expect(page.get_by_role("link", name="Waiting for the other")).to_be_visible()
    study = Study.objects.get(title="Waiting for the other")

    services.give_consent(user=make_member(Role.SERVICE_USER), study=study, role=Role.SERVICE_USER)
    page.get_by_role("link", name="Waiting for the other").click()
    expect(page.locator("[data-locked]")).to_be_visible()
    expect(page.get_by_label("Purpose, in plain words")).to_be_disabled()
    problems += axe_violations(page)
    page.get_by_label("Title").fill("Waiting for the other, again")
    page.get_by_role("button", name="Save the study").click()
    expect(page.get_by_role("link", name="Waiting for the other, again")).to_be_visible()
    study.refresh_from_db()
    assert study.purpose == "To learn how long people wait."
    assert problems == []
