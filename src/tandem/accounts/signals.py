"""Login bookkeeping for the session timeouts (see SessionTimeoutMiddleware)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import Signal, receiver
from django.http import HttpRequest
from django.utils import timezone

from tandem.accounts.middleware import LOGIN_AT_KEY, SEEN_AT_KEY

# Sent (with ``user``) when sessions of a person were ended other than by their own logout:
# "log out everywhere", a switched-off account. Live sockets listen so they close at once.
sessions_ended = Signal()


@receiver(user_logged_in)
def start_session_clock(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = timezone.now().isoformat()
        request.session[LOGIN_AT_KEY] = now
        request.session[SEEN_AT_KEY] = now
