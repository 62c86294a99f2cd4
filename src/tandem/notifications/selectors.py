"""Reads of notifications, always for their recipient and only from scopes they still see."""

from __future__ import annotations

from django.db.models import QuerySet

from tandem.accounts.models import User
from tandem.notifications.models import EmailFrequency, Notification, NotificationPreference
from tandem.notifications.scopes import visible_scopes_q


def notifications_for_user(user: User) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(recipient=user)
        .filter(visible_scopes_q(user))
        .select_related("actor")
        .order_by("-created_at", "-pk")
    )


def unread_count_for_user(user: User) -> int:
    return (
        Notification.objects.filter(recipient=user, read_at__isnull=True)
        .filter(visible_scopes_q(user))
        .count()
    )


def preference_for_user(user: User) -> NotificationPreference:
    """The person's preference, or the default (email immediately, no quiet hours) unsaved."""
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference or NotificationPreference(user=user)


def email_frequency_for_user(user: User) -> str:
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference.email if preference else EmailFrequency.IMMEDIATELY
