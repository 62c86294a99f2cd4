"""Each read of the API costs a fixed number of queries, whatever the amount of data: counted at
two data sizes, equal, and under a ceiling."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.accounts.models import Role, User
from tandem.api.tests.conftest import ApiClient, token_for
from tandem.care.models import CareRelationship, Grant, Level, Module
from tandem.forum.models import Category
from tandem.forum.tests.conftest import join, make_topic, reply
from tandem.messaging.tests.factories import MessageFactory, thread_between
from tandem.notifications.services import notify
from tandem.toolbox.tests.factories import (
    GoalFactory,
    GoalStepFactory,
    JournalEntryFactory,
    MedicationFactory,
    NetworkMemberFactory,
    StatusRatingFactory,
)

pytestmark = pytest.mark.django_db

# Reads a service user makes of their own data; {owner}, {thread}, ... filled in below.
OWN_READS = [
    "/api/v1/me",
    "/api/v1/people/{owner}/status",
    "/api/v1/people/{owner}/goals",
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
    for i in range(n):
        StatusRatingFactory.create(owner=owner)
        goal = GoalFactory.create(owner=owner)
        GoalStepFactory.create(goal=goal, done=i % 2 == 0)
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
