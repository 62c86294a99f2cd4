"""Retention: what Tandem keeps only for a while, deleted when its time is up.

Each kind of row has a setting (``TANDEM_RETAIN_*_DAYS``; 0 keeps it for ever) and a rule here.
``manage.py apply_retention`` runs them hourly (under ``serve`` and the Procfile), each in its
own transaction, so one that fails (logged, retried at the next run) does not hold the others.

The access record is append-only (``care.guards``): its rows are deleted with one plain
``DELETE … WHERE created_at < cutoff`` (the model refuses deletion, on purpose), and the
database's trigger lets through only rows past the retention it was installed with. If the
setting was shortened without running ``manage.py lock_access_record`` again, the trigger
refuses and the run says so in the log; nothing younger than the installed retention can go.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from tandem.care.models import AccessLogEntry, JointSession, SecurityEvent
from tandem.datarights.models import DataExport, ExportStatus
from tandem.forum.models import ModerationState, Post
from tandem.forum.search import unindex_post
from tandem.moderation.models import ItemState, ReviewItem
from tandem.notifications.models import Notification

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rule:
    name: str
    setting: str
    purge: Callable[[datetime], int]


def _delete_older(model: type[Model], cutoff: datetime) -> int:
    # A plain statement: the append-only model refuses ORM deletes, and the trigger decides.
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE created_at < %s", [cutoff])  # noqa: S608 - a model's own table name
        deleted: int = cursor.rowcount
    return max(deleted, 0)


def purge_access_record(cutoff: datetime) -> int:
    return _delete_older(AccessLogEntry, cutoff) + _delete_older(SecurityEvent, cutoff)


def purge_notifications(cutoff: datetime) -> int:
    deleted, _kinds = Notification.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def purge_joint_sessions(cutoff: datetime) -> int:
    deleted, _kinds = JointSession.objects.filter(ended_at__lt=cutoff).delete()
    return deleted


def purge_exports(cutoff: datetime) -> int:
    # Expired exports have no file left (the sweep removed it); failed ones never had one.
    finished = DataExport.objects.filter(
        status__in=[ExportStatus.EXPIRED, ExportStatus.FAILED], requested_at__lt=cutoff
    )
    deleted, _kinds = finished.delete()
    return deleted


def purge_rejected_posts(cutoff: datetime) -> int:
    """Posts held for review and then hidden by a moderator, counted from that decision.

    A held opening post goes with its topic, unless someone else's post is in it (then the
    topic is left for the moderators)."""
    rejected = ReviewItem.objects.filter(
        is_held=True, state=ItemState.RESOLVED, resolution="hidden", resolved_at__lt=cutoff
    ).values("post_id")
    posts = list(
        Post.objects.filter(pk__in=rejected, moderation_state=ModerationState.HIDDEN)
        .select_related("topic")
        .order_by("pk")
    )
    deleted = 0
    for post in posts:
        unindex_post(post)
        if not post.is_opening:
            post.delete()
        elif not post.topic.posts.exclude(pk=post.pk).exists():
            post.topic.delete()
        else:
            continue
        deleted += 1
    return deleted


RULES = (
    Rule("access record", "TANDEM_RETAIN_ACCESS_LOG_DAYS", purge_access_record),
    Rule("notifications", "TANDEM_RETAIN_NOTIFICATIONS_DAYS", purge_notifications),
    Rule("ended joint sessions", "TANDEM_RETAIN_JOINT_SESSIONS_DAYS", purge_joint_sessions),
    Rule("finished exports", "TANDEM_RETAIN_EXPORTS_DAYS", purge_exports),
    Rule("rejected held posts", "TANDEM_RETAIN_REJECTED_POSTS_DAYS", purge_rejected_posts),
)


def apply_retention(*, now: datetime | None = None) -> dict[str, int]:
    """Delete what is past its retention; return how many rows each rule deleted (rules whose
    setting is 0 are skipped; a rule that failed is logged and left out)."""
    now = now or timezone.now()
    done: dict[str, int] = {}
    for rule in RULES:
        days: int = getattr(settings, rule.setting)
        if days <= 0:
            continue
        try:
            with transaction.atomic():
                done[rule.name] = rule.purge(now - timedelta(days=days))
        except DatabaseError:
            logger.exception(
                "Retention of %s failed; if %s was shortened, run lock_access_record as the "
                "tables' owner.",
                rule.name,
                rule.setting,
            )
    return done
