"""Screening a post once it is saved: the risk screen, pre-moderation and "hold" watched
words. A rule that fires is recorded; a hold puts the post before the moderators, and a
high-risk hold tells those on duty at once."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from tandem.accounts.models import Role, User
from tandem.forum.models import Community, ModerationState, Post, Topic
from tandem.moderation import screening, trust
from tandem.moderation.models import (
    Level,
    ModeratorDuty,
    Outcome,
    PreModeration,
    ReviewItem,
    Risk,
    ScreeningDecision,
)
from tandem.moderation.posting.checks import Prepared
from tandem.moderation.posting.snapshot import Snapshot

MODERATION_SCOPE = "moderation.community"
LEVEL_RISK = {
    Level.HIGH: Risk.HIGH,
    Level.HOLD: Risk.MEDIUM,
    Level.FLAG: Risk.MEDIUM,
    Level.REMIND: Risk.LOW,
}


@dataclass(frozen=True)
class ScreenOutcome:
    held: bool
    high_risk: bool
    remind: bool


def _premoderates(snapshot: Snapshot) -> bool:
    options = snapshot.settings
    if snapshot.is_moderator or options.premoderation == PreModeration.NONE:
        return False
    if options.premoderation == PreModeration.EVERY_POST:
        return True
    # A new member's first posts wait, until they have that many visible posts or a
    # moderator raised their trust level by hand (``trust.Capability.SKIP_PREMODERATION``).
    if trust.may(snapshot.trust.level, trust.Capability.SKIP_PREMODERATION):
        return False
    return snapshot.trust.approved_posts < options.new_member_held_posts


def screen_published_post(
    *, post: Post, community: Community, prepared: Prepared, is_edit: bool = False
) -> ScreenOutcome:
    """Screen a post that has just been published (or edited); hold it when a rule says so.

    Record one ``ScreeningDecision`` per rule that fired. A hold sets the post's state, opens
    (or raises the risk of) its review item and, for high risk, notifies the moderators on
    duty after commit. Edits are screened too, but pre-moderation applies only to new posts.
    """
    text = f"{post.topic.title}\n{post.body}" if post.is_opening else post.body
    result = screening.screen(text)
    decisions = [
        ScreeningDecision(
            post=post,
            community=community,
            rule=rule.id,
            category=rule.category,
            level=rule.level,
            language=result.language,
        )
        for rule in result.fired
    ]
    for word in prepared.held_words:
        decisions.append(
            ScreeningDecision(
                post=post,
                community=community,
                rule=f"watched:{word}"[:80],
                category="watched_word",
                level=Level.HOLD,
            )
        )
    snapshot = prepared.snapshot
    if not is_edit and snapshot is not None and _premoderates(snapshot):
        decisions.append(
            ScreeningDecision(
                post=post,
                community=community,
                rule="premoderation",
                category="trust",
                level=Level.HOLD,
            )
        )
    holds = any(d.level in {Level.HIGH, Level.HOLD} for d in decisions)
    # A flag (hopelessness, feeling a burden) publishes the post but puts it in front of a
    # moderator: silencing someone who says things feel hopeless would do harm.
    flags = not holds and any(d.level == Level.FLAG for d in decisions)
    for decision in decisions:
        decision.outcome = Outcome.PENDING if holds or flags else Outcome.NOT_REVIEWED
    if decisions:
        ScreeningDecision.objects.bulk_create(decisions)
    high = result.is_high
    if holds:
        risk = max(LEVEL_RISK[Level(d.level)] for d in decisions)
        if all(d.rule == "premoderation" for d in decisions):
            risk = Risk.ROUTINE
        # An edit holds only the post: others' replies must not vanish with the topic.
        item = hold_post(post=post, community=community, risk=risk, hold_topic=not is_edit)
        if high:
            _alert_on_high_risk(item=item, post=post, community=community)
    elif flags:
        open_item(post=post, community=community, risk=Risk.MEDIUM, held=False)
    return ScreenOutcome(held=holds, high_risk=high, remind=(result.reminds or flags) and not holds)


def hold_post(
    *, post: Post, community: Community, risk: int, hold_topic: bool = True
) -> ReviewItem:
    Post.objects.filter(pk=post.pk).update(moderation_state=ModerationState.HELD)
    post.moderation_state = ModerationState.HELD
    if post.is_opening and hold_topic:
        Topic.objects.filter(pk=post.topic_id).update(is_held=True)
        post.topic.is_held = True
    return open_item(post=post, community=community, risk=risk, held=True)


def open_item(*, post: Post, community: Community, risk: int, held: bool) -> ReviewItem:
    """The post's open review item, created or raised to ``risk`` (repeat reports merge)."""
    item = ReviewItem.objects.select_for_update().filter(post=post, state="open").first()
    if item is None:
        item = ReviewItem(post=post, community=community, risk=risk, is_held=held)
        item.full_clean()
        item.save()
        return item
    fields = []
    if risk > item.risk:
        item.risk = risk
        fields.append("risk")
    if held and not item.is_held:
        item.is_held = True
        fields.append("is_held")
    if fields:
        item.save(update_fields=fields)
    return item


def moderators_on_duty(organisation_id: int) -> list[User]:
    """The organisation's moderators who are on duty now (one query)."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation=organisation_id,
            memberships__role=Role.MODERATOR,
            pk__in=ModeratorDuty.objects.filter(organisation=organisation_id, on_duty=True).values(
                "user_id"
            ),
        ).distinct()
    )


def moderators_to_alert(community: Community) -> list[User]:
    """The organisation's moderators on duty; everyone who moderates there if nobody is."""
    on_duty = moderators_on_duty(community.organisation_id)
    if on_duty:
        return on_duty
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation=community.organisation_id,
            memberships__role=Role.MODERATOR,
        ).distinct()
    )


def _alert_on_high_risk(*, item: ReviewItem, post: Post, community: Community) -> None:
    """Tell the moderators on duty about a high-risk hold. When nobody is on duty, say so on
    the item (its author is told at once that nobody is reviewing now and gets the crisis
    contacts) and go straight to the second tier: the clinical escalation contacts."""
    from tandem.moderation.escalation import sweep
    from tandem.notifications.services import notify

    nobody = not moderators_on_duty(community.organisation_id)
    if nobody and item.first_reviewed_at is None and not item.nobody_on_duty:
        item.nobody_on_duty = True
        item.save(update_fields=["nobody_on_duty"])
    url = reverse("moderation:item-detail", kwargs={"item_id": item.pk})
    for moderator in moderators_to_alert(community):
        if moderator.pk == post.author_id:
            continue
        # The title names the community, never the words or the writer: it is read in a list
        # that others may glance at, and the email says even less.
        notify(
            recipient=moderator,
            kind="moderation.high_risk",
            title=_("Urgent: a post in %(community)s is held for review")
            % {"community": community.name},
            url=url,
            scope_type=MODERATION_SCOPE,
            scope_id=community.pk,
        )
    if nobody:
        sweep.escalate_when_nobody_on_duty(item=item, community=community)
