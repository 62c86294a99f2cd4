"""What the posting checks read about one person in one community, in one query: the
community's settings, whether the person moderates there, the sanction in force, their recent
posts, and how far they have grown into the community (trust)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tandem.accounts.models import Membership, Role, User
from tandem.forum.models import Community, ModerationState, Post, Topic, TopicRead
from tandem.moderation import limits, rules, trust
from tandem.moderation.models import (
    CommunitySettings,
    CommunityVisit,
    Sanction,
    SanctionKind,
    SlowMode,
    TrustOverride,
    WatchedWord,
)


def settings_for(community: Community) -> CommunitySettings:
    found = CommunitySettings.objects.filter(community=community).first()
    return found or CommunitySettings(community=community)


def is_moderator(user: User, community: Community) -> bool:
    """Whether ``user`` has the moderator role in the community's organisation, asked of the
    database each time (services check the acting person themselves, not a gate's answer)."""
    return Membership.objects.filter(
        user=user, role=Role.MODERATOR, organisation=community.organisation_id
    ).exists()


@dataclass(frozen=True)
class Trust:
    """A person's trust level in a community (``moderation.trust``): the one in force
    (``level``), what they earned, the level a moderator set by hand (None: none), and the
    facts it was earned from."""

    level: int
    approved_posts: int
    topics_read: int
    days_visited: int
    earned: int = limits.TRUST_NEW
    override: int | None = None
    facts: trust.TrustFacts | None = None


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
    "slow_mode_minutes",
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
    # The mute or suspension that stops the person posting (moderation.rules, the one rule).
    in_force = rules.sanctions_in_force(
        alias="x",
        community="c.id",
        user="%(author)s",
        kinds=(SanctionKind.MUTE, SanctionKind.SUSPEND),
    )
    return f"""
    SELECT
      EXISTS (SELECT 1 FROM {Membership._meta.db_table} m WHERE m.user_id = %(author)s
              AND m.organisation_id = c.organisation_id AND m.role = %(moderator)s),
      (SELECT x.id {in_force} ORDER BY x.kind DESC, x.created_at DESC LIMIT 1),
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
      -- Posts by others the person has read: published before they last opened the topic.
      (SELECT COUNT(*) FROM {TopicRead._meta.db_table} r2
         JOIN {topic} t2 ON r2.topic_id = t2.id
         JOIN {post} p2 ON p2.topic_id = t2.id
         WHERE r2.user_id = %(author)s AND t2.community_id = c.id AND p2.is_draft = %(false)s
           AND p2.author_id <> %(author)s AND p2.published_at <= r2.last_read_at),
      (SELECT MAX(z.created_at) FROM {Sanction._meta.db_table} z
         WHERE z.community_id = c.id AND z.user_id = %(author)s),
      (SELECT o.level FROM {TrustOverride._meta.db_table} o
         WHERE o.community_id = c.id AND o.user_id = %(author)s),
      s.id, {settings_columns}
    FROM {Community._meta.db_table} c
    LEFT JOIN {CommunitySettings._meta.db_table} s ON s.community_id = c.id
    WHERE c.id = %(community)s
    """  # noqa: S608 - table names from _meta, values bound


def _days_since(value: datetime | str | None, now: datetime) -> int | None:
    """Whole days from ``value`` (a MAX() of a datetime column: SQLite answers with text) to
    ``now``; None for no value."""
    if value is None:
        return None
    moment = parse_datetime(value) if isinstance(value, str) else value
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return max((now - moment).days, 0)


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
        "visible": ModerationState.VISIBLE.value,
        **rules.sanction_params(),
        "hour": adapt(now - limits.HOUR),
        "day": adapt(now - limits.DAY),
    }
    with connection.cursor() as cursor:
        cursor.execute(_snapshot_sql(), params)
        row = cursor.fetchone()
    if row is None:
        raise Community.DoesNotExist
    (moderator, sanction_id, topics_hour, replies_hour, topics_day, replies_day) = row[:6]
    approved, read, days, slow_minutes, has_words = row[6:11]
    posts_read, last_sanction, override, settings_id = row[11:15]
    options = CommunitySettings(community=community)
    if settings_id is not None:
        options = CommunitySettings(
            pk=settings_id,
            community=community,
            **dict(zip(_SETTINGS_COLUMNS, row[15:], strict=True)),
        )
    facts = trust.TrustFacts(
        approved_posts=approved,
        topics_entered=read,
        posts_read=posts_read,
        days_visited=days,
        days_since_sanction=_days_since(last_sanction, now),
    )
    earned = trust.earned_level(facts, options.new_member_held_posts)
    return Snapshot(
        settings=options,
        is_moderator=bool(moderator),
        sanction_id=sanction_id,
        topics_hour=topics_hour,
        replies_hour=replies_hour,
        topics_day=topics_day,
        replies_day=replies_day,
        trust=Trust(
            level=override if override is not None else earned,
            approved_posts=approved,
            topics_read=read,
            days_visited=days,
            earned=earned,
            override=override,
            facts=facts,
        ),
        # A topic's own slow mode, else the community's (for replies: a new topic has none).
        slow_minutes=slow_minutes
        if slow_minutes is not None or topic is None
        else options.slow_mode_minutes,
        has_watched_words=bool(has_words),
    )
