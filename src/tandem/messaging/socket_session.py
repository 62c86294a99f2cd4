"""The session behind a live socket: a socket lasts no longer than the session it was opened
with (logout, "log out everywhere", a password change, a switched-off account, the idle or
absolute time limit), and closes when the person's roles require two-step verification they
have not set up."""

from __future__ import annotations

from datetime import datetime
from importlib import import_module
from typing import Any

from channels.auth import get_user
from channels.db import database_sync_to_async
from django.conf import settings
from django.utils import timezone

from tandem.accounts.access import must_set_up_two_step
from tandem.accounts.middleware import session_time_limits
from tandem.accounts.models import User
from tandem.accounts.selectors import role_summary_for_user

CLOSE_UNAUTHENTICATED = 4401
CLOSE_TWO_STEP_REQUIRED = 4403
# The session's time limit has passed and the database cannot say whether the person was
# active meanwhile: closed all the same; the browser reconnects, and the new socket's session
# check decides.
CLOSE_UNVERIFIED = 4503


async def session_state(user: User, session_key: str | None) -> tuple[int | None, datetime | None]:
    """(close code or None, when the session times out next) for a socket of ``user`` opened
    with the session ``session_key``."""
    if session_key is None:
        return CLOSE_UNAUTHENTICATED, None
    store = await database_sync_to_async(_load_session)(session_key)
    # Channels' own check: the session names this user and its auth hash still matches
    # (a password change or "log out everywhere" ends it).
    current = await get_user({"session": store})
    if not isinstance(current, User) or current.pk != user.pk or not current.is_active:
        return CLOSE_UNAUTHENTICATED, None
    state: tuple[int | None, datetime | None] = await database_sync_to_async(_session_limits)(
        current, store
    )
    return state


def _load_session(session_key: str) -> Any:
    # The store class is whatever SESSION_ENGINE names, loaded the way Django's own
    # SessionMiddleware loads it (and as its docs show for "using sessions out of views"): the
    # socket must read the very session the pages wrote, whichever engine the settings choose.
    engine = import_module(settings.SESSION_ENGINE)
    store = engine.SessionStore(session_key=session_key)
    store.load()
    return store


def _session_limits(user: User, store: Any) -> tuple[int | None, datetime | None]:
    passed, deadline = session_time_limits(store, timezone.now())
    if passed is not None:
        return CLOSE_UNAUTHENTICATED, None
    if must_set_up_two_step(user, needs_mfa=role_summary_for_user(user).needs_mfa):
        return CLOSE_TWO_STEP_REQUIRED, None
    return None, deadline
