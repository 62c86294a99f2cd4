"""A provider whose access ends while they write a comment gets a page that says so and shows
their typed comment back, and nothing of the person's."""

from __future__ import annotations

import pytest
from django.test import Client

from tandem.accounts.models import User
from tandem.care import services as care_services
from tandem.care.models import Comment, Grant, Level, Module
from tandem.toolbox.tests.factories import (
    GoalFactory,
    JournalEntryFactory,
    JournalShareFactory,
    share_with,
)

pytestmark = pytest.mark.django_db

TYPED = "I noticed the walk on Tuesday helped: shall we plan two more?"


def test_a_revoked_providers_typed_comment_is_shown_back(
    provider_client: Client, service_user: User, provider: User
) -> None:
    relationship = share_with(provider, service_user, Module.GOALS, level=Level.COMMENT)
    goal = GoalFactory.create(owner=service_user, title="Walk every day")
    url = f"/people/{service_user.pk}/goals/{goal.pk}/comments/"
    assert provider_client.get(f"/people/{service_user.pk}/goals/{goal.pk}/").status_code == 200

    Grant.objects.filter(relationship=relationship).delete()  # the person stops sharing
    response = provider_client.post(url, {"body": TYPED})

    assert response.status_code == 404
    page = response.content.decode()
    assert "Your access has ended" in page
    assert "shall we plan two more?" in page  # what was typed, to copy
    assert "Walk every day" not in page  # nothing of the person's
    assert service_user.get_full_name() not in page
    assert not Comment.objects.exists()


def test_an_ended_relationship_shows_the_journal_comment_back(
    provider_client: Client, service_user: User, provider: User
) -> None:
    relationship = share_with(provider, service_user, Module.JOURNAL, level=Level.COMMENT)
    entry = JournalEntryFactory.create(owner=service_user, title="A hard week")
    JournalShareFactory.create(entry=entry, relationship=relationship)
    care_services.end_relationship(actor=service_user, relationship=relationship)

    response = provider_client.post(
        f"/people/{service_user.pk}/journal/{entry.pk}/comments/", {"body": TYPED}
    )
    assert response.status_code == 404
    page = response.content.decode()
    assert "shall we plan two more?" in page
    assert "A hard week" not in page
