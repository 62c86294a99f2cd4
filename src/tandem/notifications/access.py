"""Gate for a single notification."""

from __future__ import annotations

from django.http import Http404

from tandem.accounts.models import User
from tandem.notifications.models import Notification
from tandem.notifications.scopes import visible_scopes_q


def get_notification_for_recipient(user: User, notification_id: int) -> Notification:
    """Return the notification if it is ``user``'s and its scope is still visible to them,
    else raise Http404 (someone else's notification and a missing one look the same)."""
    notification = (
        Notification.objects.filter(pk=notification_id, recipient=user)
        .filter(visible_scopes_q(user))
        .first()
    )
    if notification is None:
        raise Http404
    return notification
