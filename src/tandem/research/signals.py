"""Signing in counts as using the portal: recorded from Django's own ``user_logged_in``, so
no sign-in path (password, passkey, two-step) can be missed. Signing in is also when the
session learns whether the person takes part in a study (``core.usage.set_taking_part``), so
their pages cost research nothing when they do not."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tandem.core.usage import Action, Module, record, set_taking_part
from tandem.research.selectors import takes_part


def record_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        set_taking_part(request, user.pk, takes_part(user))
    record(user.pk, Module.PORTAL, Action.LOGIN)
