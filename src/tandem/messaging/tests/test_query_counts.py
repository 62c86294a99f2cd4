"""The inbox and the thread page run a bounded number of queries, whatever the data size."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import Settings

from tandem.accounts.models import Organisation, Role, User
from tandem.accounts.tests.factories import MembershipFactory
from tandem.care.models import Agreement
from tandem.care.tests.factories import CareRelationshipFactory
from tandem.conftest import login_client
from tandem.messaging import services
from tandem.messaging.models import Thread
from tandem.messaging.tests.factories import thread_between

pytestmark = pytest.mark.django_db

INBOX_LIMIT = 12
THREAD_LIMIT = 20
# A provider's read of the thread is written to the service user's access log: the visit's
# upsert and, when the read starts a visit, the line's INSERT (care.access_record).
ACCESS_RECORD_QUERIES = 2


def _grow(provider: User, organisation: Organisation, thread: Thread, people: int) -> None:
    """More people in the caseload, each with a thread, and more messages in ``thread``."""
    for _ in range(people):
        person = MembershipFactory.create(organisation=organisation, role=Role.SERVICE_USER).user
        relationship = CareRelationshipFactory.create(
            service_user=person, provider=provider, organisation=organisation
        )
        Agreement.objects.create(relationship=relationship)
        other = thread_between(person, provider)
        services.send_message(sender=person, thread=other, body="hi", client_key=uuid.uuid4())
        for sender in (thread.service_user, provider):
            services.send_message(
                sender=sender, thread=thread, body="**more**", client_key=uuid.uuid4()
            )


def _count(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


@pytest.mark.parametrize("who", ["service_user", "provider"])
@pytest.mark.parametrize("page", ["inbox", "thread"])
def test_messaging_pages_run_a_fixed_number_of_queries(
    client: Client,
    thread: Thread,
    provider: User,
    organisation: Organisation,
    request: pytest.FixtureRequest,
    settings: Settings,
    who: str,
    page: str,
) -> None:
    # Every read starts a new visit, so a provider's every read writes its access-log line.
    settings.TANDEM_ACCESS_VISIT_MINUTES = 0
    login_client(client, request.getfixturevalue(who))
    path = "/messages/" if page == "inbox" else f"/messages/{thread.pk}/"
    _grow(provider, organisation, thread, 3)
    small = _count(client, path)
    _grow(provider, organisation, thread, 40)
    large = _count(client, path)
    assert small == large, f"{path}: {small} queries with little data, {large} with more"
    limit = INBOX_LIMIT
    if page == "thread":
        limit = THREAD_LIMIT + (ACCESS_RECORD_QUERIES if who == "provider" else 0)
    assert large <= limit, large


SEND_LIMIT = 15


def test_sending_runs_a_fixed_number_of_queries(
    thread: Thread, service_user: User, provider: User
) -> None:
    # The send is on the path of every live delivery: short, and the same for every message
    # (the first one also writes the provider's notification).
    counts = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            services.send_message(
                sender=service_user, thread=thread, body="hello", client_key=uuid.uuid4()
            )
        counts.append(len(queries))
    assert counts[1] == counts[2], counts
    assert max(counts) <= SEND_LIMIT, counts
