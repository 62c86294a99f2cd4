"""Who may read a thread, write in it, and change a message.

A service user reads and writes in their own threads. A provider reads the threads they take
part in, and writes only while their care relationship with the service user is active and
they are a verified provider; when it ends, the thread stays readable but read-only for them.
A colleague covering for an away provider reads and writes in that provider's threads while
the cover lasts, if they too are in the service user's care team (an active relationship).
Anyone else gets a 404: "missing" and "not yours" look the same.

Threads of another kind follow the rules their app registered (``messaging.kinds``); a closed
thread of any kind stays readable and nobody writes in it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.access import is_verified_provider
from tandem.accounts.models import User
from tandem.care.access import record_access, refuse
from tandem.care.models import AccessedData, CareRelationship, Outcome, RelationshipStatus
from tandem.messaging import kinds
from tandem.messaging.models import Message, Participant, ProviderAway, Side, Thread


def covered_provider_ids(user: User) -> list[int]:
    """Providers ``user`` is covering for right now (one query)."""
    return list(
        ProviderAway.objects.filter(covered_by=user, away_until__gt=timezone.now()).values_list(
            "provider_id", flat=True
        )
    )


@dataclass(frozen=True)
class ThreadAccess:
    """What ``get_thread_access_for_user`` decided: the thread ``user`` may read, and why they
    cannot write in it now ("" when they can). Sending and the thread page use it rather than
    asking again."""

    user: User
    thread: Thread
    # Why ``user`` may not write now, as ``check_can_post_in_thread`` would raise it; None
    # when they may.
    refusal: PermissionDenied | None

    @property
    def may_write(self) -> bool:
        return self.refusal is None

    @property
    def read_only_reason(self) -> str:
        return str(self.refusal) if self.refusal is not None else ""


def get_thread_for_user(user: User | AnonymousUser, thread_id: int) -> Thread:
    """Return the thread if ``user`` may read it, else raise Http404.

    The service user may read their own threads; a provider the threads they take part in
    (also after the relationship ended: read-only), and the threads of a provider they are
    covering for while they hold an active relationship with the service user. Threads of
    another kind: as that kind says. A refusal is recorded as a security event
    (``care.access.record_access``).
    """
    if not user.is_authenticated or not user.is_active:
        raise Http404
    thread = Thread.objects.filter(pk=thread_id).select_related("service_user").first()
    if thread is None:
        raise refuse(user, None, AccessedData.MESSAGES)
    if not may_read(user, thread):
        raise refuse(user, thread.service_user_id, AccessedData.MESSAGES)
    return thread


def get_thread_access_for_user(user: User | AnonymousUser, thread_id: int) -> ThreadAccess:
    """``get_thread_for_user``, and whether ``user`` may write in the thread now: for the reply,
    which sends with this answer (``services.send_message(..., checked=...)``)."""
    thread = get_thread_for_user(user, thread_id)
    assert isinstance(user, User)  # noqa: S101 - the gate refuses visitors
    try:
        # The gate has just seen that ``user`` may read it: only the writing rules are left.
        _check_can_post(user, thread, readable=True)
    except PermissionDenied as refusal:
        return ThreadAccess(user=user, thread=thread, refusal=refusal)
    return ThreadAccess(user=user, thread=thread, refusal=None)


def read_thread_for_user(user: User | AnonymousUser, thread_id: int) -> ThreadAccess:
    """``get_thread_access_for_user`` for the thread page, which shows the messages: a care team
    member's read of a care thread is written to the service user's access log.

    The gate alone serves the live socket and the reply, edit and withdraw actions, which
    follow a page read already recorded; recording each frame would bury the log. Threads of
    another kind are left to their app's own audit: the access log names the reader, and a
    moderator acts under a pseudonym.
    """
    seen = get_thread_access_for_user(user, thread_id)
    if seen.thread.kind == kinds.CARE:
        record_access(user, seen.thread.service_user_id, AccessedData.MESSAGES, Outcome.ALLOWED)
    return seen


def may_read(user: User | AnonymousUser, thread: Thread) -> bool:
    """True when ``user`` may read ``thread`` (the rule of ``get_thread_for_user``)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if thread.kind != kinds.CARE:
        kind = kinds.get_kind(thread.kind)
        assert isinstance(user, User)  # noqa: S101 - authenticated above
        return kind is not None and kind.may_read(user, thread)
    return _may_read_care(user, thread)


def _may_read_care(user: User | AnonymousUser, thread: Thread) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if thread.service_user_id == user.pk:
        return True
    assert isinstance(user, User)  # noqa: S101 - authenticated above
    member_ids = set(
        Participant.objects.filter(thread=thread, side=Side.CARE_TEAM).values_list(
            "user_id", flat=True
        )
    )
    if user.pk in member_ids:
        return True
    return bool(member_ids & set(covered_provider_ids(user))) and _has_active_relationship(
        user, thread
    )


def is_participant(user: User, thread: Thread) -> bool:
    """True for the thread's service user and its care team; False for a covering colleague."""
    return thread.service_user_id == user.pk or (
        Participant.objects.filter(thread=thread, user=user).exists()
    )


def _has_active_relationship(provider: User, thread: Thread) -> bool:
    return CareRelationship.objects.filter(
        provider=provider, service_user_id=thread.service_user_id, status=RelationshipStatus.ACTIVE
    ).exists()


def active_providers_of_thread(thread: Thread) -> list[int]:
    """Providers in the thread whose relationship with its service user is active now."""
    return list(
        Participant.objects.filter(
            thread=thread,
            side=Side.CARE_TEAM,
            user__caseload__service_user_id=thread.service_user_id,
            user__caseload__status=RelationshipStatus.ACTIVE,
        ).values_list("user_id", flat=True)
    )


def check_can_post_in_thread(user: User, thread: Thread) -> None:
    """Raise PermissionDenied unless ``user`` may write in ``thread`` (which they may read).

    The service user may write while at least one provider of the thread is still in their care
    team. A provider must be verified and hold an active relationship with the service user.
    Nobody writes in a closed thread; threads of another kind follow that kind's rules.
    """
    _check_can_post(user, thread, readable=False)


def _check_can_post(user: User, thread: Thread, *, readable: bool) -> None:
    """The rule of ``check_can_post_in_thread``; ``readable`` when a gate has just checked
    that ``user`` may read ``thread``, so that check is not made twice."""
    if thread.kind != kinds.CARE:
        kind = kinds.get_kind(thread.kind)
        if kind is None or not (readable or kind.may_read(user, thread)):
            raise PermissionDenied(_("You cannot write in this conversation."))
        if thread.closed_at is not None:
            raise PermissionDenied(kind.closed_reason(user, thread))
        kind.check_can_post(user, thread)
        return
    if thread.closed_at is not None:
        raise PermissionDenied(_("This conversation is closed. You can still read it."))
    if thread.service_user_id == user.pk:
        if not active_providers_of_thread(thread):
            raise PermissionDenied(
                _("Nobody in this conversation is in your care team any more, so it is closed.")
            )
        return
    if not (readable or _may_read_care(user, thread)):
        raise PermissionDenied(_("You cannot write in this conversation."))
    if not is_verified_provider(user) or not _has_active_relationship(user, thread):
        raise PermissionDenied(
            _("Your care relationship with this person has ended: this conversation is read-only.")
        )


def get_message_for_sender(user: User, thread: Thread, message_id: int) -> Message:
    """Return ``user``'s own message in ``thread``, else raise Http404."""
    message = Message.objects.filter(pk=message_id, thread=thread, sender=user).first()
    if message is None:
        raise Http404
    return message


def check_can_change_message(user: User, message: Message) -> None:
    """Raise PermissionDenied unless ``user`` sent ``message`` less than five minutes ago, has
    not withdrawn it, nobody has answered it, and ``user`` may still write in its thread."""
    if message.sender_id != user.pk:
        raise PermissionDenied(_("You can only change your own messages."))
    if message.withdrawn_at is not None:
        raise PermissionDenied(_("This message has been withdrawn."))
    if (
        Message.objects.filter(thread_id=message.thread_id, pk__gt=message.pk)
        .exclude(sender_id=message.sender_id)
        .exists()
    ):
        # The reply answered what this message said; changing it would change the question.
        raise PermissionDenied(
            _(
                "This message has been answered, so it can no longer be changed or withdrawn. "
                "Write a new message to add or correct something."
            )
        )
    if not message.is_changeable():
        raise PermissionDenied(
            _(
                "Messages can be changed or withdrawn for 5 minutes after sending. That time has passed."
            )
        )
    check_can_post_in_thread(user, message.thread)


def read_only_reason(user: User, thread: Thread) -> str:
    """Why ``user`` cannot write in ``thread`` now ("" when they can)."""
    try:
        check_can_post_in_thread(user, thread)
    except PermissionDenied as denied:
        return str(denied)
    return ""
