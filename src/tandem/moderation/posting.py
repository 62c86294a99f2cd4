"""The moderation hooks of the forum's writing services. ``forum.services`` calls these, in its
own transaction, around every topic and reply it publishes (and every edit):

1. :func:`check_before_publish` refuses the post (the text is kept by the view) when the person
   is muted or suspended, over a rate limit or a new member's daily limit, inside a topic's
   slow mode, or using a watched word set to "block". It returns the text with "replace" words
   replaced.
2. :func:`screen_published_post` runs the risk screen and the community's pre-moderation and
   "hold" watched words on the saved post, records a ``ScreeningDecision`` per rule that fired,
   and holds the post (``Post.moderation_state = held``, a ``ReviewItem`` in the queue) when
   one says so. A high-risk hold tells the moderators on duty at once.

Nothing here deletes a post.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tandem.accounts.models import Membership, Role, User
from tandem.forum.models import Community, ModerationState, Post, Topic, TopicRead
from tandem.moderation import limits, screening
from tandem.moderation.errors import PostingLimitError
from tandem.moderation.models import (
    CommunitySettings,
    CommunityVisit,
    Level,
    ModeratorDuty,
    Outcome,
    PreModeration,
    ReviewItem,
    Risk,
    Sanction,
    SanctionKind,
    ScreeningDecision,
    SlowMode,
    WatchedWord,
    WatchedWordAction,
)

MODERATION_SCOPE = "moderation.community"
_MENTION = re.compile(r"(?<![\w@])@[^\W_]")
LEVEL_RISK = {
    Level.HIGH: Risk.HIGH,
    Level.HOLD: Risk.MEDIUM,
    Level.FLAG: Risk.MEDIUM,
    Level.REMIND: Risk.LOW,
}


def settings_for(community: Community) -> CommunitySettings:
    found = CommunitySettings.objects.filter(community=community).first()
    return found or CommunitySettings(community=community)


def is_moderator(user: User, community: Community) -> bool:
    annotated = getattr(community, "is_moderator", None)
    if annotated is not None:
        return bool(annotated)
    return Membership.objects.filter(
        user=user, role=Role.MODERATOR, organisation=community.organisation_id
    ).exists()


def _active_sanctions(user: User, community: Any, now: datetime) -> QuerySet[Sanction]:
    return (
        Sanction.objects.filter(
            community=community,
            user=user,
            kind__in=[SanctionKind.MUTE, SanctionKind.SUSPEND],
            lifted_at__isnull=True,
        )
        .filter(Q(until__isnull=True) | Q(until__gt=now))
        .order_by("-kind", "-created_at")
    )


def active_sanction(
    user: User, community: Community, now: datetime | None = None
) -> Sanction | None:
    """The mute or suspension that stops ``user`` posting in ``community`` now, if any."""
    return _active_sanctions(user, community, now or timezone.now()).first()


@dataclass(frozen=True)
class Trust:
    level: int
    approved_posts: int
    topics_read: int
    days_visited: int


def _trust_level(approved: int, read: int, days: int, held_posts: int) -> int:
    if (
        approved < held_posts
        or read < limits.MEMBER_TOPICS_READ
        or days < limits.MEMBER_DAYS_VISITED
    ):
        return limits.TRUST_NEW
    if (
        approved >= limits.REGULAR_APPROVED_POSTS
        and read >= limits.REGULAR_TOPICS_READ
        and days >= limits.REGULAR_DAYS_VISITED
    ):
        return limits.TRUST_REGULAR
    return limits.TRUST_MEMBER


def trust_for(user: User, community: Community) -> Trust:
    """How far ``user`` has grown into ``community``: approved posts, topics read and days
    visited. Reactions received never count (they would reward popularity, not care)."""
    snapshot = take_snapshot(author=user, community=community)
    return snapshot.trust


def record_visit(*, user: User, community: Community) -> None:
    CommunityVisit.objects.bulk_create(
        [CommunityVisit(user=user, community=community, day=timezone.localdate())],
        ignore_conflicts=True,
    )


@dataclass(frozen=True)
class Snapshot:
    """Everything the posting checks need about one person in one community, read in one
    query (posting must stay fast: see ``bench/bench_screening.py``)."""

    settings: CommunitySettings
    is_moderator: bool
    sanction_id: int | None
    topics_hour: int
    replies_hour: int
    topics_day: int
    replies_day: int
    trust: Trust
    slow_minutes: int | None
    has_watched_words: bool


_SETTINGS_COLUMNS = (
    "premoderation",
    "new_member_held_posts",
    "new_member_topics_per_day",
    "new_member_replies_per_day",
    "topics_per_hour",
    "replies_per_hour",
    "mentions_per_hour",
)


@functools.cache
def _snapshot_sql() -> str:
    """One SELECT of scalar subqueries, built from the models' table names.

    Written as SQL on purpose: the same query through the ORM costs about 20 ms of Python to
    compile on a small machine, which alone would break the 5 ms budget for posting. Every
    value is a bound parameter; the SQL is the same on SQLite and PostgreSQL.
    """
    post, topic = Post._meta.db_table, Topic._meta.db_table
    mine = (
        f"SELECT COUNT(*) FROM {post} p JOIN {topic} t ON p.topic_id = t.id "  # noqa: S608 - table names from _meta, values bound
        "WHERE p.author_id = %(author)s AND t.community_id = c.id AND p.is_draft = %(false)s"
    )
    settings_columns = ", ".join(f"s.{column}" for column in _SETTINGS_COLUMNS)
    return f"""
    SELECT
      EXISTS (SELECT 1 FROM {Membership._meta.db_table} m WHERE m.user_id = %(author)s
              AND m.organisation_id = c.organisation_id AND m.role = %(moderator)s),
      (SELECT x.id FROM {Sanction._meta.db_table} x WHERE x.community_id = c.id
         AND x.user_id = %(author)s AND x.kind IN (%(mute)s, %(suspend)s)
         AND x.lifted_at IS NULL AND (x.until IS NULL OR x.until > %(now)s)
         ORDER BY x.kind DESC, x.created_at DESC LIMIT 1),
      ({mine} AND p.is_opening = %(true)s AND p.published_at >= %(hour)s),
      ({mine} AND p.is_opening = %(false)s AND p.published_at >= %(hour)s),
      ({mine} AND p.is_opening = %(true)s AND p.published_at >= %(day)s),
      ({mine} AND p.is_opening = %(false)s AND p.published_at >= %(day)s),
      ({mine} AND p.moderation_state = %(visible)s AND p.deleted_at IS NULL),
      (SELECT COUNT(*) FROM {TopicRead._meta.db_table} r JOIN {topic} t ON r.topic_id = t.id
         WHERE r.user_id = %(author)s AND t.community_id = c.id),
      (SELECT COUNT(*) FROM {CommunityVisit._meta.db_table} v
         WHERE v.user_id = %(author)s AND v.community_id = c.id),
      (SELECT w.interval_minutes FROM {SlowMode._meta.db_table} w WHERE w.topic_id = %(topic)s),
      EXISTS (SELECT 1 FROM {WatchedWord._meta.db_table} ww WHERE ww.community_id = c.id),
      s.id, {settings_columns}
    FROM {Community._meta.db_table} c
    LEFT JOIN {CommunitySettings._meta.db_table} s ON s.community_id = c.id
    WHERE c.id = %(community)s
    """  # noqa: S608 - table names from _meta, values bound


def take_snapshot(*, author: User, community: Community, topic: Topic | None = None) -> Snapshot:
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    params = {
        "author": author.pk,
        "community": community.pk,
        "topic": topic.pk if topic is not None else None,
        "true": True,
        "false": False,
        "moderator": Role.MODERATOR.value,
        "mute": SanctionKind.MUTE.value,
        "suspend": SanctionKind.SUSPEND.value,
        "visible": ModerationState.VISIBLE.value,
        "now": adapt(now),
        "hour": adapt(now - limits.HOUR),
        "day": adapt(now - limits.DAY),
    }
    with connection.cursor() as cursor:
        cursor.execute(_snapshot_sql(), params)
        row = cursor.fetchone()
    if row is None:
        raise Community.DoesNotExist
    (moderator, sanction_id, topics_hour, replies_hour, topics_day, replies_day) = row[:6]
    approved, read, days, slow_minutes, has_words, settings_id = row[6:12]
    options = CommunitySettings(community=community)
    if settings_id is not None:
        options = CommunitySettings(
            pk=settings_id,
            community=community,
            **dict(zip(_SETTINGS_COLUMNS, row[12:], strict=True)),
        )
    return Snapshot(
        settings=options,
        is_moderator=bool(moderator),
        sanction_id=sanction_id,
        topics_hour=topics_hour,
        replies_hour=replies_hour,
        topics_day=topics_day,
        replies_day=replies_day,
        trust=Trust(
            level=_trust_level(approved, read, days, options.new_member_held_posts),
            approved_posts=approved,
            topics_read=read,
            days_visited=days,
        ),
        slow_minutes=slow_minutes,
        has_watched_words=bool(has_words),
    )


def _word_pattern(word: str) -> re.Pattern[str]:
    parts = [re.escape(part) for part in word.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)", re.IGNORECASE)


def _wait_text(until: datetime) -> str:
    minutes = max(1, int((until - timezone.now()).total_seconds() // 60) + 1)
    return ngettext(
        "Please wait %(n)s minute before posting again.",
        "Please wait %(n)s minutes before posting again.",
        minutes,
    ) % {"n": minutes}


def _check_sanction(snapshot: Snapshot) -> None:
    if snapshot.sanction_id is None:
        return
    until = Sanction.objects.filter(pk=snapshot.sanction_id).values_list("until", flat=True).first()
    if until is None:
        message = _("A moderator has paused your posting in this community. You can still read.")
    else:
        message = _(
            "A moderator has paused your posting in this community until %(until)s. "
            "You can still read."
        ) % {"until": date_format(timezone.localtime(until), "j M Y, H:i")}
    raise PostingLimitError(message, status=403)


def _check_rates(
    *, author: User, community: Community, snapshot: Snapshot, is_topic: bool, body: str
) -> None:
    options = snapshot.settings
    limit = options.topics_per_hour if is_topic else options.replies_per_hour
    count = snapshot.topics_hour if is_topic else snapshot.replies_hour
    mine = Post.objects.filter(
        author=author,
        topic__community=community,
        is_draft=False,
        published_at__gte=timezone.now() - limits.HOUR,
    )
    if count >= limit:
        # Only on this (rare) path: when the oldest post that counts leaves the hour.
        oldest = (
            mine.filter(is_opening=is_topic)
            .order_by("-published_at")
            .values_list("published_at", flat=True)[limit - 1 : limit]
            .first()
        ) or timezone.now()
        message = (
            _("You have started %(n)s topics in the last hour.")
            if is_topic
            else _("You have written %(n)s replies in the last hour.")
        ) % {"n": limit}
        raise PostingLimitError(f"{message} {_wait_text(oldest + limits.HOUR)}")
    mentions = len(_MENTION.findall(body))
    if mentions:
        bodies = mine.values_list("body", flat=True)[
            : options.topics_per_hour + options.replies_per_hour
        ]
        earlier = sum(len(_MENTION.findall(text)) for text in bodies)
        if earlier + mentions > options.mentions_per_hour:
            raise PostingLimitError(
                _(
                    "You have mentioned people %(n)s times in the last hour. Please post without "
                    "@mentions for now, or wait a little."
                )
                % {"n": earlier}
            )


def _check_new_member(snapshot: Snapshot, *, is_topic: bool) -> None:
    if snapshot.trust.level > limits.TRUST_NEW:
        return
    options = snapshot.settings
    limit = options.new_member_topics_per_day if is_topic else options.new_member_replies_per_day
    count = snapshot.topics_day if is_topic else snapshot.replies_day
    if count >= limit:
        message = (
            _(
                "New members can start %(n)s topics a day while they settle in. You can post "
                "again tomorrow; replying to others is still open."
            )
            if is_topic
            else _(
                "New members can write %(n)s replies a day while they settle in. Your limit "
                "grows as you take part. Please try again tomorrow."
            )
        )
        raise PostingLimitError(message % {"n": limit})


def _check_slow_mode(snapshot: Snapshot, *, author: User, topic: Topic) -> None:
    if snapshot.slow_minutes is None:
        return
    interval = timedelta(minutes=snapshot.slow_minutes)
    last = (
        Post.objects.filter(
            topic=topic,
            author=author,
            is_draft=False,
            published_at__gt=timezone.now() - interval,
        )
        .order_by("-published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    if last is not None:
        raise PostingLimitError(
            _(
                "This topic is in slow mode: everyone can reply once every %(n)s minutes, so "
                "there is time to read and think."
            )
            % {"n": snapshot.slow_minutes}
            + " "
            + _wait_text(last + interval)
        )


@dataclass
class Prepared:
    """The text to save, the watched words set to "hold" that it contains, and what was read
    about the author (so screening needs no second look)."""

    body: str
    held_words: list[str] = field(default_factory=list)
    snapshot: Snapshot | None = None


def check_before_publish(
    *, author: User, community: Community, body: str, topic: Topic | None = None
) -> Prepared:
    """Refuse the post (raise ``PostingLimitError``/``ValidationError``) or return the text to
    publish. ``topic`` is None for a new topic. One query, plus one when the community has
    watched words."""
    snapshot = take_snapshot(author=author, community=community, topic=topic)
    _check_sanction(snapshot)
    if not snapshot.is_moderator:
        _check_rates(
            author=author, community=community, snapshot=snapshot, is_topic=topic is None, body=body
        )
        _check_new_member(snapshot, is_topic=topic is None)
        if topic is not None:
            _check_slow_mode(snapshot, author=author, topic=topic)
    if snapshot.has_watched_words:
        prepared = apply_watched_words(community=community, body=body)
    else:
        prepared = Prepared(body=body)
    prepared.snapshot = snapshot
    return prepared


def apply_watched_words(*, community: Community, body: str) -> Prepared:
    prepared = Prepared(body=body)
    for word in WatchedWord.objects.filter(community=community):
        pattern = _word_pattern(word.word)
        if not pattern.search(prepared.body):
            continue
        if word.action == WatchedWordAction.BLOCK:
            raise ValidationError(
                {
                    "body": _(
                        "This community does not allow “%(word)s”. Please change it and post "
                        "again: your text is kept."
                    )
                    % {"word": word.word}
                }
            )
        if word.action == WatchedWordAction.REPLACE:
            prepared.body = pattern.sub(word.replacement or "***", prepared.body)
        else:
            prepared.held_words.append(word.word)
    return prepared


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
