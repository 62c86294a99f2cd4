"""The caseload's triage and the person's page run a fixed number of queries: 5 people or 50,
each with conversations, unread and waiting messages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.fixtures import Settings

from tandem.accounts.models import Organisation, User
from tandem.care.tests.test_triage import person, waiting
from tandem.conftest import login_client
from tandem.messaging.models import Thread
from tandem.messaging.tests.factories import MessageFactory, thread_between

pytestmark = pytest.mark.django_db

# The caseload's own queries (session, roles, relationships, grants, link code, requests,
# the people asking the provider to join, the toolbox's changes per module), plus the
# agreements and messaging's two.
CASELOAD_BUDGET = 23


def _grow(provider: User, organisation: Organisation, people: int) -> list[User]:
    made = []
    for n in range(people):
        someone = person(provider, organisation, f"Person {n}")
        waiting(thread_between(someone, provider), since=timezone.now() - timedelta(days=n % 9))
        MessageFactory.create(thread=thread_between(someone, provider), sender=provider)
        made.append(someone)
    return made


def _count(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def test_caseload_triage_queries_do_not_grow_from_5_to_50_people(
    client: Client, provider: User, organisation: Organisation, settings: Settings
) -> None:
    # Every read of the person's page starts a new visit, so each writes its access-log line.
    settings.TANDEM_ACCESS_VISIT_MINUTES = 0
    login_client(client, provider)
    first = _grow(provider, organisation, 5)[0]
    client.get("/care/caseload/")  # the first visit creates the link code
    small = _count(client, "/care/caseload/")
    small_person = _count(client, f"/people/{first.pk}/")
    _grow(provider, organisation, 45)
    MessageFactory.create_batch(20, thread=Thread.objects.filter(service_user=first).first())
    large = _count(client, "/care/caseload/")
    large_person = _count(client, f"/people/{first.pk}/")
    assert small == large <= CASELOAD_BUDGET, (small, large)
    assert small_person == large_person, (small_person, large_person)
    html = client.get("/care/caseload/").content.decode()
    assert html.count("data-person=") == 50
