"""Reads about circles: the small private groups inside a community."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from tandem.accounts.models import User
from tandem.forum.access import member_community_ids
from tandem.forum.models import Circle, CircleMember, Community, Topic, Visibility
from tandem.forum.selectors.topics import with_unread

CIRCLE_SCOPE = "forum.circle"


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


def circles_for_member(user: User, community: Community) -> QuerySet[Circle]:
    return (
        Circle.objects.filter(community=community, members__user=user)
        .annotate(member_count=Count("members", distinct=True))
        .order_by("name")
    )


def circle_members(circle: Circle) -> QuerySet[CircleMember]:
    return circle.members.select_related("user").order_by("user__pseudonym")


def circle_topics(user: User, circle: Circle) -> QuerySet[Topic]:
    return with_unread(
        Topic.objects.filter(circle=circle, visibility=Visibility.CIRCLE, is_held=False)
        .select_related("author")
        .order_by("-last_posted_at", "-pk"),
        user,
    )


def circles_queryset_for_member(user: User, community: Community) -> QuerySet[Circle]:
    return Circle.objects.filter(community=community, members__user=user).order_by("name")


def circle_of_member(user: User, circle_id: int) -> Circle | None:
    """Circle ``circle_id`` when ``user`` is in it (in any community: leaving a circle needs
    no membership of its community), None otherwise."""
    return Circle.objects.filter(pk=circle_id, members__user=user).first()
