"""Finding, opening and closing the moderation thread of a review item."""

from __future__ import annotations

import uuid

from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.forum.models import Post
from tandem.messaging import services as messaging_services
from tandem.messaging.models import Thread
from tandem.moderation.models import ItemState, ReviewItem

KIND = "moderation"
# Messages moved from the old one-way ``ModeratorMessage`` (migration 0004) carry a client key
# derived from their old id, so old notification links (/moderation/messages/<id>/) still
# find them.
LEGACY_NAMESPACE = uuid.UUID("0b0f5b9e-3c55-4a51-9d4c-6f8a1d3e2c71")


def legacy_client_key(message_id: int) -> uuid.UUID:
    """The client key of the message moved from ``ModeratorMessage`` ``message_id``."""
    return uuid.uuid5(LEGACY_NAMESPACE, f"moderation.ModeratorMessage:{message_id}")


def thread_for_item(item: ReviewItem) -> Thread | None:
    """The item's conversation with its author, if a moderator has started one."""
    return Thread.objects.filter(kind=KIND, context_id=item.pk).first()


def latest_thread_for_post(author: User, post: Post) -> Thread | None:
    """The newest conversation about ``post`` (one per review of it) with its author."""
    return (
        Thread.objects.filter(
            kind=KIND,
            service_user=author,
            context_id__in=ReviewItem.objects.filter(post=post).values("pk"),
        )
        .order_by("-pk")
        .first()
    )


def cannot_start_reason(item: ReviewItem) -> str:
    """Why nobody can start a conversation about ``item`` now ("" while it is under review):
    a conversation lasts as long as the review."""
    if item.state == ItemState.OPEN:
        return ""
    return _(
        "This review is resolved. Conversations with the author happen while their post is "
        "being reviewed."
    )


def open_thread_for_item(item: ReviewItem, *, moderator: User) -> Thread:
    """The item's conversation, opened now when there is none (the caller has checked that
    ``moderator`` moderates the item's community)."""
    return messaging_services.open_thread(
        kind=KIND,
        context_id=item.pk,
        service_user=item.post.author,
        subject=_("About a post in %(community)s") % {"community": item.community.name},
        started_by=moderator,
    )


def close_outreach_for_item(item: ReviewItem) -> None:
    """Close the item's conversation, if there is one: called when a moderator resolves the
    item (approve, hide, edit). Both sides can still read it; nobody can write."""
    thread = thread_for_item(item)
    if thread is not None:
        messaging_services.close_thread(thread=thread)
