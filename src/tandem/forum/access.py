"""Gates for the forum: fetch a community, topic, post or circle *for* a person, or raise
Http404. A community someone does not belong to, one that does not exist, and a topic they may
not see all look the same from outside.

Membership is checked on every request, never cached: a person who leaves a community, or is
removed from its organisation, loses access on their next click.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from tandem.accounts.models import Membership, Organisation, Role, User
from tandem.forum import rules, sql
from tandem.forum.models import (
    Audience,
    Category,
    Circle,
    Community,
    ConductShownTo,
    ModerationState,
    Post,
    Topic,
)

# Posts others may see: a hidden post shows as "hidden by a moderator", a held one not at all.
SHOWN_STATES = (ModerationState.VISIBLE, ModerationState.HIDDEN)

# Roles that take part on the professionals' side of a community.
PROFESSIONAL_ROLES = (Role.PROVIDER, Role.FACILITATOR, Role.MODERATOR)


class ConductNotAcceptedError(Exception):
    """The person is a member but has not accepted the current code of conduct.

    ``return_to``: where to send them once they have accepted it (a path of this site), when
    the view knows better than the page they asked for (a reply kept as a draft goes back to
    the topic's reply box)."""

    def __init__(self, community: Community, *, return_to: str | None = None) -> None:
        super().__init__(community.pk)
        self.community = community
        self.return_to = return_to


@dataclass(frozen=True)
class CommunityAccess:
    """What the gate decided about one person in one community: they are a member (else the
    gate raised Http404), the code of conduct version they accepted, and their roles there
    (``forum.rules.role_facts_select``)."""

    community: Community
    accepted_version: int | None
    is_moderator: bool
    is_facilitator: bool
    is_verified_provider: bool

    @property
    def has_accepted_conduct(self) -> bool:
        return self.accepted_version == self.community.code_of_conduct_version


@dataclass(frozen=True)
class TopicAccess:
    """A topic the person may read, and what the gate decided about them in its community."""

    topic: Topic
    member: CommunityAccess


@dataclass(frozen=True)
class PostAccess:
    """A post the person may see, and what the gate decided about them in its community."""

    post: Post
    member: CommunityAccess


def member_communities(user: User) -> QuerySet[Community]:
    """Communities ``user`` belongs to now (``forum.rules``, the one membership rule)."""
    return rules.member_communities(user)


def _membership_rows(
    user: User, *, community_id: int | None = None, topic_id: int | None = None
) -> list[tuple[Any, ...]]:
    """Rows of the membership rule: the topic, its category and circle (columns, or NULLs)
    and whether the person may read it, when ``topic_id`` is given; then the community, its
    organisation and the person's role facts there. One query."""
    if not user.is_active:
        return []
    topic_columns = topic_join = ""
    if topic_id is not None:
        topic_columns = (
            f"{sql.columns(Topic, 't')}, {sql.columns(Category, 'g')}, "
            f"{sql.columns(Circle, 'ci')}, {rules.topic_readable('t')}, "
        )
        topic_join = (
            f"JOIN {Topic._meta.db_table} t ON t.community_id = c.id AND t.id = %(topic)s "
            f"JOIN {Category._meta.db_table} g ON g.id = t.category_id "
            f"LEFT JOIN {Circle._meta.db_table} ci ON ci.id = t.circle_id "
        )
    query = (
        f"SELECT {topic_columns}{sql.columns(Community, 'c')}, {sql.columns(Organisation, 'o')}, "
        f"{rules.role_facts_select()} {rules.membership_from()} "
        f"JOIN {Organisation._meta.db_table} o ON o.id = c.organisation_id {topic_join}"
        f"WHERE {rules.membership_where()}{' AND c.id = %(community)s' if community_id is not None else ''} "
        "ORDER BY c.id"
    )
    values = rules.params(user)
    values.update(community=community_id, topic=topic_id)
    return sql.fetch_all(query, values)


def _access_from(row: Sequence[Any]) -> CommunityAccess:
    """The community (with its organisation) and the person's facts there, from the end of a
    :func:`_membership_rows` row."""
    end = sql.width(Community)
    community = sql.from_row(Community, row[:end])
    community.organisation = sql.from_row(Organisation, row[end : end + sql.width(Organisation)])
    accepted, is_moderator, is_facilitator, is_verified_provider = row[-4:]
    return CommunityAccess(
        community=community,
        accepted_version=accepted,
        is_moderator=bool(is_moderator),
        is_facilitator=bool(is_facilitator),
        is_verified_provider=bool(is_verified_provider),
    )


def member_community_ids(user: User, *, accepted_conduct: bool = False) -> list[int]:
    """Ids of the communities ``user`` belongs to now (the notification scopes' question);
    with ``accepted_conduct``, only those whose current code of conduct they accepted."""
    members = [_access_from(row) for row in _membership_rows(user)]
    return [m.community.pk for m in members if m.has_accepted_conduct or not accepted_conduct]


def _check_conduct(member: CommunityAccess, require_conduct: bool) -> None:
    if require_conduct and not member.has_accepted_conduct:
        raise ConductNotAcceptedError(member.community)


def get_community_access(
    user: User, community_id: int, *, require_conduct: bool = True
) -> CommunityAccess:
    """What the person may do in the community, if they are a member of it, else Http404.

    Raise :class:`ConductNotAcceptedError` when they have not accepted its current code of
    conduct (views send them to accept it first) unless ``require_conduct`` is False.
    """
    rows = _membership_rows(user, community_id=community_id)
    if not rows:
        raise Http404
    member = _access_from(rows[0])
    _check_conduct(member, require_conduct)
    return member


def get_joinable_community(user: User, community_id: int) -> Community:
    """Return a community of one of ``user``'s organisations that they may find
    (``rules.findable_by``: open, or closed and they are in it), to show its join page; else
    404."""
    community = (
        Community.objects.select_related("organisation")
        .filter(rules.findable_by(user), pk=community_id, organisation__memberships__user=user)
        .distinct()
        .first()
    )
    if community is None or not user.is_active:
        raise Http404
    if community.conduct_shown_to == ConductShownTo.ELIGIBLE and not fits_audience(user, community):
        raise Http404  # its code of conduct is for the people who may join
    return community


def fits_audience(user: User, community: Community) -> bool:
    """Whether one of ``user``'s roles in the community's organisation is in its audience (an
    unverified provider counts as no professional yet)."""
    return (
        Membership.objects.filter(
            user=user,
            organisation=community.organisation_id,
            role__in=eligible_roles(community.audience),
        )
        .exclude(role=Role.PROVIDER, verified_at__isnull=True)
        .exists()
    )


def eligible_roles(audience: str) -> tuple[str, ...]:
    if audience == Audience.SERVICE_USERS:
        return (Role.SERVICE_USER,)
    if audience == Audience.PROFESSIONALS:
        return PROFESSIONAL_ROLES
    return (Role.SERVICE_USER, *PROFESSIONAL_ROLES)


def visible_topics_q(user: User) -> Q:
    """Topics ``user`` may open inside communities they belong to (``forum.rules``, the one
    topic visibility rule)."""
    return Q(pk__in=rules.readable_topic_ids_subquery(user))


def get_topic_access(user: User, topic_id: int, *, require_conduct: bool = True) -> TopicAccess:
    """The topic (with its category, circle and community) if ``user`` may read it, and what
    the gate decided about them in its community; else raise Http404.

    Raise :class:`ConductNotAcceptedError` when a new code of conduct waits for them, unless
    ``require_conduct`` is False (the reply view keeps their text first).
    """
    rows = _membership_rows(user, topic_id=topic_id)
    if not rows:
        raise Http404  # no such topic, or not in a community the person belongs to now
    row = rows[0]
    topic = sql.from_row(Topic, row[: sql.width(Topic)])
    at = sql.width(Topic)
    topic.category = sql.from_row(Category, row[at : at + sql.width(Category)])
    at += sql.width(Category)
    topic.circle = (
        sql.from_row(Circle, row[at : at + sql.width(Circle)]) if topic.circle_id else None
    )
    at += sql.width(Circle)
    if not row[at]:
        raise Http404
    member = _access_from(row[at + 1 :])
    topic.community = member.community
    _check_conduct(member, require_conduct)
    return TopicAccess(topic=topic, member=member)


def get_post_access(user: User, post_id: int) -> PostAccess:
    """The post if ``user`` may see it (a published one that is not held, or their own), with
    its topic and what the gate decided about them in its community; else Http404."""
    post = (
        Post.objects.select_related("author", "topic")
        .filter(pk=post_id)
        .filter(Q(is_draft=False, moderation_state__in=SHOWN_STATES) | Q(author=user))
        .first()
    )
    if post is None:
        raise Http404
    found = get_topic_access(user, post.topic_id)
    post.topic = found.topic
    return PostAccess(post=post, member=found.member)


def get_post_for_member(user: User, post_id: int) -> Post:
    """:func:`get_post_access`'s post (for callers that need no role facts)."""
    return get_post_access(user, post_id).post


def get_own_post(user: User, post_id: int) -> Post:
    """Return a post ``user`` wrote and has not deleted, else Http404 (editing, deleting)."""
    post = get_post_for_member(user, post_id)
    if post.author_id != user.pk or post.is_deleted:
        raise Http404
    return post


def get_circle_for_member(user: User, circle_id: int) -> Circle:
    """Return the circle if ``user`` is in it and in its community, else raise Http404."""
    circle = (
        Circle.objects.filter(pk=circle_id, members__user=user).select_related("created_by").first()
    )
    if circle is None:
        raise Http404
    circle.community = get_community_access(user, circle.community_id).community
    return circle


@dataclass(frozen=True)
class CircleAccess:
    """A circle the person started and is still in, and what the gate decided about them in
    its community (:func:`get_circle_for_starter`)."""

    circle: Circle
    member: CommunityAccess


def get_circle_for_starter(user: User, circle_id: int) -> CircleAccess:
    """Return the circle if ``user`` started it, is still in it and belongs to its community
    now (ending it for everyone), else raise Http404: a missing circle, one they are not in and
    one someone else started look the same.

    Their community's code of conduct need not be accepted again first: ending a circle
    publishes nothing, and stopping something is never made to wait.
    """
    circle = (
        Circle.objects.filter(pk=circle_id, created_by=user, members__user=user)
        .select_related("created_by")
        .first()
    )
    if circle is None:
        raise Http404
    member = get_community_access(user, circle.community_id, require_conduct=False)
    circle.community = member.community
    return CircleAccess(circle=circle, member=member)


def check_can_post_in(community: Community, category: Category | None = None) -> None:
    """Raise PermissionDenied when nobody may post in ``community`` or in ``category`` of it
    (locked or archived)."""
    if community.is_read_only or (category is not None and category.is_read_only):
        raise PermissionDenied


def check_can_see_history(member: CommunityAccess) -> None:
    """Raise PermissionDenied unless the gate found the person moderates the community (a
    post's earlier versions)."""
    if not member.is_moderator:
        raise PermissionDenied


def check_can_feature_topics(member: CommunityAccess) -> None:
    """Raise PermissionDenied unless the gate found the person facilitates the community."""
    if not member.is_facilitator:
        raise PermissionDenied
