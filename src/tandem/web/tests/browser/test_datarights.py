"""My data in the browser (issue 17): Skylark asks for her export, watches it being prepared
(the page refreshes itself while a real database worker builds it), downloads the ZIP and finds
every listed file, a valid FHIR Bundle and a PDF whose text holds her goals and crisis plan;
Otter asks for his account to be deleted and takes it back by logging in within the grace
period; axe on every data-rights page."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import LazySettings
from django.core.management import call_command
from fhir.resources.R4B.bundle import Bundle
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tandem.accounts.models import Organisation, Role, User
from tandem.accounts.tests.factories import TEST_PASSWORD
from tandem.care import services as care
from tandem.care.models import Level, Module
from tandem.care.tests.factories import CareRelationshipFactory
from tandem.datarights.models import DataExport, DeletionRequest, ExportStatus
from tandem.questionnaires.tests.factories import make_response
from tandem.toolbox.tests.factories import CrisisPlanFactory, GoalFactory, MedicationFactory

from .conftest import axe_violations, log_in

GOAL = "Walk to the allotment every Sunday"
WARNING_SIGN = "Pacing the kitchen at night"


@pytest.fixture
def skylark(
    service_user: User,
    provider: User,
    organisation: Organisation,
    settings: LazySettings,
    tmp_path: Path,
) -> User:
    """Skylark with goals, a crisis plan, a medication, a PHQ-9 and a provider she shares with;
    exports go to a folder of this test's own."""
    settings.TANDEM_EXPORT_DIR = tmp_path / "exports"
    GoalFactory.create(owner=service_user, title=GOAL)
    CrisisPlanFactory.create(owner=service_user, warning_signs=WARNING_SIGN)
    MedicationFactory.create(owner=service_user, name="Sertraline")
    make_response(service_user, "phq9", value=1)
    relationship = CareRelationshipFactory.create(
        service_user=service_user, provider=provider, organisation=organisation
    )
    care.set_grants(service_user=service_user, levels={relationship.pk: {Module.GOALS: Level.VIEW}})
    return service_user


def confirm_password_if_asked(page: Page) -> None:
    page.wait_for_load_state()
    if "/accounts/reauthenticate/" in page.url:
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_load_state()


def test_skylark_exports_her_data_watches_it_build_and_downloads_everything(
    skylark: User, axe_page: Page, settings: LazySettings, tmp_path: Path
) -> None:
    # The production set-up: the request only queues the export; a worker builds it.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    page = axe_page
    log_in(page, skylark.email)
    page.goto("/account/data/")
    problems = axe_violations(page)
    page.get_by_role("button", name="Prepare my data").click()

    expect(page.get_by_role("status")).to_contain_text("Your data is being prepared")
    progress = page.get_by_role("progressbar", name="Progress")
    expect(progress).to_have_attribute("value", "0")
    problems += axe_violations(page)
    export = DataExport.objects.get(user=skylark)
    assert export.status == ExportStatus.QUEUED

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0")
    # The page refreshes itself every 3 seconds: no reload here.
    download = page.get_by_role("button", name="Download my data (ZIP)")
    expect(download).to_be_visible(timeout=15_000)
    problems += axe_violations(page)

    with page.expect_download() as started:
        download.click()
        confirm_password_if_asked(page)
    target = tmp_path / "tandem-my-data.zip"
    started.value.save_as(target)
    assert started.value.suggested_filename == "tandem-my-data.zip"

    archive = zipfile.ZipFile(io.BytesIO(target.read_bytes()))
    names = set(archive.namelist())
    readme = archive.read("README.txt").decode()
    listed = set(re.findall(r"^(\S+\.(?:json|pdf|txt))$", readme, flags=re.MULTILINE))
    assert listed == names, "the README lists exactly the files in the ZIP"
    for name in names:
        if name.endswith(".json"):
            assert isinstance(json.loads(archive.read(name)), dict), name
    toolbox = json.loads(archive.read("toolbox.json"))
    assert GOAL in json.dumps(toolbox, ensure_ascii=False)
    assert json.loads(archive.read("questionnaires.json"))["responses"]
    assert [line["kind"] for line in json.loads(archive.read("changes.json"))["changes"]] == [
        "grant.created"
    ]

    bundle = Bundle.model_validate(json.loads(archive.read("fhir_bundle.json")))
    kinds = {entry.resource.get_resource_type() for entry in bundle.entry or [] if entry.resource}
    assert kinds == {
        "Patient",
        "Goal",
        "MedicationStatement",
        "Questionnaire",
        "QuestionnaireResponse",
        "Observation",
    }

    pdf_text = " ".join(
        " ".join(
            pdf_page.extract_text()
            for pdf_page in PdfReader(io.BytesIO(archive.read("summary.pdf"))).pages
        ).split()
    )
    assert GOAL in pdf_text
    assert WARNING_SIGN in pdf_text
    assert "My crisis plan" in pdf_text

    page.goto("/account/data/changes/")
    expect(
        page.get_by_text(re.compile(r"You gave .* access to Goals and activities"))
    ).to_be_visible()
    problems += axe_violations(page)
    assert not problems, "\n".join(problems)


def test_a_second_export_while_one_builds_is_refused_with_a_clear_sentence(
    skylark: User, page: Page, settings: LazySettings
) -> None:
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    log_in(page, skylark.email)
    page.goto("/account/data/")
    page.get_by_role("button", name="Prepare my data").click()
    expect(page.get_by_role("progressbar", name="Progress")).to_be_visible()
    page.goto("/account/data/")
    page.get_by_role("button", name="Prepare my data").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert DataExport.objects.filter(user=skylark).count() == 1


def test_otter_asks_to_delete_his_account_and_logging_in_again_cancels_it(
    make_member: Callable[..., User], axe_page: Page
) -> None:
    otter = make_member(Role.SERVICE_USER, pseudonym="Otter", email="otter@example.org")
    GoalFactory.create(owner=otter, title="Swim twice a week")
    page = axe_page
    log_in(page, otter.email)
    page.goto("/account/delete/")
    problems = axe_violations(page)
    page.get_by_role("button", name="Delete my account in 7 days").click()  # nothing ticked
    expect(page.get_by_role("alert").first).to_be_visible()
    problems += axe_violations(page)
    assert not DeletionRequest.objects.exists()

    page.get_by_label("Keep my forum posts, shown as written by “a former member”").check()
    page.get_by_label("I understand that after 7 days this cannot be undone.").check()
    page.get_by_role("button", name="Delete my account in 7 days").click()
    confirm_password_if_asked(page)
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    problems += axe_violations(page)
    deletion = DeletionRequest.objects.get(user_ref=otter.pk)
    assert deletion.cancelled_at is None and deletion.completed_at is None

    log_in(page, otter.email)
    expect(
        page.get_by_text("Your account will not be deleted: logging in cancelled it.")
    ).to_be_visible()
    assert DeletionRequest.objects.get(pk=deletion.pk).cancelled_at is not None
    assert User.objects.filter(pk=otter.pk, is_active=True).exists()
    assert not problems, "\n".join(problems)
