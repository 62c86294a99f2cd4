"""What research costs a page, and what its own pages cost: bounded, whatever the data size."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.conftest import login_client
from tandem.core.usage import Action, Module
from tandem.forum.models import Category
from tandem.forum.tests.conftest import category, community, join, make_topic, reply
from tandem.research.models import Consent, ConsentStatus, ResearchEvent, Study
from tandem.research.tests.conftest import statements

pytestmark = pytest.mark.django_db

__all__ = ["category", "community"]  # forum fixtures used here

# The forum's own budget for a topic page (forum/tests/test_query_counts.py).
TOPIC_PAGE_BUDGET = 13


def _topic_page(client: Client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return statements(queries)


def test_a_topic_page_costs_a_participant_one_insert_and_others_nothing(
    client_factory: Callable[[], Client],
    make_member: Callable[..., User],
    consenting: Callable[..., User],
    study: Study,
    category: Category,
) -> None:
    author, outsider, participant = make_member(), make_member(), consenting()
    for person in (author, outsider, participant):
        join(person, category.community)
    topic = make_topic(author, category)
    for n in range(20):
        reply(author, topic, f"Reply {n}")
    path = f"/topics/{topic.pk}/"
    outsider_client = login_client(client_factory(), outsider)
    participant_client = login_client(client_factory(), participant)
    for client in (outsider_client, participant_client):
        client.get(path)  # the first visit creates the "last read" row
    ResearchEvent.objects.all().delete()

    outsider_queries = _topic_page(outsider_client, path)
    participant_queries = _topic_page(participant_client, path)

    inserts = [sql for sql in participant_queries if "research_researchevent" in sql]
    assert len(inserts) == 1 and inserts[0].startswith("INSERT")
    assert not any("research_" in sql for sql in outsider_queries)
    assert len(participant_queries) == len(outsider_queries) + 1
    assert len(participant_queries) <= TOPIC_PAGE_BUDGET
    assert list(ResearchEvent.objects.values_list("module", "action")) == [
        (Module.FORUM, Action.VISIT)
    ]


def _grow_study(study: Study, people: int, events_each: int) -> None:
    start = timezone.now() - timedelta(days=20)
    consents = []
    events = []
    for n in range(people):
        role = Role.PROVIDER if n % 3 == 0 else Role.SERVICE_USER
        pseudonym = study.pseudonym_for(50_000 + n + Consent.objects.count())
        consents.append(
            Consent(study=study, role=role, pseudonym=pseudonym, status=ConsentStatus.CONSENTED)
        )
        for e in range(events_each):
            events.append(
                ResearchEvent(
                    study=study,
                    pseudonym=pseudonym,
                    role=role,
                    module=[Module.FORUM, Module.GOALS, Module.MESSAGING][e % 3],
                    action=[Action.VISIT, Action.POST, Action.MESSAGE_SENT][e % 3],
                    hour=start + timedelta(hours=e * 7),
                    wait_hours=e if role == Role.PROVIDER and e % 3 == 2 else None,
                    late=e > 30 if role == Role.PROVIDER and e % 3 == 2 else None,
                )
            )
    Consent.objects.bulk_create(consents)
    ResearchEvent.objects.bulk_create(events)


def _count(client: Client, path: str, method: str = "get") -> int:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(path)
    assert response.status_code == 200, path
    return len(queries)


def test_the_dashboard_and_exports_cost_the_same_with_more_data(
    client: Client, researcher: User, study: Study
) -> None:
    login_client(client, researcher)
    paths = [
        ("get", f"/research/{study.pk}/"),
        ("get", "/research/"),
        ("post", f"/research/{study.pk}/export.json"),
        ("post", f"/research/{study.pk}/export.zip"),
    ]
    _grow_study(study, people=6, events_each=6)
    small = [_count(client, path, method) for method, path in paths]
    _grow_study(study, people=60, events_each=40)
    large = [_count(client, path, method) for method, path in paths]
    assert small == large
    assert large[0] <= 16, large
