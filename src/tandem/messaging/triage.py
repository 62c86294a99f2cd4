"""What the provider's caseload shows about messages (registered with ``care.triage`` in
``MessagingConfig.ready``): per person, unread messages, the oldest message waiting for the care
team, and the last contact. Read-only, and only the provider's own care threads: the threads
they take part in, with people the caller passes (their active caseload).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, F, Max, OuterRef, Q, Subquery
from django.urls import reverse

from tandem.accounts.models import User
from tandem.care.triage import MessageFacts, MessageSource
from tandem.messaging import kinds
from tandem.messaging.models import Message, Participant, Side, Thread


def facts_for_provider(provider: User, owner_ids: list[int]) -> dict[int, MessageFacts]:
    """``MessageFacts`` per person in ``owner_ids`` who has a care thread with ``provider``
    (two queries, whatever the number of people or messages)."""
    mine = Participant.objects.filter(
        user=provider,
        side=Side.CARE_TEAM,
        thread__kind=kinds.CARE,
        thread__service_user_id__in=owner_ids,
    ).values("thread_id")
    last_read = Participant.objects.filter(thread=OuterRef("thread"), user=provider).values(
        "last_read_message_id"
    )[:1]
    # Unread (newer than the provider has read, from someone else) and the last contact
    # between the two (the provider's messages and the person's, not colleagues'), per person
    # in one pass over the provider's threads with them.
    counted = (
        Message.objects.filter(thread_id__in=mine, withdrawn_at__isnull=True)
        .order_by()
        .values("thread__service_user_id")
        .annotate(
            unread=Count(
                "pk",
                filter=Q(pk__gt=Subquery(last_read))
                & (Q(sender__isnull=True) | ~Q(sender_id=provider.pk)),
            ),
            last=Max(
                "created_at",
                filter=Q(sender_id=provider.pk) | Q(sender_id=F("thread__service_user_id")),
            ),
        )
    )
    unread: dict[int, int] = {}
    last_contact: dict[int, datetime] = {}
    for row in counted:
        owner_id = row["thread__service_user_id"]
        if row["unread"]:
            unread[owner_id] = row["unread"]
        if row["last"] is not None:
            last_contact[owner_id] = row["last"]
    waiting: dict[int, tuple[int, datetime]] = {}
    threads = (
        Thread.objects.filter(pk__in=mine, waiting_for=Side.CARE_TEAM, closed_at__isnull=True)
        .exclude(waiting_since=None)
        .order_by("-waiting_since", "-pk")
        .values_list("service_user_id", "pk", "waiting_since")
    )
    for owner_id, thread_id, since in threads:
        if since is not None:  # excluded above; the column allows it
            waiting[owner_id] = (thread_id, since)  # newest first: the oldest is kept
    facts = {}
    for owner_id in set(unread) | set(waiting) | set(last_contact):
        oldest = waiting.get(owner_id)
        facts[owner_id] = MessageFacts(
            unread=unread.get(owner_id, 0),
            waiting_since=oldest[1] if oldest else None,
            waiting_url=reverse("messaging:thread-detail", kwargs={"thread_id": oldest[0]})
            if oldest
            else "",
            last_contact_at=last_contact.get(owner_id),
        )
    return facts


def new_message_url(owner_id: int) -> str:
    """The form that starts a conversation, with the person already chosen."""
    return f"{reverse('messaging:thread-create')}?service_user={owner_id}"


SOURCE = MessageSource(name="messaging", facts=facts_for_provider, new_message_url=new_message_url)
