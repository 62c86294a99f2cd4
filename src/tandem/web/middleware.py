"""Cross-cutting HTTP behaviour of the shell: health checks, database outages and caching of
private pages."""

from __future__ import annotations

import logging
import sys
import time
import zoneinfo
from collections.abc import Callable
from typing import Any

import redis.exceptions
from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from tandem.web import crisis

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"


def _ready() -> tuple[bool, dict[str, str]]:
    """(ready, what each check found). The database must answer. Redis is optional at run
    time: without it logins and pages still work (the cache falls back to the database cache)
    and live messages reach pages through the database, so it is "degraded", not a reason to
    take the process out of a load balancer, unless ``TANDEM_REDIS_REQUIRED`` says so."""
    checks: dict[str, str] = {}
    ok = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # any failure means "not ready"; the detail stays in the server log
        checks["database"] = "unavailable"
        ok = False
    if settings.REDIS_URL:
        try:
            import redis

            client = redis.Redis.from_url(
                settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5
            )
            try:
                client.ping()
            finally:
                client.close()
            checks["redis"] = "ok"
        except Exception:
            if settings.TANDEM_REDIS_REQUIRED:
                checks["redis"] = "unavailable"
                ok = False
            else:
                checks["redis"] = "degraded"
    return ok, checks


class HealthCheckMiddleware:
    """Answer /healthz and /readyz before host checks, sessions or redirects.

    Load balancers probe by IP over plain HTTP; these answers hold nothing private.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == HEALTH_PATH:
            response: HttpResponse = JsonResponse({"status": "ok"})
        elif request.path == READY_PATH:
            ok, checks = _ready()
            degraded = "degraded" in checks.values()
            response = JsonResponse(
                {
                    "status": ("degraded" if degraded else "ok") if ok else "unavailable",
                    "checks": checks,
                },
                status=200 if ok else 503,
            )
        else:
            return self.get_response(request)
        response["Cache-Control"] = "no-store"
        return response


class PermissionsPolicyMiddleware:
    """Deny powerful browser features Tandem never uses (camera, microphone, location,
    payment…), so a script that slipped past the CSP still cannot ask for them. Set on every
    response, the outage and static ones included (``settings.PERMISSIONS_POLICY``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class NoStoreForAuthenticatedMiddleware:
    """Pages for a logged-in person hold private data: never let a browser or proxy keep them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated or request.path.startswith(
            ("/accounts/", "/invitations/")
        ):
            patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
        return response


# --- Database outages ------------------------------------------------------------------------

# Errors that mean "a service Tandem needs cannot be reached", not "this code is wrong":
# Django wraps connection failures of SQLite and PostgreSQL in these two (refused, dropped,
# closed, "database is locked", a missing database file). Redis errors no longer reach pages
# in the ordinary way (the cache falls back to the database cache, tandem/core/cache.py; live
# events are skipped, messaging/events.py): they stay here so that one that still escapes
# answers the friendly 503, not a 500. DataError, IntegrityError, ProgrammingError stay 500s:
# they are bugs.
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)
RETRY_AFTER_SECONDS = 30
# After an outage, this process serves the crisis page from its saved copy without trying the
# database for this long: a person in crisis must not wait for a connect timeout each time.
CRISIS_SHORTCUT_SECONDS = 15
# Outage pages carry their own headers: the middleware that would add them may not have run.
OUTAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_OUTAGE_ATTRIBUTE = "_tandem_outage"
_outage_seen_at = float("-inf")


def outage_error(error: BaseException | None) -> BaseException | None:
    """The outage behind ``error`` (itself, or what it was raised from or while handling)."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, OUTAGE_ERRORS):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


def _note_outage(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """Django converts an exception raised in a middleware (or in the view) into a 500 where
    it happens, so it never reaches the middleware above; it does send this signal from inside
    the ``except`` block first. Mark the request so DatabaseOutageMiddleware replaces the 500."""
    error = outage_error(sys.exc_info()[1])
    if request is not None and error is not None:
        setattr(request, _OUTAGE_ATTRIBUTE, error)


def _is_crisis_page(request: HttpRequest) -> bool:
    return request.path_info == reverse("web:crisis")


def _render_without_database(
    request: HttpRequest, template_name: str, context: dict[str, Any], *, status: int
) -> HttpResponse:
    """Render with no request in the context: no context processors (they read the user, the
    session, messages), no CSRF token, no session write. Only files and settings are read."""
    language = translation.get_language_from_request(request)
    with (
        translation.override(language),
        timezone.override(zoneinfo.ZoneInfo(settings.TANDEM_DEFAULT_TIME_ZONE)),
    ):
        # What the shell context processor would add, minus the person's roles.
        html = render_to_string(
            template_name, {**context, "quick_exit_url": settings.TANDEM_QUICK_EXIT_URL}
        )
    response = HttpResponse(html, status=status)
    response["Content-Language"] = language
    response["Content-Security-Policy"] = OUTAGE_CSP
    response["X-Frame-Options"] = "DENY"
    patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
    patch_vary_headers(response, ["Cookie", "Accept-Language"])
    return response


def saved_crisis_page(request: HttpRequest) -> HttpResponse:
    """The crisis page from the saved copy: 200, because the page itself is all there."""
    return _render_without_database(
        request, "web/crisis.html", crisis.saved_crisis_context(request), status=200
    )


def outage_page(request: HttpRequest) -> HttpResponse:
    """The page that says Tandem is having trouble, with the crisis contacts: 503, Retry-After."""
    response = _render_without_database(
        request, "web/outage.html", crisis.saved_crisis_context(request), status=503
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseOutageMiddleware:
    """Answer a friendly 503 with crisis contacts, instead of a 500, when the database (or
    Redis) cannot be reached; answer the crisis page from its saved copy with 200.

    Sits above sessions and everything that reads the database. An outage error met below is
    caught three ways: raised by the view (``process_exception``), raised inside another
    middleware (Django turns it into a 500 there and sends ``got_request_exception``, which
    marks the request), or let through by DEBUG_PROPAGATE_EXCEPTIONS (``except``). Whichever
    response the middleware below made of it (and whatever their own response handling did,
    such as a failed session save) is then replaced here, so nothing below can turn the 503
    into a 500 or add cookies to it.

    On an ordinary response, it keeps the cookie naming the person's organisation
    (``crisis.keep_organisation_cookie``) that tells the outage pages whose contacts to show.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        got_request_exception.connect(_note_outage, dispatch_uid="tandem.web.database_outage")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if time.monotonic() - _outage_seen_at < CRISIS_SHORTCUT_SECONDS and _is_crisis_page(
            request
        ):
            return saved_crisis_page(request)
        try:
            response = self.get_response(request)
        except Exception as error:
            outage = outage_error(error)
            if outage is None:
                raise
            return self._answer(request, outage)
        outage = getattr(request, _OUTAGE_ATTRIBUTE, None)
        if outage is not None:
            return self._answer(request, outage)
        crisis.keep_organisation_cookie(request, response)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        outage = outage_error(exception)
        if outage is None:
            return None
        # Django logs the traceback of errors raised in middleware; this path it does not.
        logger.error("Outage error in the view for %s", request.path, exc_info=exception)
        setattr(request, _OUTAGE_ATTRIBUTE, outage)
        # A stand-in for the middleware below to pass up; __call__ replaces it.
        return HttpResponse(status=503)

    def _answer(self, request: HttpRequest, error: BaseException) -> HttpResponse:
        global _outage_seen_at
        if isinstance(error, OperationalError | InterfaceError):
            _outage_seen_at = time.monotonic()
        crisis_page = _is_crisis_page(request)
        logger.warning(
            "Service unavailable (%s: %s): answered %s with the %s",
            type(error).__name__,
            error,
            request.path,
            "saved crisis page" if crisis_page else "outage page",
        )
        try:
            return saved_crisis_page(request) if crisis_page else outage_page(request)
        except Exception:
            # The last resort must not fail: the numbers, from the settings, and nothing else.
            logger.exception("Could not render the outage page for %s", request.path)
            return _bare_page(status=200 if crisis_page else 503)


def _bare_page(*, status: int) -> HttpResponse:
    """The emergency number and the national helplines as plain HTML: no template, no file."""
    lines = format_html_join(
        "",
        '<li>{}: <a href="tel:{}">{}</a></li>',
        (
            (contact.name, "".join(c for c in contact.phone if c.isdigit()), contact.phone)
            for contact in crisis.national_contacts()
            if contact.phone
        ),
    )
    number = crisis.emergency_number()
    html = format_html(
        '<!DOCTYPE html><html lang="{}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>{}</title></head><body><main><h1>{}</h1><p>{}</p><ul>{}</ul></main></body></html>",
        translation.get_language(),
        gettext("Need help now?"),
        gettext("Tandem is having trouble right now…"),
        format_html(
            gettext(
                "If you might act on thoughts of harming yourself, or someone else is in "
                "danger, call {number} now or go to your nearest A&E."
            ),
            number=format_html('<a href="tel:{}">{}</a>', number, number),
        ),
        lines,
    )
    response = HttpResponse(html, status=status)
    response["Content-Security-Policy"] = "default-src 'none'"
    response["X-Frame-Options"] = "DENY"
    patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
