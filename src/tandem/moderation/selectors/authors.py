"""Reads for the author of a post: what they are told about its review, and the reminders and
slow mode their topic pages show."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models.functions import Coalesce

from tandem.accounts.models import CrisisContact, Role, User
from tandem.forum.models import Post, Topic
from tandem.moderation.escalation.selectors import AuthorEscalation, escalations_for_author
from tandem.moderation.models import ItemState, Level, ReviewItem, ScreeningDecision, SlowMode


def post_needs_reminder(post: Post) -> bool:
    return ScreeningDecision.objects.filter(post=post, level=Level.REMIND).exists()


def slow_mode_for_topic(topic: Topic) -> SlowMode | None:
    return SlowMode.objects.filter(topic=topic).first()


def slow_mode_minutes_for_topic(topic: Topic) -> int | None:
    """Minutes between one person's replies in ``topic``: its own slow mode, else its
    community's, else None (one query)."""
    row = (
        Topic.objects.filter(pk=topic.pk)
        .values_list(
            Coalesce(
                "slow_mode__interval_minutes", "community__moderation_settings__slow_mode_minutes"
            )
        )
        .first()
    )
    return row[0] if row is not None else None


# The screen's rules that hold a post because someone other than its author may be in danger.
SOMEONE_ELSE_RULES = frozenset({"other_in_danger"})


@dataclass
class PostOutcome:
    post: Post
    high_risk: bool
    privacy: bool
    premoderated: bool
    contacts: list[CrisisContact]
    has_crisis_plan: bool
    # Held as urgent only because someone *else* may be in danger (the screen's
    # other_in_danger rule): the author is asked to call for help for them, not comforted.
    about_someone_else: bool = False
    # Held, urgent, and nobody was on duty: the author is told plainly that nobody is
    # reviewing right now (until someone does).
    nobody_reviewing: bool = False
    escalations: list[AuthorEscalation] = field(default_factory=list)


def post_outcome(user: User, post: Post) -> PostOutcome:
    """What the author of ``post`` is told about its review: why it waits (in kind words),
    where to find help, who else was asked to help, or what the moderator decided."""
    decisions = list(
        ScreeningDecision.objects.filter(post=post).values_list("level", "category", "rule")
    )
    organisation = post.topic.community.organisation
    high_rules = {rule for level, _category, rule in decisions if level == Level.HIGH}
    high = bool(high_rules)
    items = list(
        ReviewItem.objects.filter(post=post).values_list(
            "pk", "state", "nobody_on_duty", "first_reviewed_at"
        )
    )
    nobody = any(
        state == ItemState.OPEN and unseen and reviewed is None
        for _pk, state, unseen, reviewed in items
    )
    return PostOutcome(
        post=post,
        high_risk=high,
        privacy=any(category == "identifying" for _level, category, _rule in decisions),
        premoderated=any(category == "trust" for _level, category, _rule in decisions),
        contacts=list(CrisisContact.objects.filter(organisation=organisation))
        if high or nobody
        else [],
        has_crisis_plan=user.memberships.filter(role=Role.SERVICE_USER).exists(),
        about_someone_else=high and high_rules <= SOMEONE_ELSE_RULES,
        nobody_reviewing=nobody,
        escalations=escalations_for_author([pk for pk, *_rest in items]),
    )
