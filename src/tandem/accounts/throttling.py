"""Login throttling: what is counted, under which key, and how long a person waits.

Nothing here is keyed on an address alone: a ward, a library or a mobile carrier puts many
people behind one address, and one person's (or one attacker's) wrong guesses must not stop
the others. Three counters (docs/security-throttling.md):

- Wrong passwords for an account from one address: django-axes locks that pair
  (``AXES_LOCKOUT_PARAMETERS``); this module only tells Axes who and where (``axes_username``,
  ``client_ip``).
- Wrong passwords for an account from anywhere: a growing delay between attempts
  (``login_wait_seconds``), so a guesser spread over many addresses is slowed to a crawl while
  the person waits minutes at worst, and not at all from an address they have logged in from.
- Wrong two-step codes for an account (by user id, so a new session does not reset them):
  a lock that grows with each repeat (``record_wrong_code``). Codes wrong within one login
  attempt are counted by the form, in ``tandem.accounts.mfa_forms``.

State lives in the default cache, which every worker shares (the database cache, or Redis).
Reading and writing a count are two steps, so requests racing in parallel can each get one
more try than the limit: a few guesses, never an unbounded number.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, TypedDict

from axes.models import AccessLog
from axes.utils import reset as reset_axes_attempts
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

# An address the account logged in from within this time counts as the person's own, and the
# account-wide delay does not apply there (Axes' pair lock still does).
KNOWN_ADDRESS_TIME = timedelta(days=90)
# Account-wide password failures are forgotten after a day without a new one.
ACCOUNT_FAILURE_MEMORY = timedelta(days=1)
# The two-step lock doubles with each repeat, up to a day; repeats are forgotten after a quiet day.
TWO_STEP_LOCK_MAX = timedelta(days=1)
TWO_STEP_MEMORY = timedelta(days=1)


# --- Who and where ----------------------------------------------------------------------------


def client_ip(request: HttpRequest) -> str:
    """The client's address, trusting X-Forwarded-For only as far as our own proxies wrote it.

    Each of the ``TANDEM_PROXY_COUNT`` proxies appends the address it received the request
    from, so the client's is the Nth entry from the right; anything left of it was sent by the
    client and may be invented. With no proxies configured the header is ignored entirely.
    A header shorter than the count, or not an address, means the request did not come through
    our proxies, and the connecting address is used.
    """
    remote = str(request.META.get("REMOTE_ADDR", ""))
    count: int = settings.TANDEM_PROXY_COUNT
    if count <= 0:
        return remote
    header = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    entries = [entry.strip() for entry in header.split(",") if entry.strip()]
    if len(entries) < count:
        return remote
    candidate = entries[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def normalise_login(value: object) -> str:
    """The typed email as a throttling key: the same for every spelling allauth would accept."""
    return str(value or "").strip().lower()


def axes_username(request: HttpRequest | None, credentials: Mapping[str, Any] | None) -> str:
    """The account an attempt is for, for Axes (``AXES_USERNAME_CALLABLE``).

    allauth authenticates with ``email=``; Axes itself passes ``login=`` when someone logs in.
    The typed email is used whether or not an account has it, so a lock says nothing about
    which addresses are registered.
    """
    credentials = credentials or {}
    typed = credentials.get("email") or credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    if not typed and request is not None:
        typed = request.POST.get(settings.AXES_USERNAME_FORM_FIELD)
    return normalise_login(typed)


# --- Passwords: the account from anywhere ----------------------------------------------------


class _AccountFailures(TypedDict):
    failures: int
    last: float


def _account_key(login: str) -> str:
    # Hashed so the cache never holds the email itself.
    return "tandem:throttle:login:" + hashlib.sha256(login.encode()).hexdigest()


def delay_after(failures: int) -> int:
    """Seconds to wait after the last of ``failures`` wrong passwords: 0, then 2, 4, 8 … up to
    ``TANDEM_ACCOUNT_DELAY_MAX_SECONDS``."""
    free: int = settings.TANDEM_ACCOUNT_FAILURES_BEFORE_DELAY
    if failures < free:
        return 0
    most: int = settings.TANDEM_ACCOUNT_DELAY_MAX_SECONDS
    steps = failures - free + 1
    return min(most, 1 << min(steps, 62))


def is_known_address(login: str, ip: str) -> bool:
    """Whether the account logged in from ``ip`` lately (Axes logs every successful login)."""
    since = timezone.now() - KNOWN_ADDRESS_TIME
    return bool(
        AccessLog.objects.filter(
            username__iexact=login, ip_address=ip, attempt_time__gte=since
        ).exists()
    )


def login_wait_seconds(*, login: str, ip: str) -> int:
    """Seconds before a password for ``login`` may be tried from ``ip``; 0 means now."""
    state: _AccountFailures | None = cache.get(_account_key(login))
    if state is None or is_known_address(login, ip):
        return 0
    remaining = state["last"] + delay_after(state["failures"]) - timezone.now().timestamp()
    return math.ceil(remaining) if remaining > 0 else 0


def record_login_failure(*, login: str, ip: str) -> None:
    # Failures from the person's own addresses are theirs (or stopped by the pair lock), so
    # they never slow the account down elsewhere.
    if not login or is_known_address(login, ip):
        return
    key = _account_key(login)
    state: _AccountFailures = cache.get(key, {"failures": 0, "last": 0.0})
    state = {"failures": state["failures"] + 1, "last": timezone.now().timestamp()}
    cache.set(key, state, int(ACCOUNT_FAILURE_MEMORY.total_seconds()))


def clear_login_failures(*, login: str) -> None:
    cache.delete(_account_key(login))


# --- Two-step codes: the account, whatever the session ---------------------------------------


class _TwoStepFailures(TypedDict):
    failures: int
    locks: int
    until: float


def _two_step_key(user_id: object) -> str:
    return f"tandem:throttle:two-step:{user_id}"


def two_step_lock_time(locks: int) -> timedelta:
    """How long the ``locks``-th lock in a row lasts: the lockout time, doubling up to a day."""
    base: timedelta = settings.AXES_COOLOFF_TIME
    # The exponent is capped only to keep the number small: 2**16 times is past a day anyway.
    return min(TWO_STEP_LOCK_MAX, base * (1 << min(max(locks - 1, 0), 16)))


def two_step_locked_until(user_id: object) -> datetime | None:
    """When wrong codes stop blocking ``user_id``'s two-step logins; None if they do not."""
    state: _TwoStepFailures | None = cache.get(_two_step_key(user_id))
    if state is None or state["until"] <= timezone.now().timestamp():
        return None
    return datetime.fromtimestamp(state["until"], tz=timezone.get_current_timezone())


def record_wrong_code(user_id: object) -> datetime | None:
    """Count a wrong code; return when the lock ends if this one starts a lock."""
    key = _two_step_key(user_id)
    state: _TwoStepFailures = cache.get(key, {"failures": 0, "locks": 0, "until": 0.0})
    now = timezone.now()
    failures, locks, until = state["failures"] + 1, state["locks"], state["until"]
    locked_until = None
    if failures >= settings.TANDEM_TWO_STEP_FAILURE_LIMIT:
        failures, locks = 0, locks + 1
        locked_until = now + two_step_lock_time(locks)
        until = locked_until.timestamp()
    remember = max(until - now.timestamp(), 0) + TWO_STEP_MEMORY.total_seconds()
    cache.set(key, {"failures": failures, "locks": locks, "until": until}, int(remember))
    return locked_until


def clear_two_step(user_id: object) -> None:
    cache.delete(_two_step_key(user_id))


# --- Lifting every lock -------------------------------------------------------------------------


def lift_login_limits(*, email: str, user_id: object | None) -> int:
    """Lift every login limit on an account: Axes' locks from any address, the account-wide
    delay and the two-step lock. Returns how many Axes records were removed.

    Used when the person sets a new password (they have shown they hold the email) and by an
    admin's ``unlock_login`` command.
    """
    login = normalise_login(email)
    removed = int(reset_axes_attempts(username=login))
    clear_login_failures(login=login)
    if user_id is not None:
        clear_two_step(user_id)
    return removed
