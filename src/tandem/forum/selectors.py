"""Reads for forum pages, always for one person and scoped by what they may see."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from tandem.accounts.models import Membership, User
from tandem.forum import sql
from tandem.forum.access import (
    eligible_roles,
    member_communities,
    member_community_ids,
    visible_topics_q,
)
from tandem.forum.models import (
    Category,
    Circle,
    CircleMember,
    Community,
    CommunityMember,
    ForumPreference,
    MentionPolicy,
    ModerationState,
    Mute,
    Post,
    Reaction,
    ReactionKind,
    Topic,
    TopicRead,
    Visibility,
    Watch,
)

COMMUNITY_SCOPE = "forum.community"
CIRCLE_SCOPE = "forum.circle"


def community_ids_for_member(user: User) -> QuerySet[Any]:
    """Ids of the communities ``user`` belongs to now, as a subquery."""
    return member_communities(user).values("pk")


def member_community_scope_ids(user: User) -> list[int]:
    """Ids of the communities ``user`` belongs to now (notification scope)."""
    return member_community_ids(user)


def member_circle_scope_ids(user: User) -> list[int]:
    """Ids of the circles ``user`` is in, in communities they belong to now (notification
    scope)."""
    communities = member_community_ids(user)
    if not communities:
        return []
    return list(
        CircleMember.objects.filter(user=user, circle__community__in=communities).values_list(
            "circle_id", flat=True
        )
    )


@dataclass(frozen=True)
class CommunityChoice:
    community: Community
    is_member: bool
    needs_conduct: bool


def communities_for_user(user: User) -> list[CommunityChoice]:
    """Communities of ``user``'s organisations: the ones they are in, and the ones they could
    join (their audience fits one of the person's roles)."""
    roles = Membership.objects.filter(user=user, organisation=OuterRef("organisation"))
    member = CommunityMember.objects.filter(user=user, community=OuterRef("pk"))
    rows = (
        Community.objects.filter(Exists(roles))
        .annotate(
            accepted_version=Subquery(member.values("accepted_conduct_version")[:1]),
        )
        .select_related("organisation")
        .order_by("organisation__name", "name")
    )
    my_roles: dict[int, set[str]] = defaultdict(set)
    for organisation_id, role in Membership.objects.filter(user=user).values_list(
        "organisation_id", "role"
    ):
        my_roles[organisation_id].add(role)
    choices = []
    for community in rows:
        version = getattr(community, "accepted_version", None)
        if version is None and not my_roles[community.organisation_id] & set(
            eligible_roles(community.audience)
        ):
            continue
        choices.append(
            CommunityChoice(
                community=community,
                is_member=version is not None,
                needs_conduct=version is not None and version != community.code_of_conduct_version,
            )
        )
    return choices


def categories_for_community(user: User, community: Community) -> list[Category]:
    """Categories with how many community topics each has (``topic_count``), how many of them
    are new to ``user`` (``unread_count``) and whether they watch it (``is_watched``).

    One hand-written query with two counts per category (not a lookup per topic): "new" is
    the topics minus the ones the person has read since their last post, so the database
    walks the person's own read marks once per category.
    """
    topic, read, watch = Topic._meta.db_table, TopicRead._meta.db_table, Watch._meta.db_table
    shown = "t.visibility = %(community_visibility)s AND t.is_held = %(false)s"
    query = f"""
    SELECT {sql.columns(Category, "g")},
      EXISTS (SELECT 1 FROM {watch} w WHERE w.category_id = g.id AND w.user_id = %(user)s),
      (SELECT COUNT(*) FROM {topic} t WHERE t.category_id = g.id AND {shown}),
      (SELECT COUNT(*) FROM {read} r JOIN {topic} t ON t.id = r.topic_id
        WHERE t.category_id = g.id AND {shown} AND r.user_id = %(user)s
          -- Read since its last post (a topic without posts yet counts as read once opened).
          AND (t.last_posted_at IS NULL OR t.last_posted_at <= r.last_read_at))
    FROM {Category._meta.db_table} g
    WHERE g.community_id = %(community)s
    ORDER BY g.position, g.id
    """  # noqa: S608 - table names from _meta, values bound
    params = {
        "user": user.pk,
        "community": community.pk,
        "community_visibility": Visibility.COMMUNITY.value,
        "false": False,
    }
    end = sql.width(Category)
    categories = []
    for row in sql.fetch_all(query, params):
        category: Any = sql.from_row(Category, row[:end])
        watched, total, read_count = row[end:]
        category.is_watched = bool(watched)
        category.topic_count = int(total)
        category.unread_count = int(total) - int(read_count)
        categories.append(category)
    return categories


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
        column = {field.attname: field.column for field in Topic._meta.concrete_fields}
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


def _with_unread(topics: QuerySet[Topic], user: User) -> QuerySet[Topic]:
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

    def __init__(self, user: User, topic: Topic) -> None:
        self.params: dict[str, Any] = {
            "topic": topic.pk,
            "user": user.pk,
            "false": False,
            "visible": ModerationState.VISIBLE.value,
            "hidden": ModerationState.HIDDEN.value,
        }
        self.where = "p.topic_id = %(topic)s AND p.is_draft = %(false)s"
        if not getattr(topic.community, "is_moderator", False):
            self.where += (
                " AND (p.moderation_state IN (%(visible)s, %(hidden)s) OR p.author_id = %(user)s)"
            )

    def page(self, offset: int, limit: int) -> list[Post]:
        post, user = Post._meta.db_table, User._meta.db_table
        column = {field.attname: field.column for field in Post._meta.concrete_fields}
        columns = ", ".join(f"p.{column[name]}" for name in _POST_CARD)
        query = f"""
        SELECT {columns}, a.pseudonym, q.author_id, qa.pseudonym
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
            pseudonym, quoted_author_id, quoted_pseudonym = row[width:]
            card.author = User.from_db(None, ["id", "pseudonym"], [card.author_id, pseudonym])
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


def posts_of_topic(user: User, topic: Topic) -> TopicPosts:
    return TopicPosts(user, topic)


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


def opening_post(topic: Topic) -> Post | None:
    return Post.objects.filter(topic=topic, is_opening=True).first()


def circles_for_member(user: User, community: Community) -> QuerySet[Circle]:
    return (
        Circle.objects.filter(community=community, members__user=user)
        .annotate(member_count=Count("members", distinct=True))
        .order_by("name")
    )


def circles_for_author(user: User, community: Community) -> list[Circle]:
    return list(Circle.objects.filter(community=community, members__user=user).order_by("name"))


def circle_members(circle: Circle) -> QuerySet[CircleMember]:
    return circle.members.select_related("user").order_by("user__pseudonym")


def circle_topics(user: User, circle: Circle) -> QuerySet[Topic]:
    return _with_unread(
        Topic.objects.filter(circle=circle, visibility=Visibility.CIRCLE, is_held=False)
        .select_related("author")
        .order_by("-last_posted_at", "-pk"),
        user,
    )


def mutes_for_user(user: User) -> QuerySet[Mute]:
    return Mute.objects.filter(user=user).select_related("muted").order_by("muted__pseudonym")


def mention_policy_for_user(user: User) -> str:
    preference = ForumPreference.objects.filter(user=user).first()
    return preference.mention_policy if preference else MentionPolicy.EVERYONE


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


def category_by_id(category_id: int) -> Category | None:
    query = (
        f"SELECT {sql.columns(Category, 'g')} FROM {Category._meta.db_table} g WHERE g.id = %(id)s"  # noqa: S608 - table names from _meta, values bound
    )
    rows = sql.fetch_all(query, {"id": category_id})
    return sql.from_row(Category, rows[0]) if rows else None


def is_watching_category(user: User, category: Category) -> bool:
    query = f"SELECT 1 FROM {Watch._meta.db_table} WHERE user_id = %(user)s AND category_id = %(category)s"  # noqa: S608 - table name from _meta, values bound
    return bool(sql.fetch_all(query, {"user": user.pk, "category": category.pk}))


def circles_queryset_for_member(user: User, community: Community) -> QuerySet[Circle]:
    return Circle.objects.filter(community=community, members__user=user).order_by("name")


def revisions_of_post(post: Post) -> QuerySet[Any]:
    return post.revisions.all()
