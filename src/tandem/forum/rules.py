"""The forum's access rules, each defined once, as SQL.

Every forum page passes a gate and the notification badge asks for the same community ids;
the ORM versions of these queries cost several milliseconds of Python to build and compile
each time, many times the database's work (docs/performance.md). So the SQL *is* the rule:
one named piece of SQL per rule, used by the gates (``access.py``) and, through ``RawSQL``
subqueries, by ORM reads. ``tests/test_rules_oracle.py`` checks each against an ORM oracle
on a matrix of cases. Every value is a bound parameter; the SQL is the same on SQLite and
PostgreSQL; table names come from ``_meta``.

- **Membership** (:func:`membership_from`, :func:`membership_where`): a ``CommunityMember`` row, a role in the
  community's organisation, and no bar registered by moderation (a suspension,
  ``forum.hooks``). Inactive accounts belong nowhere (checked in Python before asking).
- **Role facts** (:func:`role_facts_select`): whether the person moderates, facilitates or is
  a verified provider in the community's organisation.
- **Topic visibility** (:func:`topic_readable`): the community's topics, their circles',
  their own drafts; a held topic only for its author.
- **Finding a community** (:func:`findable_by`): open communities not archived, and the others
  only for their members (who still need the join page to accept a new code of conduct). An ORM
  condition: it runs on the communities list and the join page, not on every request.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from tandem.accounts.models import Membership, Role, User
from tandem.forum import hooks, sql
from tandem.forum.models import (
    CircleMember,
    Community,
    CommunityMember,
    JoinPolicy,
    Topic,
    Visibility,
)


def _has_role(extra: str = "") -> str:
    return (
        f"EXISTS (SELECT 1 FROM {Membership._meta.db_table} r WHERE r.user_id = %(user)s "  # noqa: S608 - table names from _meta, values bound
        f"AND r.organisation_id = c.organisation_id{extra})"
    )


def membership_from() -> str:
    """The tables of the membership rule: ``m`` (the person's ``CommunityMember`` rows) joined
    to ``c`` (the community). Other tables may join after it."""
    return (
        f"FROM {CommunityMember._meta.db_table} m "
        f"JOIN {Community._meta.db_table} c ON c.id = m.community_id"
    )


def membership_where() -> str:
    """The condition of the membership rule over :func:`membership_from`: the person belongs
    to ``c`` now. Parameters: :func:`params`."""
    bars = "".join(f" AND NOT ({bar.sql})" for bar in hooks.membership_bars())
    return f"m.user_id = %(user)s AND {_has_role()}{bars}"


def role_facts_select() -> str:
    """Four columns about the person in ``c``: the code of conduct version they accepted,
    then whether they moderate, facilitate, and are a verified provider there."""
    return (
        "m.accepted_conduct_version, "
        f"{_has_role(' AND r.role = %(moderator)s')}, "
        f"{_has_role(' AND r.role = %(facilitator)s')}, "
        f"{_has_role(' AND r.role = %(provider)s AND r.verified_at IS NOT NULL')}"
    )


def topic_readable(alias: str = "t") -> str:
    """True for a topic (aliased ``alias``) the person may open inside a community they
    belong to: the community's own, their circles', their own drafts; a topic whose opening
    post waits for a moderator only for its author (moderators read it in the review queue)."""
    in_circle = (
        f"EXISTS (SELECT 1 FROM {CircleMember._meta.db_table} cm "  # noqa: S608 - table names from _meta, values bound
        f"WHERE cm.circle_id = {alias}.circle_id AND cm.user_id = %(user)s)"
    )
    return (
        f"(({alias}.is_held = %(false)s OR {alias}.author_id = %(user)s) AND ("
        f"{alias}.visibility = %(community_visibility)s"
        f" OR ({alias}.visibility = %(circle_visibility)s AND {in_circle})"
        f" OR ({alias}.visibility = %(draft_visibility)s AND {alias}.author_id = %(user)s)))"
    )


def params(user: User) -> dict[str, Any]:
    """The parameters every rule here reads, the registered bars' included."""
    values: dict[str, Any] = {
        "user": user.pk,
        "false": False,
        "moderator": Role.MODERATOR.value,
        "facilitator": Role.FACILITATOR.value,
        "provider": Role.PROVIDER.value,
        "community_visibility": Visibility.COMMUNITY.value,
        "circle_visibility": Visibility.CIRCLE.value,
        "draft_visibility": Visibility.DRAFT.value,
    }
    for bar in hooks.membership_bars():
        values.update(bar.params())
    return values


def member_community_ids_subquery(user: User) -> RawSQL:
    """The ids of the communities ``user`` belongs to now, as a subquery for ORM reads
    (``Community.objects.filter(pk__in=…)``). Callers rule out inactive accounts."""
    query, values = sql.positional(
        f"SELECT m.community_id {membership_from()} WHERE {membership_where()}", params(user)
    )
    return RawSQL(query, values)  # noqa: S611 - SQL from the rules above, values bound


def readable_topic_ids_subquery(user: User) -> RawSQL:
    """Ids of the topics :func:`topic_readable` lets ``user`` open (in any community: combine
    with membership), as a subquery for ORM reads."""
    query, values = sql.positional(
        f"SELECT t.id FROM {Topic._meta.db_table} t WHERE {topic_readable('t')}",  # noqa: S608 - table names from _meta, values bound
        params(user),
    )
    return RawSQL(query, values)  # noqa: S611 - SQL from the rules above, values bound


def member_communities(user: User) -> QuerySet[Community]:
    """Communities ``user`` belongs to now (the membership rule as a queryset)."""
    if not user.is_active:
        return Community.objects.none()
    return Community.objects.filter(pk__in=member_community_ids_subquery(user))


def findable_by(user: User) -> Q:
    """Communities ``user`` may find on the list and open the join page of: open ones, and a
    closed one they are already a member of (to accept its new code of conduct). Everyone
    else gets a 404 from a closed community's join page, as if it did not exist."""
    is_member = CommunityMember.objects.filter(community=OuterRef("pk"), user=user)
    return Q(join_policy=JoinPolicy.OPEN, archived_at__isnull=True) | Q(Exists(is_member))
