"""Full-text search over the posts a person may read: one function for pages,
:func:`search_posts`, and two that services call to keep the index in step.

PostgreSQL: ``Post.search_vector`` (title weighted above body, English stemming) with a GIN
index, ranked by ``ts_rank``. SQLite: the FTS5 table ``forum_post_fts`` (porter stemming), rowid
= post id, ranked by ``bm25``. Both tables are made by migration 0002. Matching and ranking
happen in the database; the snippet and its highlighting are made here, the same way on both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import overload

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection, transaction
from django.db.models import F, TextField, Value
from django.db.models.expressions import RawSQL
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


def query_terms(query: str) -> list[str]:
    return [term.lower() for term in _TERM.findall(query)][:MAX_TERMS]


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
    """Return the posts ``user`` may read that match every word of ``query``, best first.

    Only communities the person belongs to now (and has accepted the current code of conduct
    of), their circles, never drafts or deleted posts. An empty query matches nothing.

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
        search_query = SearchQuery(" ".join(terms), search_type="plain", config="english")
        candidates = posts.filter(search_vector=search_query).order_by("-pk").values("pk")
        ranked = (
            Post.objects.filter(pk__in=candidates[:CANDIDATES])
            .annotate(rank=SearchRank(F("search_vector"), search_query))
            .order_by("-rank", "-published_at", "-pk")
            .values_list("pk", flat=True)
        )
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Statements are prepared (settings/data.py), and after a few runs PostgreSQL may
                # keep one generic plan for them. How many posts a search matches depends on
                # its words, so a generic plan cannot suit them all: one took 1.8 s instead
                # of 40 ms. Plan each search for its own words.
                cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
            return RankedPosts(list(ranked))
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
