"""Full-text search: scoped to the person's communities, ranked, highlighted safely.
Runs on SQLite (FTS5) and on PostgreSQL (tsvector + GIN) alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.accounts.models import User
from tandem.accounts.tests.factories import MembershipFactory, OrganisationFactory
from tandem.forum import search, services
from tandem.forum.models import Category
from tandem.forum.search import highlight, search_posts
from tandem.forum.tests.conftest import join, make_topic, reply
from tandem.forum.tests.factories import CategoryFactory, CommunityFactory

pytestmark = pytest.mark.django_db


def test_search_finds_ranks_and_scopes(
    member: Callable[..., User], make_member: Callable[..., User], category: Category
) -> None:
    reader = member()
    strong = make_topic(member(), category, title="Insomnia again", body="insomnia insomnia")
    weak = make_topic(member(), category, title="Food", body="Some insomnia talk")
    other_org = OrganisationFactory.create()
    elsewhere = CategoryFactory.create(community=CommunityFactory.create(organisation=other_org))
    outsider = join(MembershipFactory.create(organisation=other_org).user, elsewhere.community)
    make_topic(outsider, elsewhere, title="Their insomnia", body="insomnia insomnia insomnia")
    results = list(search_posts(reader, "insomnia"))
    assert [post.topic_id for post in results] == [strong.pk, weak.pk]
    assert list(search_posts(reader, "")) == []
    # FTS5 / tsquery syntax typed by people is taken as plain words, never as operators.
    assert len(search_posts(reader, '"insomnia* ^ (')) == 2


def test_only_the_newest_matches_are_ranked_and_a_page_costs_one_query(
    member: Callable[..., User],
    category: Category,
    monkeypatch: pytest.MonkeyPatch,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    """Common words match much of a big forum: ranking looks at the newest CANDIDATES only,
    best first among them, so the cost stays flat; counting takes no query."""
    monkeypatch.setattr(search, "CANDIDATES", 3)
    reader, author = member(), member()
    oldest_and_best = make_topic(author, category, title="Tea tea", body="tea tea tea tea")
    topic = make_topic(author, category, title="Chat", body="about tea once")
    newer = [reply(author, topic, body) for body in ("tea", "tea and tea", "tea again")]
    results = search_posts(reader, "tea")
    assert len(results) == 3
    assert oldest_and_best.posts.get().pk not in results.ids
    assert results.ids[0] == newer[1].pk  # "tea and tea": the best of the three newest
    assert sorted(results.ids) == sorted(post.pk for post in newer)
    with django_assert_num_queries(1):
        page = results[0:2]
    assert [post.pk for post in page] == results.ids[:2]
    assert page[0].author.pseudonym and page[0].topic.community.name  # joined, no more queries


def test_search_never_shows_other_communities_drafts_or_deleted_posts(
    member: Callable[..., User], make_member: Callable[..., User], category: Category
) -> None:
    reader = member()
    author = member()
    other_community = CommunityFactory.create(organisation=category.community.organisation)
    other_category = CategoryFactory.create(community=other_community)
    stranger = join(make_member(), other_community)
    make_topic(stranger, other_category, title="Elsewhere", body="kaleidoscope")
    services.save_topic_draft(
        author=author,
        community=category.community,
        category=category,
        title="d",
        body="kaleidoscope",
    )
    topic = make_topic(author, category, title="Gone", body="kaleidoscope")
    post = topic.posts.get()
    assert [p.pk for p in search_posts(reader, "kaleidoscope")] == [post.pk]
    services.delete_post(user=author, post=post)
    assert list(search_posts(reader, "kaleidoscope")) == []


def test_edits_keep_the_index_in_step(member: Callable[..., User], category: Category) -> None:
    author = member()
    topic = make_topic(author, category, body="original marmalade")
    post = reply(author, topic, "reply about porridge")
    post.topic.community = category.community
    services.edit_post(editor=author, post=post, body="reply about toast")
    assert list(search_posts(author, "porridge")) == []
    assert [p.pk for p in search_posts(author, "toast")] == [post.pk]
    assert [p.pk for p in search_posts(author, "Sleep")] == [topic.posts.get(is_opening=True).pk]


def test_highlight_escapes_first_then_marks() -> None:
    text = 'I said <script>alert("sleep")</script> & slept &amp; well'
    html = highlight(text, "sleep amp")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<mark>sleep</mark>" in html
    assert "<mark>slept</mark>" not in html  # "slept" does not start with "sleep"
    assert "&amp;" in html and "&<mark>amp" not in html


def test_search_page_paginates_and_highlights(
    client: object, member: Callable[..., User], category: Category
) -> None:
    from django.test import Client

    from tandem.conftest import login_client

    reader = member()
    for n in range(25):
        make_topic(member(), category, title=f"Walk {n}", body="a long <walk> outside")
    browser = login_client(Client(), reader)
    page = browser.get("/communities/search/?q=walk").content.decode()
    assert "25 posts found" in page
    assert "&lt;<mark>walk</mark>&gt;" in page
    assert "Page 1 of 2" in page
    assert "Page 2 of 2" in browser.get("/communities/search/?q=walk&page=2").content.decode()


def test_the_page_does_not_pretend_the_newest_matches_are_all_of_them(
    member: Callable[..., User], category: Category, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.test import Client

    from tandem.conftest import login_client

    monkeypatch.setattr(search, "CANDIDATES", 20)
    reader = member()
    for n in range(25):
        make_topic(member(), category, title=f"Walk {n}", body="a long walk")
    browser = login_client(Client(), reader)
    page = browser.get("/communities/search/?q=walk").content.decode()
    assert "At least 20 posts found" in page
    assert "20 posts found." not in page.replace("At least 20 posts found", "")
    monkeypatch.setattr(search, "CANDIDATES", 500)
    assert "25 posts found" in browser.get("/communities/search/?q=walk").content.decode()


def test_each_search_on_postgresql_is_planned_for_its_own_words(
    member: Callable[..., User], category: Category
) -> None:
    """Prepared statements may settle on one generic plan after a few runs; for a search it
    cost 1.8 s instead of 40 ms at 100,000 posts. Each search asks for a custom plan."""
    if connection.vendor != "postgresql":
        pytest.skip("plan caching is PostgreSQL's; SQLite searches through FTS5")
    reader = member()
    make_topic(member(), category, title="Insomnia", body="insomnia again")
    for _ in range(8):  # past psycopg's prepare threshold (5)
        with CaptureQueriesContext(connection) as queries:
            assert len(search_posts(reader, "insomnia")) == 1
    statements = [query["sql"] for query in queries.captured_queries]
    custom = next(
        i
        for i, sql in enumerate(statements)
        if "set_config('plan_cache_mode', 'force_custom_plan', true)" in sql
    )
    # The same statement sets the search's timeout (settings.TANDEM_SEARCH_TIMEOUT_MS).
    assert "set_config('statement_timeout'" in statements[custom]
    assert any("@@" in sql for sql in statements[custom + 1 :])


def test_results_link_to_the_page_of_the_topic_where_the_post_is(
    client: Any, member: Callable[..., User], category: Category
) -> None:
    from tandem.conftest import login_client
    from tandem.forum.links import POSTS_PER_PAGE

    writer, reader = member(), member()
    topic = make_topic(writer, category, title="Long thread", body="opening words")
    for n in range(POSTS_PER_PAGE):
        reply(writer, topic, f"reply number {n}")
    late = reply(writer, topic, "the kingfisher came back")
    login_client(client, reader)
    page = client.get("/communities/search/?q=kingfisher").content.decode()
    assert f'href="/topics/{topic.pk}/?page=2#post-{late.pk}"' in page
    page = client.get("/communities/search/?q=opening").content.decode()
    first = topic.posts.get(is_opening=True)
    assert f'href="/topics/{topic.pk}/#post-{first.pk}"' in page
