"""Gates for the forum: fetch a community, topic, post or circle *for* a person, or raise
Http404. A community someone does not belong to, one that does not exist, and a topic they may
not see all look the same from outside.

Membership is checked on every request, never cached: a person who leaves a community, or is
removed from its organisation, loses access on their next click.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from tandem.accounts.models import Membership, Role, User
from tandem.forum.models import (
    Audience,
    Circle,
    CircleMember,
    Community,
    CommunityMember,
    ModerationState,
    Post,
    Topic,
    Visibility,
)
from tandem.moderation.models import Sanction, SanctionKind

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


def get_community_for_member(
    user: User, community_id: int, *, require_conduct: bool = True
) -> Community:
    """Return the community if ``user`` is a member of it, else raise Http404.

    Raise :class:`ConductNotAcceptedError` when they have not accepted its current code of conduct
    (views send them to accept it first) unless ``require_conduct`` is False.
    """
    community = (
        member_communities(user).select_related("organisation").filter(pk=community_id).first()
    )
    if community is None:
        raise Http404
    accepted = getattr(community, "accepted_version", None)
    if require_conduct and accepted != community.code_of_conduct_version:
        raise ConductNotAcceptedError(community)
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


def get_topic_for_member(user: User, topic_id: int) -> Topic:
    """Return the topic if ``user`` may read it, else raise Http404.

    Raise :class:`ConductNotAcceptedError` when a new code of conduct waits for them.
    """
    topic = (
        Topic.objects.select_related("category", "circle")
        .filter(pk=topic_id)
        .filter(visible_topics_q(user))
        .first()
    )
    if topic is None:
        raise Http404
    topic.community = get_community_for_member(user, topic.community_id)
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
