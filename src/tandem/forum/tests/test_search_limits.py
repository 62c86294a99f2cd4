"""Search under load: a statement timeout on PostgreSQL, a per-person rate limit, and web-search
syntax ("a phrase", -word) on PostgreSQL with SQLite's every-word fallback (issue 22)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.db.models import QuerySet
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings

from tandem.accounts.models import User
from tandem.conftest import login_client
from tandem.forum import search
from tandem.forum.models import Category, Post
from tandem.forum.search import SearchBusyError, search_posts, websearch_text
from tandem.forum.selectors import visible_published_posts
from tandem.forum.tests.conftest import make_topic

pytestmark = pytest.mark.django_db

BUSY = "Search is busy, try a shorter or more exact search."
TOO_MANY = "You have searched many times in a minute. Wait a minute, then try again."

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="statement_timeout and websearch_to_tsquery are PostgreSQL's; SQLite has neither",
)
needs_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the every-word fallback is SQLite's (FTS5)"
)


def _slow_posts(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Make every search wait ``seconds`` inside PostgreSQL, as a search over a huge or busy
    forum would."""

    def slow(user: User) -> QuerySet[Post]:
        # extra(): the only way to put a function call in the WHERE of a test's query.
        return visible_published_posts(user).extra(
            where=["(SELECT 1 FROM pg_sleep(%s)) = 1"], params=[seconds]
        )

    monkeypatch.setattr(search, "visible_published_posts", slow)


def _statement_timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return str(cursor.fetchone()[0])


@pytest.fixture
def panic_posts(member: Callable[..., User], category: Category) -> dict[str, int]:
    author = member()
    bodies = {
        "phrase": "A panic attack on the bus this morning.",
        "apart": "It was an attack of panic, nothing more.",
        "night": "Panic at night, I cannot sleep.",
    }
    return {
        name: make_topic(author, category, title=f"Post {n}", body=body).posts.get().pk
        for n, (name, body) in enumerate(bodies.items())
    }


@needs_postgresql
def test_a_search_past_the_timeout_is_cancelled_and_the_connection_stays_usable(
    member: Callable[..., User],
    category: Category,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reader = member()
    make_topic(member(), category, title="Kettle", body="the kettle again")
    before = _statement_timeout()
    settings.TANDEM_SEARCH_TIMEOUT_MS = 50
    _slow_posts(monkeypatch, 0.5)
    with pytest.raises(SearchBusyError):
        search_posts(reader, "kettle")
    assert _statement_timeout() == before  # rolled back with the search's savepoint
    monkeypatch.undo()
    settings.TANDEM_SEARCH_TIMEOUT_MS = 50
    assert len(search_posts(reader, "kettle")) == 1
    # A search that finished leaves no timeout behind for the rest of the request.
    assert _statement_timeout() == before


@needs_postgresql
def test_the_page_says_search_is_busy_and_keeps_the_query_when_the_timeout_fires(
    client: Client,
    member: Callable[..., User],
    category: Category,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_topic(member(), category, title="Kettle", body="the kettle again")
    login_client(client, member())
    settings.TANDEM_SEARCH_TIMEOUT_MS = 50
    _slow_posts(monkeypatch, 0.5)
    response = client.get("/communities/search/", {"q": '"the kettle" -tea'})
    assert response.status_code == 200
    page = response.content.decode()
    assert BUSY in page
    assert 'value="&quot;the kettle&quot; -tea"' in page
    assert "Nothing found" not in page
    monkeypatch.undo()
    page = client.get("/communities/search/", {"q": "kettle"}).content.decode()
    assert "1 post found" in page and BUSY not in page


@needs_postgresql
def test_a_long_enough_timeout_lets_a_slow_search_finish(
    member: Callable[..., User],
    category: Category,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_topic(member(), category, title="Kettle", body="the kettle again")
    reader = member()
    settings.TANDEM_SEARCH_TIMEOUT_MS = 5000
    _slow_posts(monkeypatch, 0.1)
    assert len(search_posts(reader, "kettle")) == 1


def test_searching_past_the_limit_answers_429_and_keeps_the_query(
    client: Client,
    member: Callable[..., User],
    category: Category,
    settings: Settings,
) -> None:
    settings.TANDEM_SEARCHES_PER_MINUTE = 3
    make_topic(member(), category, title="Walk", body="a long walk")
    reader, other = member(), member()
    start = timezone.now().replace(second=1, microsecond=0)
    with time_machine.travel(start, tick=False) as clock:
        login_client(client, reader)
        for _ in range(3):
            assert client.get("/communities/search/", {"q": "walk"}).status_code == 200
        response = client.get("/communities/search/", {"q": "long walk"})
        assert response.status_code == 429
        page = response.content.decode()
        assert TOO_MANY in page
        assert 'value="long walk"' in page
        assert "post found" not in page and "Nothing found" not in page
        # Opening the page without a query is not a search.
        assert client.get("/communities/search/").status_code == 200
        # The limit is one person's: someone else searches as usual.
        other_client = login_client(Client(), other)
        assert other_client.get("/communities/search/", {"q": "walk"}).status_code == 200
        clock.shift(timedelta(seconds=60))
        page = client.get("/communities/search/", {"q": "walk"}).content.decode()
        assert "1 post found" in page


def test_no_limit_when_the_setting_is_zero(
    client: Client, member: Callable[..., User], settings: Settings
) -> None:
    settings.TANDEM_SEARCHES_PER_MINUTE = 0
    login_client(client, member())
    for _ in range(25):
        assert client.get("/communities/search/", {"q": "walk"}).status_code == 200


@needs_postgresql
def test_a_quoted_phrase_must_appear_as_written_on_postgresql(
    member: Callable[..., User], panic_posts: dict[str, int]
) -> None:
    results = search_posts(member(), '"panic attack"')
    assert results.ids == [panic_posts["phrase"]]


@needs_postgresql
def test_a_word_after_a_minus_excludes_posts_on_postgresql(
    member: Callable[..., User], panic_posts: dict[str, int]
) -> None:
    reader = member()
    assert sorted(search_posts(reader, "panic -sleep").ids) == sorted(
        [panic_posts["phrase"], panic_posts["apart"]]
    )
    assert sorted(search_posts(reader, "bus or night").ids) == sorted(
        [panic_posts["phrase"], panic_posts["night"]]
    )
    # Only exclusions would match nearly everything: nothing is searched.
    assert search_posts(reader, "-sleep -bus").ids == []


@needs_sqlite
def test_sqlite_takes_every_word_as_required_and_ignores_quotes_and_minus(
    member: Callable[..., User], panic_posts: dict[str, int]
) -> None:
    reader = member()
    assert sorted(search_posts(reader, '"panic attack"').ids) == sorted(
        [panic_posts["phrase"], panic_posts["apart"]]
    )
    # "-sleep" is the word "sleep", required like the others.
    assert search_posts(reader, "panic -sleep").ids == [panic_posts["night"]]


def test_the_search_text_keeps_web_search_syntax_and_at_most_max_terms_words() -> None:
    assert websearch_text('"panic attack" -sleep or bus') == '"panic attack" -sleep or bus'
    assert websearch_text("a b c d e f g h i j") == "a b c d e f g h"
    assert websearch_text('  spaced\t"out" ') == 'spaced "out"'
    assert websearch_text("-sleep") == ""
    assert websearch_text("or") == ""
    assert websearch_text('" - ') == ""
    assert websearch_text("self-care") == "self-care"


def test_page_two_of_results_counts_as_a_search(
    client: Client,
    member: Callable[..., User],
    category: Category,
    settings: Settings,
) -> None:
    settings.TANDEM_SEARCHES_PER_MINUTE = 2
    for n in range(25):
        make_topic(member(), category, title=f"Walk {n}", body="a long walk")
    login_client(client, member())
    start = timezone.now().replace(second=1, microsecond=0)
    with time_machine.travel(start, tick=False):
        assert client.get("/communities/search/", {"q": "walk"}).status_code == 200
        assert client.get("/communities/search/", {"q": "walk", "page": "2"}).status_code == 200
        assert client.get("/communities/search/", {"q": "walk", "page": "2"}).status_code == 429
