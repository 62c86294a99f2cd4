"""Full-text search over the posts a person may read: one function for pages,
:func:`search_posts`, and two that services call to keep the index in step.

PostgreSQL: ``Post.search_vector`` (title weighted above body, English stemming) with a GIN
index, ranked by ``ts_rank``. SQLite: the FTS5 table ``forum_post_fts`` (porter stemming), rowid
= post id, ranked by ``bm25``. Both tables are made by migration 0002. Matching and ranking
happen in the database; the snippet and its highlighting are made here, the same way on both.
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, QuerySet, TextField, Value
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from tandem.accounts.models import User
from tandem.forum.models import Post
from tandem.forum.selectors import visible_published_posts

MAX_TERMS = 8
SNIPPET_CHARS = 240
_TERM = re.compile(r"\w+", re.UNICODE)


def query_terms(query: str) -> list[str]:
    return [term.lower() for term in _TERM.findall(query)][:MAX_TERMS]


def search_posts(user: User, query: str) -> QuerySet[Post]:
    """Return the posts ``user`` may read that match every word of ``query``, best first.

    Only communities the person belongs to now (and has accepted the current code of conduct
    of), their circles, never drafts or deleted posts. An empty query matches nothing.
    """
    terms = query_terms(query)
    posts = visible_published_posts(user).select_related("author", "topic", "topic__community")
    if not terms:
        return posts.none()
    if connection.vendor == "postgresql":
        search_query = SearchQuery(" ".join(terms), search_type="plain", config="english")
        return (
            posts.filter(search_vector=search_query)
            .annotate(rank=SearchRank(F("search_vector"), search_query))
            .order_by("-rank", "-published_at", "-pk")
        )
    # Each word quoted: FTS5 operators typed by people (NEAR, *, ^, columns) stay plain words.
    match = " ".join('"' + term.replace('"', '""') + '"' for term in terms)
    return (
        posts.filter(
            pk__in=RawSQL(
                "SELECT rowid FROM forum_post_fts WHERE forum_post_fts MATCH %s", (match,)
            )
        )
        .annotate(
            rank=RawSQL(
                "SELECT bm25(forum_post_fts, 4.0, 1.0) FROM forum_post_fts "
                'WHERE forum_post_fts MATCH %s AND rowid = "forum_post"."id"',
                (match,),
            )
        )
        .order_by("rank", "-published_at", "-pk")
    )


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
    plain = " ".join(text.split())
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
