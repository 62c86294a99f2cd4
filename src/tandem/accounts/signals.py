"""Login bookkeeping for the session timeouts (see SessionTimeoutMiddleware)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from tandem.accounts.middleware import LOGIN_AT_KEY, SEEN_AT_KEY


@receiver(user_logged_in)
def start_session_clock(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = timezone.now().isoformat()
        request.session[LOGIN_AT_KEY] = now
        request.session[SEEN_AT_KEY] = now
