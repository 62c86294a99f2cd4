"""Sending a message: once per client key, within the hourly limit, then who is waiting, live
events and notifications (after commit)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.care.models import RelationshipStatus
from tandem.core import usage
from tandem.messaging import access, events, kinds
from tandem.messaging.models import Message, Participant, ProviderAway, Side, Thread
from tandem.messaging.selectors import THREAD_SCOPE
from tandem.notifications.models import Notification
from tandem.notifications.services import notify

NOTIFICATION_KIND = "messaging.message"


@dataclass(frozen=True)
class SendResult:
    message: Message
    # False when the client key had been used: a double submit or a retry, nothing stored.
    created: bool


def _existing(sender: User, client_key: uuid.UUID) -> Message | None:
    return Message.objects.filter(sender=sender, client_key=client_key).first()


def _covering_colleagues(thread: Thread, sender: User, recipients: list[Participant]) -> list[User]:
    """Colleagues covering right now for an away provider of the thread who may read it (in the
    service user's care team), so a message during an absence reaches someone (one query)."""
    away_ids = [p.user_id for p in recipients if p.side == Side.CARE_TEAM]
    if not away_ids:
        return []
    taking_part = {p.user_id for p in recipients} | {sender.pk}
    covers = (
        ProviderAway.objects.filter(
            provider_id__in=away_ids,
            away_until__gt=timezone.now(),
            covered_by__isnull=False,
            covered_by__caseload__service_user_id=thread.service_user_id,
            covered_by__caseload__status=RelationshipStatus.ACTIVE,
        )
        .exclude(covered_by_id__in=taking_part)
        .select_related("covered_by")
    )
    colleagues: dict[int, User] = {}
    for cover in covers:
        if cover.covered_by is not None:
            colleagues[cover.covered_by.pk] = cover.covered_by
    return list(colleagues.values())


class SendingLimitError(ValidationError):
    """Too many messages in the last hour: the view answers 429 and keeps the typed text."""


@dataclass(frozen=True)
class _SenderFacts:
    stored_id: int | None  # the message already stored under this client key, if any
    sent_last_hour: int


def _sender_facts(sender: User, client_key: uuid.UUID, now: datetime) -> _SenderFacts:
    """One indexed query: the message a retry already stored, and how many the sender sent in
    the last hour (for the rate limit), so the limit costs a send nothing extra."""
    since = now - timedelta(hours=1)
    # Only the rows either index finds (sender + key, sender + time), not all of a busy
    # provider's messages.
    facts = (
        Message.objects.filter(sender=sender)
        .filter(Q(client_key=client_key) | Q(created_at__gte=since))
        .aggregate(
            stored=Max("pk", filter=Q(client_key=client_key)),
            recent=Count("pk", filter=Q(created_at__gte=since)),
        )
    )
    return _SenderFacts(stored_id=facts["stored"], sent_last_hour=facts["recent"])


def _check_sending_rate(facts: _SenderFacts) -> None:
    """Refuse a message past ``TANDEM_MESSAGES_PER_HOUR`` in the last hour: a stolen session
    or a runaway script must not flood someone's care team."""
    limit = settings.TANDEM_MESSAGES_PER_HOUR
    if facts.sent_last_hour >= limit:
        raise SendingLimitError(
            {
                "body": _(
                    "You have sent %(n)s messages in the last hour. Please wait a little before "
                    "sending more; your message is still here."
                )
                % {"n": limit}
            }
        )


@transaction.atomic
def send_message(
    *,
    sender: User,
    thread: Thread,
    body: str,
    client_key: uuid.UUID,
    checked: access.ThreadAccess | None = None,
) -> SendResult:
    """Store a message once per ``client_key``, update who is waiting, notify the others.

    Raise PermissionDenied when ``sender`` may not write in ``thread`` and ValidationError for
    an empty or over-long body. ``checked`` is the thread gate's answer for this sender and
    thread (``access.get_thread_access_for_user``): it already says whether they may write, so
    that is not asked again. A key used before returns the stored message (created=False).
    In a thread of another kind, the sender joins it by writing, the kind names the
    notification and hears about the new message (``ThreadKind.message_sent``).
    """
    now = timezone.now()
    facts = _sender_facts(sender, client_key, now)
    if facts.stored_id is not None:
        return SendResult(message=Message.objects.get(pk=facts.stored_id), created=False)
    if checked is None:
        access.check_can_post_in_thread(sender, thread)
    elif checked.user.pk != sender.pk or checked.thread.pk != thread.pk:
        raise ValueError("The thread access given is for another sender or thread.")
    elif checked.refusal is not None:
        raise checked.refusal
    _check_sending_rate(facts)
    message = Message(
        thread=thread, sender=sender, body=body, client_key=client_key, created_at=now
    )
    if not body.strip():
        raise ValidationError({"body": _("Write a message before sending.")})
    message.full_clean(exclude=["thread", "sender"])
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        # Two submits raced past the first check: the other one stored it.
        existing = _existing(sender, client_key)
        if existing is None:
            raise
        return SendResult(message=existing, created=False)

    side = Side.SERVICE_USER if thread.service_user_id == sender.pk else Side.CARE_TEAM
    other = Side.CARE_TEAM if side == Side.SERVICE_USER else Side.SERVICE_USER
    kind = kinds.get_kind(thread.kind)
    if kind is not None:
        # Whoever writes in a thread of another kind takes part from then on: their unread
        # count, notifications and live events include it.
        Participant.objects.get_or_create(thread=thread, user=sender, defaults={"side": side})
        kind.message_sent(message)
    # Research: a care team's reply carries how long the service user had waited (core.usage).
    replying = kind is None and thread.waiting_for == side == Side.CARE_TEAM
    usage.record(
        sender.pk,
        usage.Module.MESSAGING,
        usage.Action.MESSAGE_SENT,
        waited_since=thread.waiting_since if replying else None,
        about_user_id=thread.service_user_id,
    )
    fields = ["last_message_at"]
    thread.last_message_at = now
    if thread.waiting_for != other:
        thread.waiting_for, thread.waiting_since = other, now
        fields += ["waiting_for", "waiting_since"]
    thread.save(update_fields=fields)
    # The sender has read their own message; a covering colleague has no participant row.
    Participant.objects.filter(thread=thread, user=sender).update(last_read_message_id=message.pk)

    recipients = list(
        Participant.objects.filter(thread=thread).exclude(user=sender).select_related("user")
    )
    # Registered before the notifications so that, after commit, the live event goes out
    # first and the email task's own write does not delay delivery to open threads.
    events.publish_thread_changed(
        thread_id=thread.pk, message_id=message.pk, user_ids=[p.user_id for p in recipients]
    )
    if kind is None:
        people = [p.user for p in recipients] + _covering_colleagues(thread, sender, recipients)
    else:
        # Someone may have lost the right to read since joining (a moderator's role ended).
        people = [p.user for p in recipients if access.may_read(p.user, thread)]
    already_told = set(
        Notification.objects.filter(
            recipient__in=people,
            kind=NOTIFICATION_KIND,
            scope_type=THREAD_SCOPE,
            scope_id=thread.pk,
            read_at__isnull=True,
        ).values_list("recipient_id", flat=True)
    )
    for person in people:
        if person.pk in already_told or not person.is_active:
            continue
        # In the portal only; the email that may follow says nothing but "something new".
        notify(
            recipient=person,
            kind=NOTIFICATION_KIND,
            title=_("New message from %(name)s") % {"name": sender.get_full_name()}
            if kind is None
            else kind.notification_title(thread, sender, person),
            url=f"/messages/{thread.pk}/",
            actor=sender,
            scope_type=THREAD_SCOPE,
            scope_id=thread.pk,
        )
    return SendResult(message=message, created=True)
