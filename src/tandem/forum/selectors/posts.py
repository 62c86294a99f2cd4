"""Reads about posts: a topic's page of posts for one reader, drafts, revisions, search's
scope."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from tandem.accounts.models import User
from tandem.forum import sql
from tandem.forum.access import TopicAccess, member_community_ids, visible_topics_q
from tandem.forum.models import (
    ModerationState,
    Mute,
    Post,
    Reaction,
    ReactionKind,
    Topic,
    Visibility,
)
from tandem.forum.selectors.communities import community_ids_for_member


@dataclass
class PostView:
    """One post as a page shows it to one reader."""

    post: Post
    counts: dict[str, int] = field(default_factory=dict)
    mine: set[str] = field(default_factory=set)
    is_new: bool = False
    is_muted: bool = False
    is_own: bool = False
    # (kind, label) of every reaction, translated once per page rather than once per post.
    labels: list[tuple[str, str]] = field(default_factory=list)

    @property
    def reactions(self) -> list[tuple[str, str, int, bool]]:
        labels = self.labels or [(kind.value, str(kind.label)) for kind in ReactionKind]
        return [
            (kind, label, self.counts.get(kind, 0), kind in self.mine) for kind, label in labels
        ]


class TopicPosts(sql.PagedRows[Post]):
    """Published posts of a topic for one reader, oldest first: held posts only for their
    author (and the community's moderators); hidden posts show as hidden.

    A sequence for Django's paginator: its length is one query and a slice (a page) is one
    more, with each post's author and quoted post's author joined. Both are hand-written SQL:
    the ORM spent ten to twenty times the database's time building the query and the models
    (docs/performance.md). Only the columns a topic page shows are read; the Markdown source
    (``body``) loads on demand, when someone quotes a post.
    """

    table, alias = Post._meta.db_table, "p"

    def __init__(self, user: User, found: TopicAccess) -> None:
        topic = found.topic
        self.params: dict[str, Any] = {
            "topic": topic.pk,
            "user": user.pk,
            "false": False,
            "visible": ModerationState.VISIBLE.value,
            "hidden": ModerationState.HIDDEN.value,
        }
        self.where = "p.topic_id = %(topic)s AND p.is_draft = %(false)s"
        if not found.member.is_moderator:
            self.where += (
                " AND (p.moderation_state IN (%(visible)s, %(hidden)s) OR p.author_id = %(user)s)"
            )

    def page(self, offset: int, limit: int) -> list[Post]:
        post, user = Post._meta.db_table, User._meta.db_table
        column = {field.attname: field.column for field in sql.concrete_fields(Post)}
        columns = ", ".join(f"p.{column[name]}" for name in _POST_CARD)
        query = f"""
        SELECT {columns}, a.pseudonym, a.avatar_colour, a.avatar_shape, q.author_id, qa.pseudonym
        FROM {post} p
        JOIN {user} a ON a.id = p.author_id
        LEFT JOIN {post} q ON q.id = p.quoted_post_id
        LEFT JOIN {user} qa ON qa.id = q.author_id
        WHERE {self.where}
        ORDER BY p.published_at, p.id
        LIMIT %(limit)s OFFSET %(offset)s
        """  # noqa: S608 - table and column names from _meta, values bound
        rows = sql.fetch_all(query, {**self.params, "limit": limit, "offset": offset})
        width = len(_POST_CARD)
        posts = []
        for row in rows:
            card = sql.from_row(Post, row[:width], _POST_CARD)
            pseudonym, colour, shape, quoted_author_id, quoted_pseudonym = row[width:]
            # The author's avatar choices come with the name: the card draws the avatar.
            card.author = User.from_db(
                None, _AUTHOR_CARD, [card.author_id, pseudonym, colour, shape]
            )
            if card.quoted_post_id is not None and quoted_author_id is not None:
                quoted = Post.from_db(
                    None, ["id", "author_id"], [card.quoted_post_id, quoted_author_id]
                )
                quoted.author = User.from_db(
                    None, ["id", "pseudonym"], [quoted_author_id, quoted_pseudonym]
                )
                card.quoted_post = quoted
            posts.append(card)
        return posts


# What a post card shows of its author: the name and the avatar (accounts' avatar tags).
_AUTHOR_CARD = ["id", "pseudonym", "avatar_colour", "avatar_shape"]

# What a post card shows (forum/templatetags/forum_posts.py).
_POST_CARD = (
    "id",
    "topic_id",
    "author_id",
    "is_opening",
    "is_draft",
    "body_html",
    "quoted_post_id",
    "professional_title",
    "published_at",
    "edited_at",
    "deleted_at",
    "moderation_state",
    "moderation_note",
)


def posts_of_topic(user: User, found: TopicAccess) -> TopicPosts:
    """The topic's posts for ``user``, as the gate decided about them there (a moderator also
    sees held posts)."""
    return TopicPosts(user, found)


def _reactions_sql(count: int) -> str:
    """Reactions of a page of posts by kind, with the reader's own, in one GROUP BY."""
    placeholders = ", ".join(["%s"] * count)
    return (
        "SELECT r.post_id, r.kind, COUNT(*), "  # noqa: S608 - table name from _meta, values bound
        "SUM(CASE WHEN r.user_id = %s THEN 1 ELSE 0 END) "
        f"FROM {Reaction._meta.db_table} r WHERE r.post_id IN ({placeholders}) "
        "GROUP BY r.post_id, r.kind"
    )


def decorate_posts(user: User, posts: list[Post], last_read_at: datetime | None) -> list[PostView]:
    """Reaction counts, the reader's own reactions, "new" markers and muted authors for a page
    of posts, in two queries whatever the number of posts."""
    ids = [post.pk for post in posts]
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    mine: dict[int, set[str]] = defaultdict(set)
    muted: set[int] = set()
    if ids:
        with connection.cursor() as cursor:
            cursor.execute(_reactions_sql(len(ids)), [user.pk, *ids])
            for post_id, kind, n, own in cursor.fetchall():
                counts[post_id][kind] = n
                if own:
                    mine[post_id].add(kind)
            authors = sorted({post.author_id for post in posts})
            cursor.execute(
                f"SELECT muted_id FROM {Mute._meta.db_table} "  # noqa: S608 - table name from _meta, values bound
                f"WHERE user_id = %s AND muted_id IN ({', '.join(['%s'] * len(authors))})",
                [user.pk, *authors],
            )
            muted = {muted_id for (muted_id,) in cursor.fetchall()}
    labels = [(kind.value, str(kind.label)) for kind in ReactionKind]
    return [
        PostView(
            post=post,
            counts=counts[post.pk],
            mine=mine[post.pk],
            is_own=post.author_id == user.pk,
            labels=labels,
            is_new=(
                last_read_at is not None
                and post.published_at is not None
                and post.published_at > last_read_at
                and post.author_id != user.pk
            ),
            is_muted=post.author_id in muted,
        )
        for post in posts
    ]


def drafts_for_user(user: User) -> QuerySet[Post]:
    """The person's drafts in communities they still belong to: new topics and replies."""
    return (
        Post.objects.filter(
            author=user, topic__community__in=community_ids_for_member(user), deleted_at=None
        )
        .filter(Q(is_draft=True) | Q(is_opening=True, topic__visibility=Visibility.DRAFT))
        .select_related("topic", "topic__community")
        .order_by("-created_at")
    )


def visible_published_posts(user: User) -> QuerySet[Post]:
    """Published, undeleted posts in topics ``user`` may read, in communities they belong to
    and whose current code of conduct they accepted (search uses this)."""
    communities = member_community_ids(user, accepted_conduct=True)
    topics = Topic.objects.filter(community__in=communities).filter(
        visible_topics_q(user) & ~Q(visibility=Visibility.DRAFT)
    )
    return Post.objects.filter(
        topic__in=topics.values("pk"),
        is_draft=False,
        deleted_at__isnull=True,
        moderation_state=ModerationState.VISIBLE,
    )


def revisions_of_post(post: Post) -> QuerySet[Any]:
    return post.revisions.all()


def quotable_post(topic: Topic, post_id: int) -> Post | None:
    """Published post ``post_id`` of ``topic`` (a reply may quote it), None otherwise."""
    return Post.objects.filter(pk=post_id, topic=topic, is_draft=False).first()
