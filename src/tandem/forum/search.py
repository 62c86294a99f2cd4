"""Full-text search over the posts a person may read: one function for pages,
:func:`search_posts`, and two that services call to keep the index in step.

PostgreSQL: ``Post.search_vector`` (title weighted above body, English stemming) with a GIN
index, ranked by ``ts_rank``, words read as ``websearch_to_tsquery`` reads them ("a phrase",
-word, or), each search under its own statement timeout. SQLite: the FTS5 table
``forum_post_fts`` (porter stemming), rowid = post id, ranked by ``bm25``, every word plain and
required, no timeout. Both tables are made by migration 0002. Matching and ranking happen in
the database; the snippet and its highlighting are made here, the same way on both.

A person may search ``TANDEM_SEARCHES_PER_MINUTE`` times a minute (:func:`check_search_rate`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import overload

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.cache import cache
from django.db import OperationalError, connection, transaction
from django.db.models import F, QuerySet, TextField, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from tandem.accounts.models import User
from tandem.core.text import strip_invisible_characters
from tandem.forum.models import Post
from tandem.forum.selectors import visible_published_posts

MAX_TERMS = 8
# Matches ranked per query: the newest this many (see search_posts).
CANDIDATES = 500
SNIPPET_CHARS = 240
_TERM = re.compile(r"\w+", re.UNICODE)
# PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout (query_canceled).
_QUERY_CANCELED = "57014"


class SearchRefusedError(Exception):
    """A search that was not run to the end; the page says why and keeps the query."""


class SearchBusyError(SearchRefusedError):
    """The search ran past ``TANDEM_SEARCH_TIMEOUT_MS`` and PostgreSQL cancelled it."""


class TooManySearchesError(SearchRefusedError):
    """The person searched more than ``TANDEM_SEARCHES_PER_MINUTE`` times this minute."""


def query_terms(query: str) -> list[str]:
    return [term.lower() for term in _TERM.findall(query)][:MAX_TERMS]


def websearch_text(query: str) -> str:
    """The query as PostgreSQL's ``websearch_to_tsquery`` gets it: its first ``MAX_TERMS``
    words as typed ("quoted phrases", -word and or kept), or "" when it asks for no word at
    all (only exclusions: every post would match, which nobody means).

    websearch_to_tsquery accepts any text without error, so nothing else is escaped here;
    hyphenated words (self-care) stay as typed, as the index stored them.
    """
    kept: list[str] = []
    words = 0
    for token in query.split():
        if _TERM.search(token):
            words += 1
            if words > MAX_TERMS:
                break
        kept.append(token)
    wanted = any(
        _TERM.search(token) and not token.lstrip('"').startswith("-") and token.lower() != "or"
        for token in kept
    )
    return " ".join(kept) if wanted else ""


def check_search_rate(user: User) -> None:
    """Count one search for ``user`` and raise :class:`TooManySearchesError` past
    ``TANDEM_SEARCHES_PER_MINUTE`` in this minute (0: no limit).

    One counter per person and clock minute in the shared cache (every worker sees it). A
    search costs the database far more than a page: one person (or one runaway script) must
    not be able to take the workers from everyone else. Two requests racing may both pass at
    the limit: one search more, never an unbounded number.
    """
    limit: int = settings.TANDEM_SEARCHES_PER_MINUTE
    if limit <= 0:
        return
    minute = int(timezone.now().timestamp()) // 60
    key = f"tandem:throttle:search:{user.pk}:{minute}"
    try:
        count = cache.incr(key)
    except ValueError:  # the first search of this minute
        cache.set(key, 1, timeout=120)
        count = 1
    if count > limit:
        raise TooManySearchesError


class RankedPosts(Sequence[Post]):
    """Search results: post ids in rank order, posts fetched a page at a time.

    A sequence, so Django's paginator counts it with ``len`` (no second query) and slices
    it (one query per page, authors and topics joined).
    """

    def __init__(self, ids: list[int]) -> None:
        self.ids = ids
        # Only the newest CANDIDATES matches are ranked: there may be more than these.
        self.capped = len(ids) >= CANDIDATES

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, index: int) -> Post: ...

    @overload
    def __getitem__(self, index: slice) -> list[Post]: ...

    def __getitem__(self, index: int | slice) -> Post | list[Post]:
        if isinstance(index, int):
            return self._fetch([self.ids[index]])[0]
        return self._fetch(self.ids[index])

    def __iter__(self) -> Iterator[Post]:
        return iter(self._fetch(self.ids))

    def exists(self) -> bool:
        return bool(self.ids)

    @staticmethod
    def _fetch(ids: list[int]) -> list[Post]:
        found = Post.objects.select_related("author", "topic", "topic__community").in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]


def search_posts(user: User, query: str) -> RankedPosts:
    """Return the posts ``user`` may read that match ``query``, best first.

    Only communities the person belongs to now (and has accepted the current code of conduct
    of), their circles, never drafts or deleted posts. An empty query matches nothing.

    On PostgreSQL the query is read as people write web searches (``websearch_to_tsquery``):
    every word is required, "a phrase" in quotes must appear as written, -word excludes posts
    with it, ``or`` between words accepts either. On SQLite every word is required and quotes
    and minus signs are ignored. Raise :class:`SearchBusyError` when PostgreSQL cancels the
    search after ``TANDEM_SEARCH_TIMEOUT_MS`` (SQLite has no statement timeout).

    Ranking is done among the newest ``CANDIDATES`` matches: common words match a large share
    of a big forum, and ranking every match costs time in proportion to all of them, while
    the newest matches are found through the index and hold what people look for. So the
    cost of a search stays flat as the forum grows.
    """
    terms = query_terms(query)
    if not terms:
        return RankedPosts([])
    posts = visible_published_posts(user)
    if connection.vendor == "postgresql":
        text = websearch_text(query)
        return _search_postgresql(posts, text) if text else RankedPosts([])
    # Each word quoted: FTS5 operators typed by people (NEAR, *, ^, columns) stay plain words.
    match = " ".join('"' + term.replace('"', '""') + '"' for term in terms)
    newest = dict(
        posts.filter(
            pk__in=RawSQL(
                "SELECT rowid FROM forum_post_fts WHERE forum_post_fts MATCH %s", (match,)
            )
        )
        .order_by("-pk")
        .values_list("pk", "published_at")[:CANDIDATES]
    )
    if not newest:
        return RankedPosts([])
    # One MATCH for all of them, bounded by the oldest: bm25() in a subquery per
    # post, or with "rowid IN (...)", runs the whole MATCH again for every post (about 30 s for
    # a common word in 100,000 posts); a rowid range is one pass over the index.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rowid, bm25(forum_post_fts, 4.0, 1.0) FROM forum_post_fts "
            "WHERE forum_post_fts MATCH %s AND rowid >= %s",
            [match, min(newest)],
        )
        rank: dict[int, float] = {pk: score for pk, score in cursor.fetchall() if pk in newest}

    def best_first(pk: int) -> tuple[float, float, int]:
        published = newest[pk]
        return (rank.get(pk, 0.0), -published.timestamp() if published else 0.0, -pk)

    return RankedPosts(sorted(newest, key=best_first))


def _search_postgresql(posts: QuerySet[Post], text: str) -> RankedPosts:
    search_query = SearchQuery(text, search_type="websearch", config="english")
    candidates = posts.filter(search_vector=search_query).order_by("-pk").values("pk")
    ranked = (
        Post.objects.filter(pk__in=candidates[:CANDIDATES])
        .annotate(rank=SearchRank(F("search_vector"), search_query))
        .order_by("-rank", "-published_at", "-pk")
        .values_list("pk", flat=True)
    )
    # Statements are prepared (settings/data.py), and after a few runs PostgreSQL may keep one
    # generic plan for them. How many posts a search matches depends on its words, so a generic
    # plan cannot suit them all: one took 1.8 s instead of 40 ms. Plan each search for its own
    # words (set_config(..., true) is SET LOCAL, and takes parameters).
    local_settings = "SELECT set_config('plan_cache_mode', 'force_custom_plan', true)"
    params: list[str] = []
    timeout_ms = int(settings.TANDEM_SEARCH_TIMEOUT_MS)
    if timeout_ms > 0:
        # A search that runs long holds a worker and a database connection: under load
        # (issue 22) the queue behind it grows for every page, not only search.
        local_settings += ", set_config('statement_timeout', %s, true)"
        params.append(f"{timeout_ms}ms")
    # Inside a request's outer transaction a local setting would outlive this search.
    nested = connection.in_atomic_block
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(local_settings, params)
            ids = list(ranked)
            if nested and timeout_ms > 0:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL statement_timeout = DEFAULT")
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == _QUERY_CANCELED:
            raise SearchBusyError from error
        raise
    return RankedPosts(ids)


def index_post(post: Post, title: str) -> None:
    """Put a published post (and its topic's title, for an opening post) in the index."""
    if post.is_draft or post.is_deleted:
        unindex_post(post)
        return
    if connection.vendor == "postgresql":
        Post.objects.filter(pk=post.pk).update(
            search_vector=SearchVector(
                Value(title, output_field=TextField()), weight="A", config="english"
            )
            + SearchVector("body", weight="B", config="english")
        )
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM forum_post_fts WHERE rowid = %s", [post.pk])
            cursor.execute(
                "INSERT INTO forum_post_fts (rowid, title, body) VALUES (%s, %s, %s)",
                [post.pk, title, post.body],
            )


def unindex_post(post: Post) -> None:
    if connection.vendor == "postgresql":
        Post.objects.filter(pk=post.pk).update(search_vector=None)
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM forum_post_fts WHERE rowid = %s", [post.pk])


def highlight(text: str, query: str) -> SafeString:
    """Return a short excerpt of ``text`` around the first match, escaped, with the query's
    words (and words starting with them, for stemmed matches) wrapped in ``<mark>``.

    Escaping comes first and marking second, so nothing in ``text`` can become markup; the
    pattern never matches inside an entity that escaping produced (``&amp;``, ``&#x27;``).
    """
    terms = query_terms(query)
    # The stored text is as typed: an unbalanced override would turn the page after it around.
    plain = " ".join(strip_invisible_characters(text).split())
    start = 0
    if terms:
        found = re.search("|".join(re.escape(term) for term in terms), plain, re.IGNORECASE)
        if found:
            start = max(0, found.start() - SNIPPET_CHARS // 3)
    excerpt = plain[start : start + SNIPPET_CHARS]
    escaped: str = escape(
        ("…" if start else "") + excerpt + ("…" if start + SNIPPET_CHARS < len(plain) else "")
    )
    if terms:
        pattern = re.compile(
            r"(?<![&#\w])(" + "|".join(re.escape(term) for term in terms) + r")\w*",
            re.IGNORECASE,
        )
        escaped = pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped)
    # Safe: the text was escaped above and only <mark> tags were added around words.
    return mark_safe(escaped)  # noqa: S308
