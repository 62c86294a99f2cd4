"""Reads for the live socket, always for the person behind it.

The socket has passed the thread gate on subscribe (and knows the thread's kind); each read
here repeats the cheapest form of that gate in the same query, so a socket never outlives its
right to read. In a care thread that is "the service user or a participant" (and, for a
covering colleague's socket, a participant they cover for); in a thread of another kind, the
kind's ``readable_ids``.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from tandem.accounts.models import User
from tandem.messaging import kinds
from tandem.messaging.access import covered_provider_ids
from tandem.messaging.models import Message, Participant, Thread


def readable(user: User, kind: str, *, covered: list[int] | None = None) -> Q:
    """A filter on messages keeping those of threads of ``kind`` that ``user`` may read (in a
    care thread, also those of the providers in ``covered``, whom ``user`` covers for)."""
    if kind != kinds.CARE:
        registered = kinds.get_kind(kind)
        if registered is None:
            return Q(pk__in=[])
        return Q(thread__kind=kind, thread_id__in=registered.readable_ids(user))
    mine = Q(thread__service_user=user) | Q(thread__participants__user=user)
    if covered:
        mine |= Q(thread__participants__user_id__in=covered)
    return Q(thread__kind=kinds.CARE) & mine


def messages_for_socket(
    user: User,
    thread_id: int,
    *,
    after: int,
    covering: bool = False,
    kind: str = kinds.CARE,
    limit: int = 200,
) -> list[Message]:
    """Messages of a thread of ``kind`` that ``user`` may read, newer than ``after``."""
    # The cover costs one more query: only for a socket that passed the gate as a colleague.
    covered = covered_provider_ids(user) if covering and kind == kinds.CARE else None
    return list(
        Message.objects.filter(
            readable(user, kind, covered=covered), thread_id=thread_id, pk__gt=after
        )
        .select_related("sender")
        .distinct()
        .order_by("pk")[:limit]
    )


def messages_after(thread_id: int, *, after: int, limit: int = 200) -> list[Message]:
    """Messages of a thread newer than ``after``, for whoever may read the thread (the live
    socket checks each reader against ``thread_reader_ids``; one query)."""
    return list(
        Message.objects.filter(thread_id=thread_id, pk__gt=after)
        .select_related("sender")
        .order_by("pk")[:limit]
    )


def thread_reader_ids(thread_id: int) -> set[int]:
    """Who reads a care thread as of right: its service user and its participants (one query).

    The same rule as ``messages_for_socket`` without cover, which the socket handles itself.
    Empty for a thread of another kind, where a participant row alone proves nothing (the
    socket then does its own read, with that kind's rule).
    """
    rows = Participant.objects.filter(thread_id=thread_id, thread__kind=kinds.CARE).values_list(
        "user_id", "thread__service_user_id"
    )
    readers: set[int] = set()
    for user_id, service_user_id in rows:
        readers.update((user_id, service_user_id))
    if not readers:
        service_user = Thread.objects.filter(pk=thread_id, kind=kinds.CARE).values_list(
            "service_user_id", flat=True
        )
        readers.update(service_user)
    return readers


def changed_message_ids(
    user: User, thread_id: int, *, since: datetime, up_to: int, kind: str = kinds.CARE
) -> list[int]:
    """Ids of messages up to ``up_to`` edited or withdrawn after ``since`` (for the poll)."""
    return list(
        Message.objects.filter(readable(user, kind), thread_id=thread_id, pk__lte=up_to)
        .filter(Q(edited_at__gt=since) | Q(withdrawn_at__gt=since))
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def messages_by_id(
    user: User, thread_id: int, message_ids: list[int], *, kind: str = kinds.CARE
) -> list[Message]:
    """Given messages of a thread ``user`` may read (for live edits and withdrawals)."""
    covered = covered_provider_ids(user) if kind == kinds.CARE else None
    return list(
        Message.objects.filter(
            readable(user, kind, covered=covered), thread_id=thread_id, pk__in=message_ids
        )
        .select_related("sender")
        .distinct()
        .order_by("pk")
    )
