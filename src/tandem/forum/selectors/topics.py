"""Reads about topics: lists, topics of the week, where a reader stands with a topic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from tandem.accounts.models import User
from tandem.forum import sql
from tandem.forum.models import Category, Community, Post, Topic, TopicRead, Visibility, Watch


class TopicList(sql.PagedRows[Topic]):
    """Community topics (not held) of a category or of a whole community, newest activity
    first, as a topic list shows them: title, author's pseudonym, reply count, last post, the
    reader's last visit (``last_read_at``) and, for a community, the category's name.

    A sequence for Django's paginator: its length is one query and a slice one more, both
    hand-written (through the ORM, building the query cost more than running it).
    """

    table, alias = Topic._meta.db_table, "t"
    _FIELDS = ("id", "category_id", "author_id", "title", "last_posted_at", "reply_count")

    def __init__(
        self, user: User, *, category: Category | None = None, community: Community | None = None
    ) -> None:
        if (category is None) == (community is None):
            raise ValueError("Give a category or a community.")
        self.params: dict[str, Any] = {
            "user": user.pk,
            "community_visibility": Visibility.COMMUNITY.value,
            "false": False,
            "scope": category.pk if category is not None else community.pk,  # type: ignore[union-attr]
        }
        self.with_category = category is None
        scope = "t.category_id" if category is not None else "t.community_id"
        self.where = (
            f"{scope} = %(scope)s AND t.visibility = %(community_visibility)s"
            " AND t.is_held = %(false)s"
        )

    def page(self, offset: int, limit: int) -> list[Topic]:
        column = {field.attname: field.column for field in sql.concrete_fields(Topic)}
        columns = ", ".join(f"t.{column[name]}" for name in self._FIELDS)
        category_join = (
            f"JOIN {Category._meta.db_table} g ON g.id = t.category_id"
            if self.with_category
            else ""
        )
        query = f"""
        SELECT {columns}, a.pseudonym, r.last_read_at{", g.name" if self.with_category else ""}
        FROM {Topic._meta.db_table} t
        JOIN {User._meta.db_table} a ON a.id = t.author_id
        LEFT JOIN {TopicRead._meta.db_table} r ON r.topic_id = t.id AND r.user_id = %(user)s
        {category_join}
        WHERE {self.where}
        ORDER BY t.last_posted_at DESC, t.id DESC
        LIMIT %(limit)s OFFSET %(offset)s
        """  # noqa: S608 - table and column names from _meta, values bound
        rows = sql.fetch_all(query, {**self.params, "limit": limit, "offset": offset})
        width = len(self._FIELDS)
        topics = []
        for row in rows:
            topic: Any = sql.from_row(Topic, row[:width], self._FIELDS)
            topic.author = User.from_db(None, ["id", "pseudonym"], [topic.author_id, row[width]])
            topic.last_read_at = sql.convert(TopicRead, "last_read_at", row[width + 1])
            if self.with_category:
                topic.category = Category.from_db(
                    None, ["id", "name"], [topic.category_id, row[width + 2]]
                )
            topics.append(topic)
        return topics


def with_unread(topics: QuerySet[Topic], user: User) -> QuerySet[Topic]:
    reads = TopicRead.objects.filter(user=user, topic=OuterRef("pk"))
    return topics.annotate(last_read_at=Subquery(reads.values("last_read_at")[:1]))


def topics_in_category(user: User, category: Category) -> TopicList:
    return TopicList(user, category=category)


def recent_topics(user: User, community: Community, limit: int = 10) -> list[Topic]:
    return TopicList(user, community=community)[:limit]


def featured_topics(community: Community, today: date | None = None) -> list[Topic]:
    """Topics of the week whose dates include today."""
    today = today or timezone.localdate()
    return list(
        Topic.objects.filter(
            community=community,
            visibility=Visibility.COMMUNITY,
            is_held=False,
            featured_from__lte=today,
            featured_until__gte=today,
        )
        .select_related("author")
        .order_by("-featured_from", "-pk")
    )


@dataclass(frozen=True)
class TopicReading:
    """Where one reader stands with one topic."""

    last_read_at: datetime | None
    is_watching: bool
    draft: Post | None


def _topic_reading_sql() -> str:
    """One SELECT of three small subqueries, by hand: the ORM would spend more Python building
    them than the three lookups cost the database (docs/performance.md)."""
    return f"""
    SELECT
      (SELECT r.last_read_at FROM {TopicRead._meta.db_table} r
         WHERE r.topic_id = %(topic)s AND r.user_id = %(user)s),
      EXISTS (SELECT 1 FROM {Watch._meta.db_table} w
         WHERE w.topic_id = %(topic)s AND w.user_id = %(user)s),
      (SELECT p.id FROM {Post._meta.db_table} p WHERE p.topic_id = %(topic)s
         AND p.author_id = %(user)s AND p.is_draft = %(true)s AND p.is_opening = %(false)s)
    """  # noqa: S608 - table names from _meta, values bound


def topic_reading(user: User, topic: Topic) -> TopicReading:
    """When ``user`` last read ``topic``, whether they watch it, and their draft reply there."""
    params = {"topic": topic.pk, "user": user.pk, "true": True, "false": False}
    ((read_at, watching, draft_id),) = sql.fetch_all(_topic_reading_sql(), params)
    return TopicReading(
        last_read_at=sql.convert(TopicRead, "last_read_at", read_at),
        is_watching=bool(watching),
        # A draft reply is rare; its text is read only when there is one.
        draft=Post.objects.filter(pk=draft_id).first() if draft_id is not None else None,
    )


def opening_post(topic: Topic) -> Post | None:
    return Post.objects.filter(topic=topic, is_opening=True).first()


def own_draft_topic(user: User, community: Community, draft_id: Any) -> Topic | None:
    """``user``'s draft topic ``draft_id`` in ``community``, None when there is none."""
    return Topic.objects.filter(
        pk=draft_id, author=user, community=community, visibility=Visibility.DRAFT
    ).first()
