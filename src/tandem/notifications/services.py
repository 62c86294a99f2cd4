"""Every change to notifications: create (and queue the email after commit), mark read,
set the email preference."""

from __future__ import annotations

from datetime import time

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.access import is_provider
from tandem.accounts.models import User
from tandem.notifications.models import (
    TITLE_MAX_LENGTH,
    EmailFrequency,
    Notification,
    NotificationPreference,
)


@transaction.atomic
def notify(
    *,
    recipient: User,
    kind: str,
    url: str,
    title: str = "",
    actor: User | None = None,
    scope_type: str = "",
    scope_id: int | None = None,
) -> Notification:
    """Create an in-portal notification and queue the content-free email after commit.

    The email is never sent inside the request: the task runs once the transaction that caused
    it has committed, so a rolled-back post never tells anyone anything.
    """
    notification = Notification(
        recipient=recipient,
        actor=actor,
        kind=kind,
        title=title[:TITLE_MAX_LENGTH],
        url=url,
        scope_type=scope_type,
        scope_id=scope_id,
    )
    # The recipient and actor are users in hand: validating them would cost a query each.
    notification.full_clean(exclude=["recipient", "actor"])
    notification.save()
    transaction.on_commit(lambda: _enqueue_email(notification.pk))
    return notification


def _enqueue_email(notification_id: int) -> None:
    from tandem.notifications.tasks import send_notification_email

    send_notification_email.enqueue(notification_id=notification_id)


@transaction.atomic
def mark_read(*, notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


@transaction.atomic
def mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def set_email_preference(
    *,
    user: User,
    frequency: str,
    quiet_hours_start: time | None = None,
    quiet_hours_end: time | None = None,
    time_zone: str = "",
) -> NotificationPreference:
    """Save how ``user`` hears about new things by email and, for care providers, their quiet
    hours (both times or neither; in ``time_zone``, the organisation's time zone when set from
    a page).

    Quiet hours are for people with a provider membership: for anyone else they are left as
    they are, and giving them raises PermissionDenied.
    """
    preference, _created = NotificationPreference.objects.get_or_create(user=user)
    preference.email = EmailFrequency(frequency)
    fields = ["email"]
    if is_provider(user):
        if quiet_hours_start is None or quiet_hours_end is None:
            quiet_hours_start = quiet_hours_end = None
        preference.quiet_hours_start = quiet_hours_start
        preference.quiet_hours_end = quiet_hours_end
        preference.time_zone = time_zone
        fields += ["quiet_hours_start", "quiet_hours_end", "time_zone"]
    elif quiet_hours_start is not None or quiet_hours_end is not None:
        raise PermissionDenied(_("Only care providers can set quiet hours."))
    preference.full_clean()
    preference.save(update_fields=fields)
    return preference
