"""Every change in messaging: start a thread, send, edit, withdraw, read, be away; open and
close threads of other kinds (``messaging.kinds``).

Each write happens in one transaction; live events and notifications are queued with
``transaction.on_commit``, so they are sent only for what was stored.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.access import is_verified_provider
from tandem.accounts.models import User
from tandem.care.models import CareRelationship, RelationshipStatus
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


@transaction.atomic
def start_thread(
    *,
    author: User,
    subject: str,
    body: str,
    client_key: uuid.UUID,
    providers: list[User] | None = None,
    service_user: User | None = None,
) -> SendResult:
    """Start a conversation with its first message.

    A service user writes to one or more providers of their active care team (``providers``);
    a verified provider writes to one person they have an active relationship with
    (``service_user``). Raise PermissionDenied for anyone else. A used ``client_key`` returns
    the message it already stored.
    """
    existing = _existing(author, client_key)
    if existing is not None:
        return SendResult(message=existing, created=False)
    if service_user is None:
        team = set(
            CareRelationship.objects.filter(
                service_user=author, status=RelationshipStatus.ACTIVE
            ).values_list("provider_id", flat=True)
        )
        chosen = providers or []
        if not chosen or any(p.pk not in team for p in chosen):
            raise PermissionDenied(_("You can only write to providers in your care team."))
        owner, care_team = author, chosen
    else:
        if (
            not is_verified_provider(author)
            or not CareRelationship.objects.filter(
                provider=author, service_user=service_user, status=RelationshipStatus.ACTIVE
            ).exists()
        ):
            raise PermissionDenied(_("You can only write to people in your caseload."))
        owner, care_team = service_user, [author]
    thread = Thread(service_user=owner, subject=subject, started_by=author)
    thread.full_clean()
    thread.save()
    Participant.objects.create(thread=thread, user=owner, side=Side.SERVICE_USER)
    Participant.objects.bulk_create(
        [Participant(thread=thread, user=p, side=Side.CARE_TEAM) for p in care_team]
    )
    return send_message(sender=author, thread=thread, body=body, client_key=client_key)


@transaction.atomic
def open_thread(
    *, kind: str, context_id: int, service_user: User, subject: str, started_by: User
) -> Thread:
    """The thread of ``kind`` about ``context_id`` (there is one each), opened with
    ``service_user`` as its owner and first participant when there is none yet.

    Who may write in it is for the kind to say when someone sends; whoever writes joins it.
    """
    if kinds.get_kind(kind) is None:
        raise ValueError(f"No thread kind {kind!r} is registered.")
    existing = Thread.objects.filter(kind=kind, context_id=context_id).first()
    if existing is not None:
        return existing
    thread = Thread(
        kind=kind,
        context_id=context_id,
        service_user=service_user,
        subject=subject,
        started_by=started_by,
    )
    thread.full_clean()
    try:
        with transaction.atomic():
            thread.save()
    except IntegrityError:
        # Two moderators (or two clicks) opened it at once: the other one stored it.
        return Thread.objects.get(kind=kind, context_id=context_id)
    Participant.objects.create(thread=thread, user=service_user, side=Side.SERVICE_USER)
    return thread


@transaction.atomic
def close_thread(*, thread: Thread) -> Thread:
    """Close ``thread``: it stays readable and nobody writes in it any more. Open pages are
    told at once (after commit). Closing a closed thread changes nothing."""
    updated = Thread.objects.filter(pk=thread.pk, closed_at__isnull=True).update(
        closed_at=timezone.now()
    )
    thread.refresh_from_db(fields=["closed_at"])
    if updated:
        events.publish_thread_closed(thread_id=thread.pk)
    return thread


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


@transaction.atomic
def set_away(*, provider: User, away_until: datetime, covered_by: User | None) -> ProviderAway:
    """Mark ``provider`` away until ``away_until``, optionally covered by a colleague who is a
    verified provider of the same organisation. Raise ValidationError otherwise."""
    if not is_verified_provider(provider):
        raise PermissionDenied(_("Only verified care providers can set an absence."))
    if away_until <= timezone.now():
        raise ValidationError({"away_until": _("Choose a time in the future.")})
    if covered_by is not None and (
        covered_by.pk == provider.pk or not is_verified_provider(covered_by)
    ):
        raise ValidationError({"covered_by": _("Choose a colleague who is a care provider.")})
    away, _created = ProviderAway.objects.update_or_create(
        provider=provider, defaults={"away_until": away_until, "covered_by": covered_by}
    )
    return away


@transaction.atomic
def clear_away(*, provider: User) -> None:
    ProviderAway.objects.filter(provider=provider).delete()
