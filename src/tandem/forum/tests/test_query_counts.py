"""Forum pages run a bounded number of SQL queries, the same with little data and with more."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tandem.accounts.models import Role, User
from tandem.conftest import login_client
from tandem.forum import services
from tandem.forum.models import Category, ReactionKind, Topic
from tandem.forum.tests.conftest import make_topic, reply
from tandem.forum.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def _count(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def _grow_topic(topic: Topic, people: list[User], posts: int) -> None:
    for n in range(posts):
        post = reply(
            people[n % len(people)], topic, f"Reply {n} about walking, @{people[0].pseudonym}"
        )
        services.toggle_reaction(
            user=people[(n + 1) % len(people)], post=post, kind=ReactionKind.HEAR_YOU
        )


@pytest.fixture
def crowd(member: Callable[..., User]) -> list[User]:
    return [
        member(),
        member(Role.PROVIDER, profession="Nurse"),
        member(),
        member(Role.FACILITATOR),
    ]


def test_topic_page_with_50_posts_runs_as_many_queries_as_with_5(
    client: Client, member: Callable[..., User], category: Category, crowd: list[User]
) -> None:
    reader = member()
    services.mute_person(user=reader, muted=crowd[2])
    topic = make_topic(crowd[0], category)
    _grow_topic(topic, crowd, 4)
    login_client(client, reader)
    path = f"/topics/{topic.pk}/"
    client.get(path)  # the first visit also creates the "last read" row
    small = _count(client, path)
    _grow_topic(topic, crowd, 45)
    assert topic.posts.count() == 50
    with_news = _count(client, path)  # 45 new posts: the "last read" mark moves (one write)
    large = _count(client, path)  # nothing new since: nothing is written
    assert small == large, (small, large)
    assert large <= 13
    assert with_news <= large + 3, (with_news, large)  # BEGIN, UPDATE, COMMIT


def test_topic_list_and_category_list_do_not_grow(
    client: Client, member: Callable[..., User], category: Category, crowd: list[User]
) -> None:
    reader = member()
    login_client(client, reader)

    def grow(n: int) -> None:
        for i in range(n):
            extra = CategoryFactory.create(community=category.community)
            topic = make_topic(crowd[i % len(crowd)], category, title=f"Topic {i}")
            make_topic(crowd[i % len(crowd)], extra, title=f"Other {i}")
            reply(crowd[(i + 1) % len(crowd)], topic)

    grow(2)
    client.get(f"/topics/{category.topics.first().pk}/")  # type: ignore[union-attr]
    paths = [
        f"/categories/{category.pk}/",
        f"/communities/{category.community_id}/",
        "/communities/",
        "/communities/search/?q=sleep",
        "/notifications/",
    ]
    small = {path: _count(client, path) for path in paths}
    grow(25)
    large = {path: _count(client, path) for path in paths}
    assert small == large
    # Search also counts the person's searches in the cache (forum.search.check_search_rate):
    # with the database cache of the tests a read and a write, 6 statements (none with Redis);
    # and on PostgreSQL, inside the test's transaction, one to reset the search's timeout (none
    # in production, where the search's own transaction ends it).
    assert large.pop("/communities/search/?q=sleep") <= 12 + 6 + 1, large
    assert max(large.values()) <= 12, large
