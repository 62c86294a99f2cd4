"""The conversation as the review page and the outcome page show it.

Opening either page reads the conversation, so, as opening it under /messages/ does, these
move the reader's read mark to the newest message shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.urls import reverse

from tandem.accounts.models import User
from tandem.forum.models import Post
from tandem.messaging import access as messaging_access
from tandem.messaging import selectors as messaging_selectors
from tandem.messaging import services as messaging_services
from tandem.messaging.forms import MessageForm
from tandem.messaging.models import Thread
from tandem.messaging.selectors import ThreadPage
from tandem.moderation.access import ItemAccess
from tandem.moderation.forms import ReachOutForm
from tandem.moderation.models import ItemState, ReviewItem
from tandem.moderation.outreach.kind import panel_context
from tandem.moderation.outreach.threads import (
    cannot_start_reason,
    latest_thread_for_post,
    thread_for_item,
)


@dataclass(frozen=True)
class Conversation:
    """One side's view of a review item's conversation (``thread`` None: not started)."""

    thread: Thread | None
    page: ThreadPage | None
    is_author: bool
    # Why this person cannot write now ("" when they can).
    read_only_reason: str
    form: forms.Form
    # Where the form posts, and (for the author's form, posted to messaging) where to return.
    action: str
    back_to: str = ""
    panel: dict[str, Any] = field(default_factory=dict)
    # For the author without a conversation: their post is still being reviewed.
    under_review: bool = False

    @property
    def closed(self) -> bool:
        return self.thread is not None and self.thread.closed_at is not None

    @property
    def can_write(self) -> bool:
        return not self.read_only_reason


def _read(user: User, thread: Thread) -> ThreadPage:
    page = messaging_selectors.thread_page(user, thread)
    messaging_services.mark_thread_read(user=user, thread=thread, up_to=page.last_id)
    return page


def open_for_moderator(
    user: User, found: ItemAccess, *, form: forms.Form | None = None
) -> Conversation | None:
    """The item's conversation for a moderator of its community (as the gate decided); None
    for an organisation admin, who may not read it."""
    if not found.staff.is_moderator:
        return None
    item = found.item
    thread = thread_for_item(item)
    if thread is not None:
        reason = messaging_access.read_only_reason(user, thread)
    else:
        reason = cannot_start_reason(item)
    return Conversation(
        thread=thread,
        page=_read(user, thread) if thread is not None else None,
        is_author=False,
        read_only_reason=reason,
        form=form or ReachOutForm(),
        action=reverse("moderation:item-reach-out", kwargs={"item_id": item.pk}),
        panel=panel_context(user, is_author=False, community=item.community.name),
    )


def open_for_author(user: User, post: Post) -> Conversation:
    """The newest conversation about ``post`` for its author (the gate has checked they wrote
    it); without one, whether a moderator may still start one (the post is under review)."""
    thread = latest_thread_for_post(user, post)
    under_review = (
        thread is None and ReviewItem.objects.filter(post=post, state=ItemState.OPEN).exists()
    )
    return Conversation(
        thread=thread,
        page=_read(user, thread) if thread is not None else None,
        is_author=True,
        read_only_reason=messaging_access.read_only_reason(user, thread)
        if thread is not None
        else "",
        form=MessageForm(),
        action=reverse("messaging:message-create", kwargs={"thread_id": thread.pk})
        if thread is not None
        else "",
        back_to=reverse("moderation:post-outcome", kwargs={"post_id": post.pk}),
        panel=panel_context(user, is_author=True, community=post.topic.community.name),
        under_review=under_review,
    )
