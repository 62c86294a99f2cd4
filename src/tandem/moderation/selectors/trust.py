"""A person's trust level in their communities, explained: what they can do now and what the
next level needs (their own page, and a person's page for moderators)."""

from __future__ import annotations

from dataclasses import dataclass

from tandem.accounts.models import User
from tandem.forum.access import member_communities
from tandem.forum.models import Community
from tandem.moderation import trust
from tandem.moderation.posting import take_snapshot
from tandem.moderation.posting.snapshot import Trust


@dataclass(frozen=True)
class TrustSummary:
    community: Community
    level: trust.TrustLevel
    earned: trust.TrustLevel
    is_set_by_hand: bool
    can: list[trust.Capability]
    next_level: trust.TrustLevel | None
    unlocks_next: list[trust.Capability]
    steps: list[trust.Step]
    is_moderator: bool


def summarise(user: User, community: Community) -> TrustSummary:
    """One person's level in one community (one query: the posting snapshot)."""
    snapshot = take_snapshot(author=user, community=community)
    found: Trust = snapshot.trust
    level = trust.TrustLevel(found.level)
    upcoming = trust.next_level(level)
    facts = found.facts
    steps = (
        trust.steps_towards(upcoming, facts, snapshot.settings.new_member_held_posts)
        if upcoming is not None and facts is not None
        else []
    )
    return TrustSummary(
        community=community,
        level=level,
        earned=trust.TrustLevel(found.earned),
        is_set_by_hand=found.override is not None,
        can=trust.unlocked_by(level),
        next_level=upcoming,
        unlocks_next=[c for c in trust.unlocked_by(upcoming) if c not in trust.unlocked_by(level)]
        if upcoming is not None
        else [],
        steps=steps,
        is_moderator=snapshot.is_moderator,
    )


# A person belongs to a handful of communities; the account page reads each in one query.
MAX_COMMUNITIES_SHOWN = 20


def trust_in_my_communities(user: User) -> list[TrustSummary]:
    """The person's level in each community they belong to (one query each, at most
    ``MAX_COMMUNITIES_SHOWN``)."""
    communities = member_communities(user).order_by("name")[:MAX_COMMUNITIES_SHOWN]
    return [summarise(user, community) for community in communities]
