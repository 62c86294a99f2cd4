"""Trust levels, defined once: what earns each level in a community and what each unlocks.

Discourse's trust levels are the anchor: trust is earned by taking part quietly over time
(days visited, topics entered, posts read, posts a moderator would let through) and lost by a
recent sanction, never by popularity (reactions received never count). A moderator may set a
person's level by hand, with a reason (``TrustOverride``, audited); that replaces the earned
level until they clear it.

Time spent reading is not measured (Tandem records no reading time), so it is not a
requirement; days visited stand in for it.

Every place that gives or withholds something by trust asks :func:`may` here: the posting
checks (links, pre-moderation), the forum's mention and circle rules through
``forum.hooks`` (``moderation.forum_hooks``), report weight (``services.reports``), and the
pages that explain levels (account page, a person's moderation page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from tandem.moderation import limits


class TrustLevel(models.IntegerChoices):
    NEW = limits.TRUST_NEW, _("New member")
    MEMBER = limits.TRUST_MEMBER, _("Member")
    REGULAR = limits.TRUST_REGULAR, _("Regular")


class Capability(models.TextChoices):
    POST_LINKS = "post_links", _("Post links")
    MENTION_ANYONE = "mention_anyone", _("Mention people who are not in a circle with you")
    SKIP_PREMODERATION = (
        "skip_premoderation",
        _("Post without waiting for a moderator (where new members' posts wait)"),
    )
    CREATE_CIRCLES = "create_circles", _("Start circles")
    WEIGHTY_REPORTS = (
        "weighty_reports",
        _("Your reports of harmful posts go higher in the moderators' queue"),
    )


# The one table of what each level unlocks.
UNLOCKED_AT: dict[Capability, TrustLevel] = {
    Capability.POST_LINKS: TrustLevel.MEMBER,
    Capability.MENTION_ANYONE: TrustLevel.MEMBER,
    Capability.SKIP_PREMODERATION: TrustLevel.MEMBER,
    Capability.CREATE_CIRCLES: TrustLevel.MEMBER,
    Capability.WEIGHTY_REPORTS: TrustLevel.REGULAR,
}


@dataclass(frozen=True)
class Requirement:
    """What earns a level. ``approved_posts`` None: the community's own number of a new
    member's posts that wait for a moderator (``CommunitySettings.new_member_held_posts``)."""

    days_visited: int
    topics_entered: int
    posts_read: int
    approved_posts: int | None
    sanction_free_days: int


REQUIREMENTS: dict[TrustLevel, Requirement] = {
    TrustLevel.MEMBER: Requirement(
        days_visited=limits.MEMBER_DAYS_VISITED,
        topics_entered=limits.MEMBER_TOPICS_READ,
        posts_read=limits.MEMBER_TOPICS_READ,
        approved_posts=None,
        sanction_free_days=30,
    ),
    TrustLevel.REGULAR: Requirement(
        days_visited=limits.REGULAR_DAYS_VISITED,
        topics_entered=limits.REGULAR_TOPICS_READ,
        posts_read=100,
        approved_posts=limits.REGULAR_APPROVED_POSTS,
        sanction_free_days=90,
    ),
}


@dataclass(frozen=True)
class TrustFacts:
    """What the person has done in one community (``posting.snapshot`` reads it in its one
    query). ``days_since_sanction``: None when they never had one there."""

    approved_posts: int
    topics_entered: int
    posts_read: int
    days_visited: int
    days_since_sanction: int | None


@dataclass(frozen=True)
class Step:
    """One requirement of the next level, for "what comes next"."""

    label: str
    have: int
    need: int

    @property
    def met(self) -> bool:
        return self.have >= self.need


def _needed_posts(requirement: Requirement, held_posts: int) -> int:
    return requirement.approved_posts if requirement.approved_posts is not None else held_posts


def steps_towards(level: TrustLevel, facts: TrustFacts, held_posts: int) -> list[Step]:
    """Each requirement of ``level`` with where the person stands."""
    need = REQUIREMENTS[level]
    sanction_free = (
        need.sanction_free_days
        if facts.days_since_sanction is None
        else min(facts.days_since_sanction, need.sanction_free_days)
    )
    return [
        Step(str(_("Days you visited")), facts.days_visited, need.days_visited),
        Step(str(_("Topics you opened")), facts.topics_entered, need.topics_entered),
        Step(str(_("Posts you read")), facts.posts_read, need.posts_read),
        Step(
            str(_("Your posts that are visible")),
            facts.approved_posts,
            _needed_posts(need, held_posts),
        ),
        Step(
            str(_("Days since a moderator's warning, mute or suspension")),
            sanction_free,
            need.sanction_free_days,
        ),
    ]


def earned_level(facts: TrustFacts, held_posts: int) -> TrustLevel:
    """The highest level whose every requirement ``facts`` meet."""
    earned = TrustLevel.NEW
    for level in (TrustLevel.MEMBER, TrustLevel.REGULAR):
        if not all(step.met for step in steps_towards(level, facts, held_posts)):
            break
        earned = level
    return earned


def may(level: int, capability: Capability) -> bool:
    return level >= UNLOCKED_AT[capability]


def unlocked_by(level: int) -> list[Capability]:
    return [capability for capability in Capability if may(level, capability)]


def next_level(level: int) -> TrustLevel | None:
    higher = [candidate for candidate in TrustLevel if candidate > level]
    return min(higher) if higher else None


SANCTION_WINDOW = timedelta(days=max(r.sanction_free_days for r in REQUIREMENTS.values()))
