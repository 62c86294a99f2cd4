from __future__ import annotations

from typing import Any

from django import template

from tandem.accounts.models import User
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
