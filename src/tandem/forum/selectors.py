"""Reads for forum pages, always for one person and scoped by what they may see."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from tandem.accounts.models import Membership, User
from tandem.forum.access import (
    SHOWN_STATES,
    eligible_roles,
    member_communities,
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
    """Ids of the communities ``user`` belongs to now, as a subquery (notification scopes)."""
    return member_communities(user).values("pk")


def circle_ids_for_member(user: User) -> QuerySet[Any]:
    return Circle.objects.filter(
        members__user=user, community__in=community_ids_for_member(user)
    ).values("pk")


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
    """Categories with how many community topics each has and how many are new to ``user``."""
    reads = TopicRead.objects.filter(user=user, topic=OuterRef("pk"))
    unread_topics = (
        Topic.objects.filter(
            category=OuterRef("pk"), visibility=Visibility.COMMUNITY, is_held=False
        )
        .annotate(read_at=Subquery(reads.values("last_read_at")[:1]))
        .filter(Q(read_at__isnull=True) | Q(last_posted_at__gt=F("read_at")))
        .values("category")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        Category.objects.filter(community=community)
        .annotate(
            topic_count=Count(
                "topics",
                filter=Q(topics__visibility=Visibility.COMMUNITY, topics__is_held=False),
            ),
            unread_count=Subquery(unread_topics[:1]),
            is_watched=Exists(Watch.objects.filter(user=user, category=OuterRef("pk"))),
        )
        .order_by("position", "pk")
    )


def _with_unread(topics: QuerySet[Topic], user: User) -> QuerySet[Topic]:
    reads = TopicRead.objects.filter(user=user, topic=OuterRef("pk"))
    return topics.annotate(last_read_at=Subquery(reads.values("last_read_at")[:1]))


def topics_in_category(user: User, category: Category) -> QuerySet[Topic]:
    return _with_unread(
        Topic.objects.filter(category=category, visibility=Visibility.COMMUNITY, is_held=False)
        .select_related("author")
        .order_by("-last_posted_at", "-pk"),
        user,
    )


def recent_topics(user: User, community: Community, limit: int = 10) -> list[Topic]:
    return list(
        _with_unread(
            Topic.objects.filter(
                community=community, visibility=Visibility.COMMUNITY, is_held=False
            )
            .select_related("author", "category")
            .order_by("-last_posted_at", "-pk"),
            user,
        )[:limit]
    )


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

    @property
    def reactions(self) -> list[tuple[str, str, int, bool]]:
        return [
            (kind.value, str(kind.label), self.counts.get(kind.value, 0), kind.value in self.mine)
            for kind in ReactionKind
        ]


def posts_of_topic(user: User, topic: Topic) -> QuerySet[Post]:
    """Published posts of ``topic`` for ``user``: held posts only for their author (and the
    community's moderators); hidden posts show as hidden."""
    posts = Post.objects.filter(topic=topic, is_draft=False)
    if not getattr(topic.community, "is_moderator", False):
        posts = posts.filter(Q(moderation_state__in=SHOWN_STATES) | Q(author=user))
    return posts.select_related("author", "quoted_post__author").order_by("published_at", "pk")


def decorate_posts(user: User, posts: list[Post], last_read_at: datetime | None) -> list[PostView]:
    """Reaction counts, the reader's own reactions, "new" markers and muted authors for a page
    of posts, in three queries whatever the number of posts."""
    ids = [post.pk for post in posts]
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for post_id, kind, n in (
        Reaction.objects.filter(post_id__in=ids)
        .values_list("post_id", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[post_id][kind] = n
    mine: dict[int, set[str]] = defaultdict(set)
    for post_id, kind in Reaction.objects.filter(post_id__in=ids, user=user).values_list(
        "post_id", "kind"
    ):
        mine[post_id].add(kind)
    muted = set(
        Mute.objects.filter(user=user, muted_id__in={p.author_id for p in posts}).values_list(
            "muted_id", flat=True
        )
    )
    return [
        PostView(
            post=post,
            counts=counts[post.pk],
            mine=mine[post.pk],
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


def last_read_at(user: User, topic: Topic) -> datetime | None:
    return (
        TopicRead.objects.filter(user=user, topic=topic)
        .values_list("last_read_at", flat=True)
        .first()
    )


def is_watching_topic(user: User, topic: Topic) -> bool:
    return Watch.objects.filter(user=user, topic=topic).exists()


def draft_reply(user: User, topic: Topic) -> Post | None:
    return Post.objects.filter(topic=topic, author=user, is_draft=True, is_opening=False).first()


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
    accepted = CommunityMember.objects.filter(
        user=user, accepted_conduct_version=F("community__code_of_conduct_version")
    ).values("community_id")
    communities = member_communities(user).filter(pk__in=accepted).values("pk")
    topics = Topic.objects.filter(community__in=communities).filter(
        visible_topics_q(user) & ~Q(visibility=Visibility.DRAFT)
    )
    return Post.objects.filter(
        topic__in=topics.values("pk"),
        is_draft=False,
        deleted_at__isnull=True,
        moderation_state=ModerationState.VISIBLE,
    )


def is_watching_category(user: User, category: Category) -> bool:
    return Watch.objects.filter(user=user, category=category).exists()


def circles_queryset_for_member(user: User, community: Community) -> QuerySet[Circle]:
    return Circle.objects.filter(community=community, members__user=user).order_by("name")


def revisions_of_post(post: Post) -> QuerySet[Any]:
    return post.revisions.all()
