"""Every change to notifications: create (and queue the email in the same transaction), mark
read, set the email preference."""

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
    """Create an in-portal notification and queue the content-free email with it.

    The email is never sent inside the request, and a rolled-back post never tells anyone
    anything. With the database task backend (production), the task's row is written in the
    same transaction as the notification: both are stored or neither, and the worker sees the
    task only once they are committed (queueing it after commit lost the email whenever the
    process died in between). A backend that runs or sends the task elsewhere at once (the
    immediate backend of the tests) still queues it after commit.
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
    if _queues_in_the_transaction():
        _enqueue_email(notification.pk)
    else:
        transaction.on_commit(lambda: _enqueue_email(notification.pk))
    return notification


def _queues_in_the_transaction() -> bool:
    """Whether the email task's backend stores it in this database, inside the open
    transaction (django-tasks-db's DatabaseBackend writes one row, rolled back with it)."""
    from django.db import router
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from tandem.notifications.tasks import send_notification_email

    return isinstance(send_notification_email.get_backend(), DatabaseBackend) and (
        router.db_for_write(DBTaskResult) == router.db_for_write(Notification)
    )


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
