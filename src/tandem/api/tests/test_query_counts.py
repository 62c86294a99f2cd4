"""Each read of the API costs a fixed number of queries, whatever the amount of data: counted at
two data sizes, equal, and under a ceiling. The API's own rate limit is counted apart: it
lives in the cache, which is the database here (Redis in a deployment that has one)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.fixtures import Settings

from tandem.accounts.models import Role, User
from tandem.api.tests.conftest import ApiClient, token_for
from tandem.care.models import CareRelationship, Grant, Level, Module
from tandem.forum.models import Category
from tandem.forum.tests.conftest import join, make_topic, reply
from tandem.messaging.tests.factories import MessageFactory, thread_between
from tandem.notifications.services import notify
from tandem.toolbox.tests.factories import (
    ActivityFactory,
    GoalFactory,
    GoalStepFactory,
    JournalEntryFactory,
    MedicationFactory,
    NetworkMemberFactory,
    StatusRatingFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limit(settings: Settings) -> None:
    """The reads' own queries: the limit's counter is measured on its own, below."""
    settings.TANDEM_API_REQUESTS_PER_MINUTE = 0


# Reads a service user makes of their own data; {owner}, {thread}, ... filled in below.
OWN_READS = [
    "/api/v1/me",
    "/api/v1/people/{owner}/status",
    "/api/v1/people/{owner}/domains",
    "/api/v1/people/{owner}/goals",
    "/api/v1/people/{owner}/goals/{goal}",
    "/api/v1/people/{owner}/activities",
    "/api/v1/people/{owner}/medications",
    "/api/v1/people/{owner}/network",
    "/api/v1/people/{owner}/crisis-plan",
    "/api/v1/people/{owner}/journal",
    "/api/v1/threads",
    "/api/v1/threads/{thread}",
    "/api/v1/notifications",
    "/api/v1/forum/communities",
    "/api/v1/forum/communities/{community}/categories",
    "/api/v1/forum/categories/{category}/topics",
    "/api/v1/forum/topics/{topic}",
    "/api/v1/questionnaires",
]
# A care provider's reads through the care gate (each also writes the access log once).
PROVIDER_READS = [
    "/api/v1/people/{owner}/goals",
    "/api/v1/people/{owner}/goals/{goal}",
    "/api/v1/people/{owner}/activities",
    "/api/v1/people/{owner}/journal",
    "/api/v1/threads/{thread}",
]
CEILING = 16


def _world(
    n: int,
    relationship: CareRelationship,
    grant: Callable[..., Grant],
    member: Callable[..., User],
    category: Category,
) -> dict[str, int]:
    owner, provider = relationship.service_user, relationship.provider
    for module in (Module.GOALS, Module.JOURNAL):
        grant(relationship, module, Level.COMMENT)
    first_goal = GoalFactory.create(owner=owner)
    for i in range(n):
        StatusRatingFactory.create(owner=owner)
        goal = GoalFactory.create(owner=owner)
        GoalStepFactory.create(goal=goal, done=i % 2 == 0)
        GoalStepFactory.create(goal=first_goal, done=i % 2 == 0)
        ActivityFactory.create(owner=owner, goal=goal, domain=goal.domain)
        MedicationFactory.create(owner=owner)
        NetworkMemberFactory.create(owner=owner)
        JournalEntryFactory.create(owner=owner)
        notify(recipient=owner, kind="test", url="/toolbox/", title=f"Note {i}")
    threads = [thread_between(owner, provider, subject=f"Thread {i}") for i in range(n)]
    for i in range(n):
        MessageFactory.create(thread=threads[0], sender=provider if i % 2 else owner)
    join(owner, category.community)
    topics = [make_topic(member(), category, title=f"Topic {i}") for i in range(n)]
    for i in range(n):
        reply(member(Role.SERVICE_USER), topics[0], body=f"Reply {i}")
    return {
        "owner": owner.pk,
        "goal": first_goal.pk,
        "thread": threads[0].pk,
        "community": category.community_id,
        "category": category.pk,
        "topic": topics[0].pk,
    }


def _counts(client: ApiClient, paths: list[str], ids: dict[str, int]) -> dict[str, int]:
    counts = {}
    for path in paths:
        url = path.format(**ids)
        client.get(url)  # once before counting: the first read of a visit writes the log
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        counts[path] = len(queries)
    return counts


@pytest.mark.parametrize("who", ["owner", "provider"])
def test_reads_cost_the_same_queries_for_2_and_12_items(
    who: str,
    relationship: CareRelationship,
    grant: Callable[..., Grant],
    member: Callable[..., User],
    category: Category,
) -> None:
    reader = relationship.service_user if who == "owner" else relationship.provider
    paths = OWN_READS if who == "owner" else PROVIDER_READS
    client = ApiClient(token_for(reader))
    small = _counts(client, paths, _world(2, relationship, grant, member, category))
    large = _counts(client, paths, _world(12, relationship, grant, member, category))
    assert small == large
    assert max(large.values()) <= CEILING, large


# The limit's counter in the database cache: read it, write it (Django's database cache counts
# its rows and locks the one it writes, in a savepoint). No query with Redis.
RATE_LIMIT_QUERIES = 6


def test_the_rate_limit_costs_a_fixed_number_of_queries_in_the_database_cache(
    settings: Settings, service_user: User
) -> None:
    client = ApiClient(token_for(service_user))
    counts: dict[int, set[int]] = {}
    # Inside one clock minute, so the counter exists after the first request.
    with time_machine.travel(timezone.now().replace(second=10), tick=False):
        for limit in (0, 120, 0, 120):
            settings.TANDEM_API_REQUESTS_PER_MINUTE = limit
            client.get("/api/v1/me")
            with CaptureQueriesContext(connection) as queries:
                assert client.get("/api/v1/me").status_code == 200
            counts.setdefault(limit, set()).add(len(queries))
    assert len(counts[0]) == len(counts[120]) == 1
    assert counts[120].pop() - counts[0].pop() <= RATE_LIMIT_QUERIES
