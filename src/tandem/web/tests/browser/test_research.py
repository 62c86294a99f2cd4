"""Research in the browser (issue 20): Skylark reads what a study records, takes part and
withdraws; Rita, a researcher with two-step verification, opens the generated demo study's
dashboard, reads the module table and downloads both exports. axe-core on every research page.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from tandem.accounts.models import Membership, Role, User
from tandem.accounts.tests.factories import OrganisationFactory, UserFactory
from tandem.conftest import TOTP_SECRET
from tandem.research.models import Consent, ConsentStatus, ExportRecord, Study

from .conftest import ContextFactory, axe_violations, log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(make_member: Callable[..., User]) -> dict[str, object]:
    from allauth.mfa.totp.internal.auth import TOTP

    northside = OrganisationFactory.create(slug="northside", name="Northside")
    rita = UserFactory.create(full_name="Rita Demo", pseudonym="Rita", email="rita@example.org")
    Membership.objects.create(user=rita, organisation=northside, role=Role.RESEARCHER)
    TOTP.activate(rita, TOTP_SECRET)
    skylark = UserFactory.create(pseudonym="Skylark", email="sam@example.org")
    Membership.objects.create(user=skylark, organisation=northside, role=Role.SERVICE_USER)
    call_command("seed_research_demo", verbosity=0)
    return {"rita": rita, "skylark": skylark}


def test_a_service_user_takes_part_and_withdraws(
    new_context: ContextFactory, demo: dict[str, object]
) -> None:
    skylark = demo["skylark"]
    assert isinstance(skylark, User)
    study = Study.objects.get(synthetic=False)
    page: Page = new_context().new_page()
    log_in(page, skylark.email)
    page.goto("/research/studies/")
    problems = axe_violations(page)
    # The generated study is never offered to anyone.
    expect(page.get_by_role("link", name="ReConnect replication")).to_have_count(0)
    page.get_by_role("link", name=study.title).click()
    expect(page.get_by_text("You can withdraw at any time.")).to_be_visible()
    expect(page.get_by_text("Never recorded:")).to_be_visible()
    problems += axe_violations(page)
    page.get_by_role("button", name="Save my answer").click()  # no answer chosen
    expect(page.get_by_role("alert")).to_contain_text("Choose yes or no.")
    problems += axe_violations(page)
    page.get_by_label("Yes, I will take part").check()
    page.get_by_role("button", name="Save my answer").click()
    expect(page.locator("[data-consent-state]")).to_have_text("You are taking part in this study.")
    page.goto("/toolbox/goals/")  # a module page: recorded under the study's pseudonym
    page.goto(f"/research/studies/{study.pk}/")
    page.get_by_role("link", name="Withdraw from this study").click()
    problems += axe_violations(page)
    page.get_by_role("button", name="Yes, withdraw").click()
    expect(page.locator("[data-consent-state]")).to_contain_text("You withdrew")
    consent = Consent.objects.get(user=skylark)
    assert consent.status == ConsentStatus.WITHDRAWN
    assert not study.events.exists()
    assert problems == []


def test_rita_reads_the_dashboard_and_downloads_the_exports(
    new_context: ContextFactory, demo: dict[str, object]
) -> None:
    rita = demo["rita"]
    assert isinstance(rita, User)
    study = Study.objects.get(synthetic=True)
    page: Page = new_context().new_page()
    log_in(page, rita.email, totp_secret=TOTP_SECRET)
    page.goto("/research/")
    problems = axe_violations(page)
    page.get_by_role("link", name=study.title).click()
    expect(page.get_by_role("heading", name="Visits and postings per module")).to_be_visible()
    forum = page.locator('[data-module="forum"]')
    expect(forum.get_by_role("rowheader")).to_have_text("Forum")
    # The most visited module comes first, as in ReConnect.
    expect(page.locator("[data-module-table] tbody tr").first).to_have_attribute(
        "data-module", "forum"
    )
    expect(page.locator("svg.research-chart").first).to_have_attribute("role", "img")
    page.get_by_text("The same figures as a table").click()
    problems += axe_violations(page)
    with page.expect_download() as started:
        page.get_by_role("button", name="Download JSON").click()
    document = json.loads(Path(started.value.path()).read_text(encoding="utf-8"))
    assert document["study"]["participants"] == 57
    assert document["tables"]["modules"][0]["module"] == "forum"
    assert document["data_dictionary"]
    with page.expect_download() as started:
        page.get_by_role("button", name="Download CSV files (zip)").click()
    with zipfile.ZipFile(io.BytesIO(Path(started.value.path()).read_bytes())) as archive:
        assert "events.csv" in archive.namelist()
    assert ExportRecord.objects.filter(study=study, researcher=rita).count() == 2
    page.reload()
    expect(page.locator("[data-exports] tbody tr")).to_have_count(2)
    # A researcher reaches nothing anyone wrote.
    for path in ("/toolbox/", "/messages/", "/communities/"):
        response = page.goto(path)
        assert response is not None and response.status == 404, path
    assert problems == []
    exported_at = datetime.fromisoformat(document["study"]["exported_at"])
    assert timezone.now() - exported_at < timedelta(minutes=5)
