"""The toolbox through the test client: writing, sharing and deleting journal entries."""

from __future__ import annotations

import pytest
from django.test import Client

from tandem.accounts.models import User
from tandem.care.models import Level, Module
from tandem.toolbox.models import (
    JournalEntry,
    JournalShare,
)
from tandem.toolbox.tests.factories import (
    JournalEntryFactory,
    JournalShareFactory,
    share_with,
)

pytestmark = pytest.mark.django_db


# --- Journal ---------------------------------------------------------------------------------


def test_writing_sharing_and_unsharing_a_journal_entry(
    owner_client: Client, provider_client: Client, service_user: User, provider: User
) -> None:
    relationship = share_with(provider, service_user, Module.JOURNAL, level=Level.COMMENT)
    response = owner_client.post(
        "/toolbox/journal/create/",
        {"title": "A better day", "body": "I *went out*.\n\n<script>alert(1)</script>"},
    )
    entry = JournalEntry.objects.get(owner=service_user)
    assert response["Location"] == f"/toolbox/journal/{entry.pk}/"
    page = owner_client.get(f"/toolbox/journal/{entry.pk}/").content.decode()
    assert "<em>went out</em>" in page
    assert "<script>alert" not in page
    assert "Only you. This entry is private." in page

    shared_path = f"/people/{service_user.pk}/journal/{entry.pk}/"
    assert provider_client.get(shared_path).status_code == 404
    owner_client.post(f"/toolbox/journal/{entry.pk}/share/", {"relationship": relationship.pk})
    assert JournalShare.objects.filter(entry=entry, relationship=relationship).exists()
    assert "A better day" in provider_client.get(shared_path).content.decode()
    comment = provider_client.post(f"{shared_path}comments/", {"body": "Glad to read this"})
    assert comment.status_code == 302
    assert "Glad to read this" in owner_client.get(f"/toolbox/journal/{entry.pk}/").content.decode()

    owner_client.post(f"/toolbox/journal/{entry.pk}/unshare/{relationship.pk}/")
    assert provider_client.get(shared_path).status_code == 404


def test_sharing_with_someone_outside_the_care_team_is_refused(
    owner_client: Client, service_user: User, provider: User
) -> None:
    entry = JournalEntryFactory.create(owner=service_user)
    response = owner_client.post(f"/toolbox/journal/{entry.pk}/share/", {"relationship": "999"})
    assert response.status_code == 400
    assert not JournalShare.objects.exists()


def test_a_journal_entry_without_a_body_is_refused(owner_client: Client) -> None:
    response = owner_client.post("/toolbox/journal/create/", {"title": "Only a title"})
    assert response.status_code == 400
    assert b'value="Only a title"' in response.content


def test_the_journal_list_says_who_sees_each_entry(
    owner_client: Client, service_user: User, provider: User
) -> None:
    relationship = share_with(provider, service_user, Module.JOURNAL)
    JournalShareFactory.create(
        entry=JournalEntryFactory.create(owner=service_user, title="Shared one"),
        relationship=relationship,
    )
    JournalEntryFactory.create(owner=service_user, title="Private one")
    html = owner_client.get("/toolbox/journal/").content.decode()
    assert "Shared with Real Name" in html or f"Shared with {provider.get_full_name()}" in html
    assert "Private" in html


def test_editing_and_deleting_a_journal_entry(owner_client: Client, service_user: User) -> None:
    entry = JournalEntryFactory.create(owner=service_user)
    response = owner_client.post(
        f"/toolbox/journal/{entry.pk}/edit/", {"title": "New title", "body": "New body"}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.title == "New title"
    assert b"Yes, delete" in owner_client.get(f"/toolbox/journal/{entry.pk}/delete/").content
    owner_client.post(f"/toolbox/journal/{entry.pk}/delete/")
    assert not JournalEntry.objects.exists()
