"""Session timeouts and the two-step verification requirement, each enforced in one place."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tandem.accounts.access import must_set_up_two_step
from tandem.accounts.requests import attach_roles, roles_of

LOGIN_AT_KEY = "tandem_login_at"
SEEN_AT_KEY = "tandem_seen_at"
# Writing the session on every request would cost a database write per page; a minute of
# slack on a 30-minute idle timeout is harmless.
SEEN_RESOLUTION = timedelta(seconds=60)

# Paths a person who must set up two-step verification can still reach. The crisis page is
# here on purpose: nobody is ever kept from crisis contacts.
MFA_SETUP_ALLOWED_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/reauthenticate/",
    "/accounts/logout/",
    "/account/two-step-required/",
    "/crisis/",
    "/static/",
    "/healthz",
    "/readyz",
    # The installable app's shell and its offline page: public, the same for everyone.
    "/sw.js",
    "/manifest.webmanifest",
    "/offline/",
    "/device/",
)


def session_timestamp(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def session_time_limits(
    session: Mapping[str, Any], now: datetime
) -> tuple[str | None, datetime | None]:
    """("idle" or "expired" when a limit has passed, else None; the next deadline) for a
    session's bookkeeping. Pages (this middleware) and live sockets apply the same limits."""
    login_at = session_timestamp(session.get(LOGIN_AT_KEY))
    seen_at = session_timestamp(session.get(SEEN_AT_KEY))
    if seen_at is not None and now - seen_at > settings.TANDEM_IDLE_TIMEOUT:
        return "idle", None
    if login_at is not None and now - login_at > settings.TANDEM_ABSOLUTE_TIMEOUT:
        return "expired", None
    deadlines = [
        at + limit
        for at, limit in (
            (login_at, settings.TANDEM_ABSOLUTE_TIMEOUT),
            (seen_at, settings.TANDEM_IDLE_TIMEOUT),
        )
        if at is not None
    ]
    return None, min(deadlines) if deadlines else None


class SessionTimeoutMiddleware:
    """Log a person out after the idle timeout or the absolute session lifetime.

    Both limits protect someone who walks away from a shared or borrowed phone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = timezone.now()
            session = request.session
            if session_timestamp(session.get(LOGIN_AT_KEY)) is None:
                session[LOGIN_AT_KEY] = now.isoformat()
            seen_at = session_timestamp(session.get(SEEN_AT_KEY))
            passed, _deadline = session_time_limits(session, now)
            idle = passed == "idle"
            if passed is not None:
                logout(request)
                messages.info(
                    request,
                    _("You were logged out because the page was left unused for a while.")
                    if idle
                    else _("You were logged out because your session reached its time limit."),
                )
                if request.method == "GET":
                    return redirect_to_login(request.get_full_path())
                return redirect(settings.LOGIN_URL)
            if seen_at is None or now - seen_at > SEEN_RESOLUTION:
                session[SEEN_AT_KEY] = now.isoformat()
        return self.get_response(request)


class OrganisationTimeZoneMiddleware:
    """Show times in the person's organisation's time zone (stored times stay in UTC)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = settings.TANDEM_DEFAULT_TIME_ZONE
        if request.user.is_authenticated:
            name = roles_of(request).time_zone or name
        try:
            timezone.activate(zoneinfo.ZoneInfo(name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class MFARequiredMiddleware:
    """Keep people whose role demands two-step verification on the set-up pages until done.

    Providers, moderators, researchers and organisation admins need it, and so does everyone
    in an organisation that requires it for all. Also attach ``request.roles``: the person's
    roles, read at most once per request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        attach_roles(request)
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(MFA_SETUP_ALLOWED_PREFIXES)
            and must_set_up_two_step(user, needs_mfa=roles_of(request).needs_mfa)
        ):
            return redirect("accounts:two-step-required")
        return self.get_response(request)


class PersonLanguageMiddleware:
    """Speak the language the person chose on their account page.

    LocaleMiddleware (earlier) has already picked the browser's preference, or the site's
    default; a signed-in person's own choice (``User.language``, set from their organisation's
    default when the account was made) wins over both. The user row is loaded anyway by the
    authentication middleware, so this costs no query.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        chosen = getattr(user, "language", "") if user.is_authenticated else ""
        if chosen and chosen in dict(settings.LANGUAGES):
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        return self.get_response(request)
