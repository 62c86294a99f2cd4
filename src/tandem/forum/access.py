"""Gates for the forum: fetch a community, topic, post or circle *for* a person, or raise
Http404. A community someone does not belong to, one that does not exist, and a topic they may
not see all look the same from outside.

Membership is checked on every request, never cached: a person who leaves a community, or is
removed from its organisation, loses access on their next click.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from tandem.accounts.models import Membership, Organisation, Role, User
from tandem.forum import sql
from tandem.forum.models import (
    Audience,
    Category,
    Circle,
    CircleMember,
    Community,
    CommunityMember,
    ModerationState,
    Post,
    Topic,
    Visibility,
)
from tandem.moderation.models import ReviewItem, Sanction, SanctionKind

# Posts others may see: a hidden post shows as "hidden by a moderator", a held one not at all.
SHOWN_STATES = (ModerationState.VISIBLE, ModerationState.HIDDEN)

# Roles that take part on the professionals' side of a community.
PROFESSIONAL_ROLES = (Role.PROVIDER, Role.FACILITATOR, Role.MODERATOR)


class ConductNotAcceptedError(Exception):
    """The person is a member but has not accepted the current code of conduct."""

    def __init__(self, community: Community) -> None:
        super().__init__(community.pk)
        self.community = community


def _org_roles(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, organisation=OuterRef("organisation"))


def member_communities(user: User) -> QuerySet[Community]:
    """Communities ``user`` belongs to now: a membership row *and* a role in the organisation,
    and no suspension by a moderator.

    Each row carries what pages need to know about the person there (one query):
    ``accepted_version``, ``is_moderator``, ``is_facilitator``, ``is_verified_provider``.
    """
    if not user.is_active:
        return Community.objects.none()
    member = CommunityMember.objects.filter(user=user, community=OuterRef("pk"))
    # A moderator's suspension shuts the community for the person until it ends.
    suspended = Sanction.objects.filter(
        community=OuterRef("pk"), user=user, kind=SanctionKind.SUSPEND, lifted_at__isnull=True
    ).filter(Q(until__isnull=True) | Q(until__gt=timezone.now()))
    return Community.objects.filter(
        Exists(member), Exists(_org_roles(user)), ~Exists(suspended)
    ).annotate(
        accepted_version=Subquery(member.values("accepted_conduct_version")[:1]),
        is_moderator=Exists(_org_roles(user).filter(role=Role.MODERATOR)),
        is_facilitator=Exists(_org_roles(user).filter(role=Role.FACILITATOR)),
        is_verified_provider=Exists(
            _org_roles(user).filter(role=Role.PROVIDER, verified_at__isnull=False)
        ),
    )


def _membership_sql(*, one_community: bool, topic: bool = False) -> str:
    """The rule of :func:`member_communities` as one hand-written SELECT: the community's and
    its organisation's columns, then ``accepted_version``, ``is_moderator``,
    ``is_facilitator``, ``is_verified_provider``. With ``topic``, the topic, its category and
    circle (columns first, or NULLs) and whether the person is in that circle come first.

    Written as SQL on purpose: every forum page passes this gate and the notification badge
    asks for the same ids, and the ORM version costs several milliseconds of Python to build
    and compile each time, many times the database's work (docs/performance.md). Every value
    is a bound parameter; the SQL is the same on SQLite and PostgreSQL.
    ``tests/test_fast_paths.py`` checks that it agrees with :func:`member_communities`.
    """
    roles = Membership._meta.db_table
    has_role = f"SELECT 1 FROM {roles} r WHERE r.user_id = %(user)s AND r.organisation_id = c.organisation_id"  # noqa: S608 - table names from _meta, values bound
    topic_columns = topic_join = ""
    if topic:
        in_circle = f"SELECT 1 FROM {CircleMember._meta.db_table} cm WHERE cm.circle_id = t.circle_id AND cm.user_id = %(user)s"  # noqa: S608 - table names from _meta, values bound
        topic_columns = (
            f"{sql.columns(Topic, 't')}, {sql.columns(Category, 'g')}, "
            f"{sql.columns(Circle, 'ci')}, EXISTS ({in_circle}), "
        )
        topic_join = (
            f"JOIN {Topic._meta.db_table} t ON t.community_id = c.id AND t.id = %(topic)s "
            f"JOIN {Category._meta.db_table} g ON g.id = t.category_id "
            f"LEFT JOIN {Circle._meta.db_table} ci ON ci.id = t.circle_id"
        )
    return f"""
    SELECT {topic_columns}{sql.columns(Community, "c")}, {sql.columns(Organisation, "o")},
      m.accepted_conduct_version,
      EXISTS ({has_role} AND r.role = %(moderator)s),
      EXISTS ({has_role} AND r.role = %(facilitator)s),
      EXISTS ({has_role} AND r.role = %(provider)s AND r.verified_at IS NOT NULL)
    FROM {CommunityMember._meta.db_table} m
    JOIN {Community._meta.db_table} c ON c.id = m.community_id
    JOIN {Organisation._meta.db_table} o ON o.id = c.organisation_id
    {topic_join}
    WHERE m.user_id = %(user)s {"AND c.id = %(community)s" if one_community else ""}
      AND EXISTS ({has_role})
      AND NOT EXISTS (SELECT 1 FROM {Sanction._meta.db_table} s WHERE s.community_id = c.id
        AND s.user_id = %(user)s AND s.kind = %(suspend)s AND s.lifted_at IS NULL
        AND (s.until IS NULL OR s.until > %(now)s))
    ORDER BY c.id
    """  # noqa: S608 - table names from _meta, values bound


def _membership_rows(
    user: User, *, community_id: int | None = None, topic_id: int | None = None
) -> list[tuple[Any, ...]]:
    if not user.is_active:
        return []
    params = {
        "user": user.pk,
        "community": community_id,
        "topic": topic_id,
        "moderator": Role.MODERATOR.value,
        "facilitator": Role.FACILITATOR.value,
        "provider": Role.PROVIDER.value,
        "suspend": SanctionKind.SUSPEND.value,
        "now": connection.ops.adapt_datetimefield_value(timezone.now()),
    }
    query = _membership_sql(one_community=community_id is not None, topic=topic_id is not None)
    return sql.fetch_all(query, params)


def _community_from(row: Sequence[Any]) -> Community:
    """The community (with its organisation and the person's facts there, as
    :func:`member_communities` annotates them) from the end of a :func:`_membership_sql` row."""
    end = sql.width(Community)
    community = sql.from_row(Community, row[:end])
    community.organisation = sql.from_row(Organisation, row[end : end + sql.width(Organisation)])
    accepted, is_moderator, is_facilitator, is_verified_provider = row[-4:]
    facts: Any = community
    facts.accepted_version = accepted
    facts.is_moderator = bool(is_moderator)
    facts.is_facilitator = bool(is_facilitator)
    facts.is_verified_provider = bool(is_verified_provider)
    return community


def member_community_ids(user: User, *, accepted_conduct: bool = False) -> list[int]:
    """Ids of the communities ``user`` belongs to now (the notification scopes' question);
    with ``accepted_conduct``, only those whose current code of conduct they accepted."""
    if not accepted_conduct:
        return [row[0] for row in _membership_rows(user)]
    communities = [_community_from(row) for row in _membership_rows(user)]
    return [
        community.pk
        for community in communities
        if getattr(community, "accepted_version", None) == community.code_of_conduct_version
    ]


def _check_conduct(community: Community, require_conduct: bool) -> None:
    accepted = getattr(community, "accepted_version", None)
    if require_conduct and accepted != community.code_of_conduct_version:
        raise ConductNotAcceptedError(community)


def get_community_for_member(
    user: User, community_id: int, *, require_conduct: bool = True
) -> Community:
    """Return the community if ``user`` is a member of it, else raise Http404.

    Raise :class:`ConductNotAcceptedError` when they have not accepted its current code of conduct
    (views send them to accept it first) unless ``require_conduct`` is False.
    """
    rows = _membership_rows(user, community_id=community_id)
    if not rows:
        raise Http404
    community = _community_from(rows[0])
    _check_conduct(community, require_conduct)
    return community


def get_joinable_community(user: User, community_id: int) -> Community:
    """Return a community of one of ``user``'s organisations (to show its join page), else 404."""
    community = (
        Community.objects.select_related("organisation")
        .filter(pk=community_id, organisation__memberships__user=user)
        .distinct()
        .first()
    )
    if community is None or not user.is_active:
        raise Http404
    return community


def eligible_roles(audience: str) -> tuple[str, ...]:
    if audience == Audience.SERVICE_USERS:
        return (Role.SERVICE_USER,)
    if audience == Audience.PROFESSIONALS:
        return PROFESSIONAL_ROLES
    return (Role.SERVICE_USER, *PROFESSIONAL_ROLES)


def visible_topics_q(user: User) -> Q:
    """Topics ``user`` may open inside communities they belong to: the community's own, their
    circles', and their own private drafts."""
    in_circle = CircleMember.objects.filter(circle=OuterRef("circle"), user=user)
    shown = (
        Q(visibility=Visibility.COMMUNITY)
        | (Q(visibility=Visibility.CIRCLE) & Exists(in_circle))
        | Q(visibility=Visibility.DRAFT, author=user)
    )
    # A topic whose opening post waits for a moderator is seen only by its author (moderators
    # read it in the review queue).
    return shown & (Q(is_held=False) | Q(author=user))


def posts_shown_to_moderators_q() -> Q:
    """Posts that moderation pages (the queue, a review item and its context, a person's
    record, an escalation) may show or count: every post shared with the whole community, and
    a post shared more narrowly (with a circle, or in a private draft topic) only once it is
    before the moderators: held, or with a review item because a member reported it or the
    screen flagged it.

    The one place this rule lives (issue 13, least privilege): moderating a community is no
    licence to read what a member shared with a few peers. A moderator who is in the circle
    reads it in the forum as any member does; moderation pages do not.
    """
    before_moderators = ReviewItem.objects.filter(post=OuterRef("pk"))
    return (
        Q(topic__visibility=Visibility.COMMUNITY)
        | Q(moderation_state=ModerationState.HELD)
        | Q(Exists(before_moderators))
    )


def _may_read_topic(user: User, topic: Topic, *, in_circle: bool) -> bool:
    """:func:`visible_topics_q` for one topic already loaded (``in_circle``: whether ``user``
    is in the topic's circle)."""
    if topic.is_held and topic.author_id != user.pk:
        return False
    if topic.visibility == Visibility.COMMUNITY:
        return True
    if topic.visibility == Visibility.DRAFT:
        return topic.author_id == user.pk
    return topic.visibility == Visibility.CIRCLE and topic.circle_id is not None and in_circle


def get_topic_for_member(user: User, topic_id: int) -> Topic:
    """Return the topic (with its category, circle and community) if ``user`` may read it,
    else raise Http404.

    Raise :class:`ConductNotAcceptedError` when a new code of conduct waits for them.
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
    if not _may_read_topic(user, topic, in_circle=bool(row[at])):
        raise Http404
    topic.community = _community_from(row[at + 1 :])
    _check_conduct(topic.community, True)
    return topic


def get_post_for_member(user: User, post_id: int) -> Post:
    """Return a post ``user`` may see (a published one that is not held, or their own), else
    Http404."""
    post = (
        Post.objects.select_related("author", "topic")
        .filter(pk=post_id)
        .filter(Q(is_draft=False, moderation_state__in=SHOWN_STATES) | Q(author=user))
        .first()
    )
    if post is None:
        raise Http404
    post.topic = get_topic_for_member(user, post.topic_id)
    return post


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
    circle.community = get_community_for_member(user, circle.community_id)
    return circle


def check_can_post_in(community: Community) -> None:
    """Raise PermissionDenied when nobody may post in ``community`` (it is locked)."""
    if community.is_locked:
        raise PermissionDenied


def check_can_see_history(user: User, post: Post) -> None:
    """Raise PermissionDenied unless ``user`` moderates the post's organisation."""
    community = post.topic.community
    if not getattr(community, "is_moderator", False):
        raise PermissionDenied


def check_can_feature_topics(community: Community) -> None:
    """Raise PermissionDenied unless the person (as annotated on ``community``) facilitates."""
    if not getattr(community, "is_facilitator", False):
        raise PermissionDenied
