"""Reads about communities and their categories, for one person."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from tandem.accounts.age import age_on
from tandem.accounts.models import Membership, User
from tandem.forum import rules, sql
from tandem.forum.access import eligible_roles, member_communities, member_community_ids
from tandem.forum.models import (
    Category,
    Community,
    CommunityMember,
    Topic,
    TopicRead,
    Visibility,
    Watch,
)

COMMUNITY_SCOPE = "forum.community"


def community_ids_for_member(user: User) -> QuerySet[Any]:
    """Ids of the communities ``user`` belongs to now, as a subquery."""
    return member_communities(user).values("pk")


def member_community_scope_ids(user: User) -> list[int]:
    """Ids of the communities ``user`` belongs to now (notification scope)."""
    return member_community_ids(user)


@dataclass(frozen=True)
class CommunityChoice:
    community: Community
    is_member: bool
    needs_conduct: bool


def communities_for_user(user: User) -> list[CommunityChoice]:
    """Communities of ``user``'s organisations: the ones they are in, and the open ones they
    could join (their audience fits one of the person's roles). A closed community shows only
    to its members (``rules.findable_by``); an archived one to nobody."""
    roles = Membership.objects.filter(user=user, organisation=OuterRef("organisation"))
    member = CommunityMember.objects.filter(user=user, community=OuterRef("pk"))
    rows = (
        Community.objects.filter(Exists(roles), rules.findable_by(user), archived_at__isnull=True)
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
        version = community.accepted_version  # the annotation above
        if version is None and not my_roles[community.organisation_id] & set(
            eligible_roles(community.audience)
        ):
            continue
        if version is None and not _age_may_fit(user, community):
            continue  # an adult is not offered an under-18s' community (nor the reverse)
        choices.append(
            CommunityChoice(
                community=community,
                is_member=version is not None,
                needs_conduct=version is not None and version != community.code_of_conduct_version,
            )
        )
    return choices


def _age_may_fit(user: User, community: Community) -> bool:
    """False only when the person's date of birth is known and puts them outside the
    community's ages. Unknown or unconfirmed dates are for the join page to ask about
    (``accounts.age.check_age_allows``, the one age rule, decides there)."""
    if not community.has_age_limits or user.date_of_birth is None:
        return True
    age = age_on(user.date_of_birth, timezone.localdate())
    low = community.min_age if community.min_age is not None else 0
    return low <= age and (community.max_age is None or age <= community.max_age)


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
    WHERE g.community_id = %(community)s AND g.archived_at IS NULL
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


def category_by_id(category_id: int) -> Category | None:
    query = (
        f"SELECT {sql.columns(Category, 'g')} FROM {Category._meta.db_table} g WHERE g.id = %(id)s"  # noqa: S608 - table names from _meta, values bound
    )
    rows = sql.fetch_all(query, {"id": category_id})
    return sql.from_row(Category, rows[0]) if rows else None


def is_watching_category(user: User, category: Category) -> bool:
    query = f"SELECT 1 FROM {Watch._meta.db_table} WHERE user_id = %(user)s AND category_id = %(category)s"  # noqa: S608 - table name from _meta, values bound
    return bool(sql.fetch_all(query, {"user": user.pk, "category": category.pk}))


def categories_of_community(community: Community) -> QuerySet[Category]:
    """The categories of the community open for new topics, in their order (a topic form's
    choices): not locked, not archived."""
    return community.categories.filter(is_locked=False, archived_at__isnull=True).order_by(
        "position", "pk"
    )
