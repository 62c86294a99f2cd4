"""Changing a sent message: editing or withdrawing it within five minutes of sending."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.messaging import access, events
from tandem.messaging.models import Message, Participant


def _others(message: Message) -> list[int]:
    others = Participant.objects.filter(thread_id=message.thread_id)
    if message.sender_id is not None:
        others = others.exclude(user_id=message.sender_id)
    return list(others.values_list("user_id", flat=True))


@transaction.atomic
def edit_message(*, editor: User, message: Message, body: str) -> Message:
    """Change a message within five minutes of sending; it then shows "edited".

    Raise PermissionDenied after that time, for a withdrawn message or someone else's, and
    ValidationError for an empty or over-long body.
    """
    message = Message.objects.select_for_update().select_related("thread").get(pk=message.pk)
    access.check_can_change_message(editor, message)
    if not body.strip():
        raise ValidationError({"body": _("Write a message before sending.")})
    message.body = body
    message.edited_at = timezone.now()
    message.full_clean(exclude=["thread", "sender"])
    message.save(update_fields=["body", "edited_at"])
    events.publish_thread_changed(
        thread_id=message.thread_id, message_id=message.pk, user_ids=_others(message), changed=True
    )
    return message


@transaction.atomic
def withdraw_message(*, editor: User, message: Message) -> Message:
    """Withdraw a message within five minutes of sending: its text is deleted and the thread
    shows that a message was withdrawn. Raise PermissionDenied otherwise."""
    message = Message.objects.select_for_update().select_related("thread").get(pk=message.pk)
    access.check_can_change_message(editor, message)
    message.body = ""
    message.withdrawn_at = timezone.now()
    message.save(update_fields=["body", "withdrawn_at"])
    events.publish_thread_changed(
        thread_id=message.thread_id, message_id=message.pk, user_ids=_others(message), changed=True
    )
    return message
