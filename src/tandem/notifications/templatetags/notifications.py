from __future__ import annotations

from typing import Any

from django import template

from tandem.accounts.models import User
from tandem.notifications.selectors import unread_count_for_user

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notification_count(context: dict[str, Any]) -> int:
    """The nav's unread count: one query, only on pages that show the nav."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return 0
    return unread_count_for_user(user)
