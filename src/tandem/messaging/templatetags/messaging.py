from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from tandem.accounts.models import User
from tandem.messaging import kinds
from tandem.messaging.models import Participant, Thread
from tandem.messaging.selectors import unread_message_count
from tandem.messaging.views import websocket_url

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_message_count_for_nav(context: dict[str, Any]) -> int:
    """The nav's count of unread messages: one query, only on pages that show the nav."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return 0
    return unread_message_count(user)


@register.simple_tag
def messaging_websocket_url() -> str:
    return websocket_url()


def _viewer(context: Any) -> User | None:
    user = context.get("user")
    if not isinstance(user, User):
        request = context.get("request")
        user = getattr(request, "user", None)
    return user if isinstance(user, User) else None


@register.simple_tag(takes_context=True)
def display_name(context: Any, person: User | None, thread: Thread) -> str:
    """How ``person`` is named to the person reading the page, as the thread's kind says (the
    full name in care threads, a pseudonym in moderation threads)."""
    viewer = _viewer(context)
    if viewer is None:
        return ""
    return kinds.display_name(person, thread, viewer)


@register.simple_tag(takes_context=True)
def waiting_for_name(context: Any, thread: Thread) -> str:
    """Whom a thread of another kind waits for, as its kind tells the reader ("" for nothing)."""
    viewer = _viewer(context)
    kind = kinds.get_kind(thread.kind)
    if viewer is None or kind is None or not thread.waiting_since:
        return ""
    return kind.waiting_for_name(thread, viewer)


@register.filter
def others(participants: Iterable[Participant], viewer: User) -> list[Participant]:
    """The participants other than the reader, so a list joined with commas has none
    dangling where the reader was left out."""
    return [p for p in participants if p.user_id != viewer.pk]
