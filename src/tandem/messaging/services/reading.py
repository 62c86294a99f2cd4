"""Reading: moving a person's read mark in a thread, and clearing what it had notified them of."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from tandem.accounts.models import User
from tandem.core import usage
from tandem.messaging import events
from tandem.messaging.models import Message, Participant, Thread
from tandem.messaging.selectors import THREAD_SCOPE
from tandem.messaging.services.sending import NOTIFICATION_KIND
from tandem.notifications.models import Notification


@transaction.atomic
def mark_thread_read(*, user: User, thread: Thread, up_to: int | None = None) -> int:
    """Move ``user``'s read mark forward to ``up_to`` (or the latest message); never back.
    Return the new mark (0 for someone without a participant row, e.g. a covering colleague)."""
    participant = Participant.objects.select_for_update().filter(thread=thread, user=user).first()
    if participant is None:
        return 0
    latest = Message.objects.filter(thread=thread).aggregate(m=Max("pk"))["m"] or 0
    target = latest if up_to is None else min(up_to, latest)
    if target > participant.last_read_message_id:
        participant.last_read_message_id = target
        participant.save(update_fields=["last_read_message_id"])
        Notification.objects.filter(
            recipient=user,
            kind=NOTIFICATION_KIND,
            scope_type=THREAD_SCOPE,
            scope_id=thread.pk,
            read_at__isnull=True,
        ).update(read_at=timezone.now())
        events.publish_unread_changed(user_id=user.pk)
        usage.record(user.pk, usage.Module.MESSAGING, usage.Action.MESSAGE_READ)
    return participant.last_read_message_id
