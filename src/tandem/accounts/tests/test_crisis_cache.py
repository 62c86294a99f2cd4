"""The saved copy of the crisis contacts: refreshed on change and on read, shared by processes."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, suppress
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from pytest_django.fixtures import Settings

from tandem.accounts import crisis_cache, selectors, services
from tandem.accounts.models import CrisisContact, Organisation, User
from tandem.accounts.tests.factories import CrisisContactFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def crisis_file(settings: Settings, tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "state" / "crisis-contacts.json"
    settings.TANDEM_CRISIS_CACHE_FILE = path
    crisis_cache.forget_memory()
    yield path
    crisis_cache.forget_memory()


def saved_names(path: Path, organisation: Organisation) -> list[str]:
    data = json.loads(path.read_text())
    return [contact["name"] for contact in data["organisations"][str(organisation.pk)]["contacts"]]


# Real commits: inside a test's transaction, the refresh the organisation fixture scheduled
# would stand for every later change (one refresh per transaction) and never run.
committed = pytest.mark.django_db(transaction=True)


@pytest.fixture
def refreshes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the full rewrites from the database."""
    counted: list[int] = []
    real = crisis_cache.refresh

    def counting() -> crisis_cache.CrisisCopy:
        counted.append(1)
        return real()

    monkeypatch.setattr(crisis_cache, "refresh", counting)
    return counted


@committed
def test_saving_editing_and_deleting_a_contact_rewrite_the_copy_after_commit(
    organisation: Organisation, crisis_file: Path
) -> None:
    with transaction.atomic():
        contact = CrisisContactFactory.create(organisation=organisation, name="Night line")
        assert not crisis_file.exists()  # nothing is kept before the change is committed
    assert saved_names(crisis_file, organisation) == ["Night line"]

    contact.name = "Day and night line"
    contact.save()
    assert saved_names(crisis_file, organisation) == ["Day and night line"]
    saved = crisis_cache.saved_copy().organisations[organisation.pk]
    assert [c.name for c in saved.contacts] == ["Day and night line"]

    contact.delete()
    assert saved_names(crisis_file, organisation) == []


@committed
def test_renaming_the_organisation_rewrites_the_copy(
    organisation: Organisation, crisis_file: Path
) -> None:
    organisation.name = "Northside Mental Health"
    organisation.save()
    data = json.loads(crisis_file.read_text())
    assert data["organisations"][str(organisation.pk)]["name"] == "Northside Mental Health"
    assert data["public_organisation_id"] == organisation.pk


@committed
def test_replacing_twenty_contacts_refreshes_once(
    org_admin: User, organisation: Organisation, crisis_file: Path, refreshes: list[int]
) -> None:
    CrisisContactFactory.create_batch(5, organisation=organisation)
    contacts = [{"name": f"Line {n}", "phone": f"0300 555 01{n:02}"} for n in range(20)]
    refreshes.clear()
    services.set_crisis_contacts(actor=org_admin, organisation=organisation, contacts=contacts)
    # 5 deletions and 20 saves in one transaction: one rewrite, after it.
    assert len(refreshes) == 1
    assert saved_names(crisis_file, organisation) == [f"Line {n}" for n in range(20)]


@committed
def test_a_rolled_back_change_does_not_stop_the_next_one_from_refreshing(
    organisation: Organisation, crisis_file: Path, refreshes: list[int]
) -> None:
    refreshes.clear()
    with transaction.atomic():
        with suppress(RuntimeError), transaction.atomic():
            CrisisContactFactory.create(organisation=organisation, name="Rolled back")
            raise RuntimeError
        CrisisContactFactory.create(organisation=organisation, name="Kept")
    assert len(refreshes) == 1
    assert saved_names(crisis_file, organisation) == ["Kept"]


def test_a_normal_read_refreshes_the_copy_without_another_query(
    organisation: Organisation,
    crisis_file: Path,
    django_assert_num_queries: Callable[..., AbstractContextManager[Any]],
) -> None:
    contact = CrisisContactFactory.create(organisation=organisation, name="Night line")
    with django_assert_num_queries(1):
        selectors.crisis_contacts_for_organisation(organisation)
    assert saved_names(crisis_file, organisation) == ["Night line"]

    # A change this process did not see (another host made it, or a bulk update).
    CrisisContact.objects.filter(pk=contact.pk).update(name="Changed elsewhere")
    with django_assert_num_queries(1):
        selectors.crisis_contacts_for_organisation(organisation)
    assert saved_names(crisis_file, organisation) == ["Changed elsewhere"]


def test_unchanged_reads_do_not_rewrite_the_file(
    organisation: Organisation, crisis_file: Path
) -> None:
    CrisisContactFactory.create(organisation=organisation)
    selectors.crisis_contacts_for_organisation(organisation)
    written = crisis_file.stat().st_mtime_ns
    selectors.crisis_contacts_for_organisation(organisation)
    assert crisis_file.stat().st_mtime_ns == written


def test_which_organisation_visitors_see_is_kept(
    organisation: Organisation, crisis_file: Path
) -> None:
    assert selectors.public_crisis_organisation() == organisation
    assert crisis_cache.saved_copy().public_organisation_id == organisation.pk

    OrganisationFactory.create(slug="southside-test")
    assert selectors.public_crisis_organisation() is None
    assert crisis_cache.saved_copy().public_organisation_id is None


def test_a_change_written_by_another_process_is_served_and_the_newer_entry_wins(
    organisation: Organisation, crisis_file: Path
) -> None:
    CrisisContactFactory.create(organisation=organisation, name="Read here")
    selectors.crisis_contacts_for_organisation(organisation)
    mine = crisis_cache.saved_copy().organisations[organisation.pk].saved_at

    def other_process_writes(name: str, saved_at: str) -> None:
        data = json.loads(crisis_file.read_text())
        data["organisations"]["999"] = {"name": "Southside", "saved_at": saved_at, "contacts": []}
        data["organisations"][str(organisation.pk)]["contacts"][0]["name"] = name
        data["organisations"][str(organisation.pk)]["saved_at"] = saved_at
        crisis_file.write_text(json.dumps(data))

    other_process_writes("Changed on the other process", (mine + timedelta(seconds=1)).isoformat())
    copy = crisis_cache.saved_copy()
    assert copy.organisations[organisation.pk].contacts[0].name == "Changed on the other process"
    assert copy.organisations[999].name == "Southside"

    # An older write does not undo what this process saved later.
    other_process_writes("Stale", (mine - timedelta(hours=1)).isoformat())
    crisis_cache.forget_memory()
    selectors.crisis_contacts_for_organisation(organisation)  # saves "Read here" again, now
    other_process_writes("Stale", (timezone.now() - timedelta(hours=1)).isoformat())
    assert crisis_cache.saved_copy().organisations[organisation.pk].contacts[0].name == "Read here"


@committed
def test_a_full_refresh_drops_deleted_organisations(
    organisation: Organisation, crisis_file: Path
) -> None:
    southside = OrganisationFactory.create(name="Southside", slug="southside-test")
    for org in (organisation, southside):
        CrisisContactFactory.create(organisation=org)
        selectors.crisis_contacts_for_organisation(org)
    assert set(crisis_cache.saved_copy().organisations) == {organisation.pk, southside.pk}

    southside_id = southside.pk
    southside.delete()
    assert set(crisis_cache.saved_copy().organisations) == {organisation.pk}
    assert str(southside_id) not in json.loads(crisis_file.read_text())["organisations"]


def test_a_damaged_file_is_ignored_and_replaced(
    organisation: Organisation, crisis_file: Path
) -> None:
    crisis_file.parent.mkdir(parents=True)
    crisis_file.write_text('{"version": 1, "organisations": {"1": ')
    assert crisis_cache.saved_copy().organisations == {}

    CrisisContactFactory.create(organisation=organisation, name="Night line")
    selectors.crisis_contacts_for_organisation(organisation)
    assert saved_names(crisis_file, organisation) == ["Night line"]
    # Written whole through a temporary file and a rename: nothing else is left beside it.
    assert sorted(path.name for path in crisis_file.parent.iterdir()) == [
        "crisis-contacts.json",
        "crisis-contacts.json.lock",
    ]


def test_a_copy_that_cannot_be_written_never_breaks_a_page(
    settings: Settings,
    tmp_path: Path,
    organisation: Organisation,
    caplog: pytest.LogCaptureFixture,
) -> None:
    (tmp_path / "a-file").write_text("")
    settings.TANDEM_CRISIS_CACHE_FILE = tmp_path / "a-file" / "crisis-contacts.json"
    CrisisContactFactory.create(organisation=organisation, name="Night line")

    assert [c.name for c in selectors.crisis_contacts_for_organisation(organisation)] == [
        "Night line"
    ]
    # This process still has it in memory.
    saved = crisis_cache.saved_copy().organisations[organisation.pk]
    assert [c.name for c in saved.contacts] == ["Night line"]
    assert "Could not" in caplog.text


def test_the_command_rewrites_this_hosts_copy(
    organisation: Organisation, crisis_file: Path
) -> None:
    CrisisContactFactory.create(organisation=organisation, name="Night line")
    output = StringIO()
    call_command("refresh_crisis_contacts", stdout=output)
    assert saved_names(crisis_file, organisation) == ["Night line"]
    assert "Saved 1 crisis contacts of 1 organisations" in output.getvalue()
