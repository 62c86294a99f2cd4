"""Moderation's rules, each defined once.

- **A sanction in force** (:func:`sanctions_in_force`): a mute or suspension of the person in
  the community, not lifted, whose ``until`` is empty or still ahead. Written as SQL because
  both places that ask are hand-written single queries kept fast on purpose: the forum's
  membership gate (a suspension shuts the community; registered with the forum as a
  membership bar in ``apps.py``) and the posting snapshot (``posting.snapshot``).
  A person's record asks it through :func:`sanction_in_force_q`, the same SQL.
  ``forum/tests/test_rules_oracle.py`` checks it against an ORM oracle.
- **Posts moderation pages may show** (:func:`posts_shown_to_moderators_q`).
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from tandem.forum.hooks import MembershipBar
from tandem.forum.models import ModerationState, Visibility
from tandem.forum.sql import positional
from tandem.moderation.models import ReviewItem, Sanction, SanctionKind

# Parameter names, prefixed: these pieces of SQL sit inside the forum's and posting's queries.
_NOW = "sanction_now"
_KINDS = {
    SanctionKind.MUTE: "sanction_mute",
    SanctionKind.SUSPEND: "sanction_suspend",
}


def sanctions_in_force(
    *, alias: str, community: str, user: str, kinds: tuple[SanctionKind, ...]
) -> str:
    """``FROM … WHERE …`` selecting, as ``alias``, the sanctions of ``kinds`` in force now on
    the person ``user`` in the community ``community`` (both SQL expressions, such as
    ``c.id`` or ``%(user)s``). Parameters: :func:`sanction_params`."""
    kinds_sql = ", ".join(f"%({_KINDS[kind]})s" for kind in kinds)
    return (
        f"FROM {Sanction._meta.db_table} {alias} "
        f"WHERE {alias}.community_id = {community} AND {alias}.user_id = {user} "
        f"AND {alias}.kind IN ({kinds_sql}) AND {alias}.lifted_at IS NULL "
        f"AND ({alias}.until IS NULL OR {alias}.until > %({_NOW})s)"
    )


def sanction_params() -> dict[str, Any]:
    """The parameters of :func:`sanctions_in_force`, ``now`` included."""
    return {
        _NOW: connection.ops.adapt_datetimefield_value(timezone.now()),
        **{name: kind.value for kind, name in _KINDS.items()},
    }


def sanction_in_force_q(*, community_id: int, user_id: int) -> Q:
    """Sanctions of the person ``user_id`` in the community ``community_id`` that are in force
    now (a mute or a suspension; :func:`sanctions_in_force`, the same SQL), as a condition on
    ``Sanction`` for ORM reads such as a person's record."""
    query, values = positional(
        "SELECT s.id "
        + sanctions_in_force(
            alias="s",
            community="%(community)s",
            user="%(user)s",
            kinds=(SanctionKind.MUTE, SanctionKind.SUSPEND),
        ),
        {**sanction_params(), "community": community_id, "user": user_id},
    )
    return Q(pk__in=RawSQL(query, values))  # noqa: S611 - SQL from the rule above, values bound


# A suspension shuts the community for the person until it ends (a mute only stops posting).
SUSPENSION_BAR = MembershipBar(
    sql="EXISTS (SELECT 1 "
    + sanctions_in_force(
        alias="s", community="c.id", user="%(user)s", kinds=(SanctionKind.SUSPEND,)
    )
    + ")",
    params=sanction_params,
)


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
