"""Signing in counts as using the portal: recorded from Django's own ``user_logged_in``, so
no sign-in path (password, passkey, two-step) can be missed."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tandem.core.usage import Action, Module, record


def record_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    record(user.pk, Module.PORTAL, Action.LOGIN)
