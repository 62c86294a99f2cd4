"""Reads of notifications, always for their recipient and only from scopes they still see."""

from __future__ import annotations

from django.db import connection
from django.db.models import Q, QuerySet

from tandem.accounts.models import User
from tandem.notifications.models import EmailFrequency, Notification, NotificationPreference
from tandem.notifications.scopes import visible_scope_ids


def notifications_for_user(user: User) -> QuerySet[Notification]:
    mine = Notification.objects.filter(recipient=user)
    # Ask only the scopes this person has notifications in, and filter by plain id lists:
    # building every registered scope's subquery cost more Python than the page itself.
    pairs = set(mine.exclude(scope_type="").values_list("scope_type", "scope_id").distinct())
    visible = visible_scope_ids(user, {scope_type for scope_type, _id in pairs})
    shown = Q(scope_type="")
    for scope_type, ids in visible.items():
        kept = sorted(ids & {scope_id for kind, scope_id in pairs if kind == scope_type})
        if kept:
            shown |= Q(scope_type=scope_type, scope_id__in=kept)
    return mine.filter(shown).order_by("-created_at", "-pk")


def _unread_groups_sql() -> str:
    """Unread notifications by scope, through the (recipient, read_at) index.

    Written as SQL on purpose: the badge is on every page, and the ORM spent many times the
    database's work building this one GROUP BY (docs/performance.md).
    """
    return (
        "SELECT scope_type, scope_id, COUNT(*) "  # noqa: S608 - table name from _meta, value bound
        f"FROM {Notification._meta.db_table} "
        "WHERE recipient_id = %s AND read_at IS NULL GROUP BY scope_type, scope_id"
    )


def unread_count_for_user(user: User) -> int:
    """The unread badge on every page: one grouped query, then one per scope type in which
    something is unread (usually none)."""
    with connection.cursor() as cursor:
        cursor.execute(_unread_groups_sql(), [user.pk])
        groups: list[tuple[str, int | None, int]] = cursor.fetchall()
    visible = visible_scope_ids(user, {scope_type for scope_type, _id, _n in groups if scope_type})
    return sum(
        n
        for scope_type, scope_id, n in groups
        if not scope_type or (scope_id is not None and scope_id in visible[scope_type])
    )


def preference_for_user(user: User) -> NotificationPreference:
    """The person's preference, or the default (email immediately, no quiet hours) unsaved."""
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference or NotificationPreference(user=user)


def email_frequency_for_user(user: User) -> str:
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference.email if preference else EmailFrequency.IMMEDIATELY
