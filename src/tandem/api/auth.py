"""Who is asking: a personal API token or the browser session, under the pages' rules.

Both ways end in the same place as a page request: ``request.user`` is the person, their
roles are attached as ``MFARequiredMiddleware`` attaches them, and a person whose role needs
two-step verification they have not set up is refused (the pages send them to set it up).
The session way checks CSRF on unsafe methods, as Django does for pages; a token is not a
cookie, so a token request needs no CSRF token.

Token requests reach the API past ``LoginRequiredMiddleware`` (the API's views are marked
``login_not_required``: the middleware only knows sessions), so the API authenticates every
operation itself (``NinjaAPI(auth=...)``) and no operation opts out.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from tandem.accounts.access import must_set_up_two_step
from tandem.accounts.models import User
from tandem.accounts.requests import attach_roles, roles_of
from tandem.api import selectors, services
from tandem.api.errors import CsrfRefusedError, TwoStepRequiredError


def _admit(request: HttpRequest, user: User) -> User:
    """Apply the pages' rules to ``user`` for this request, and make them the request's user."""
    if request.user != user:
        request.user = user
        attach_roles(request)
    roles = roles_of(request)
    if must_set_up_two_step(user, needs_mfa=roles.needs_mfa):
        raise TwoStepRequiredError
    return user


class TokenAuth(HttpBearer):
    """``Authorization: Bearer tdm_…``: a personal API token in use, of an active person."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = selectors.active_token_for_secret(token)
        if found is None or not found.user.is_active:
            return None
        user = _admit(request, found.user)
        # OrganisationTimeZoneMiddleware saw no one (the token is read here, after it), so
        # dates ("today", due check-ins) follow the organisation's clock as on the pages. The
        # middleware deactivates it when the response leaves.
        try:
            timezone.activate(
                zoneinfo.ZoneInfo(roles_of(request).time_zone or settings.TANDEM_DEFAULT_TIME_ZONE)
            )
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        services.note_use(token=found)
        return user


class SessionAuth(APIKeyCookie):
    """The browser's session (the pages' login), with Django's CSRF check on unsafe methods.

    A request without the session cookie is simply not authenticated this way (401 if no
    token either), rather than refused for a missing CSRF token it could not have had.
    """

    def __init__(self) -> None:
        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        key = request.COOKIES.get(self.param_name)
        if key and check_csrf(request) is not None:
            raise CsrfRefusedError
        return key

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if key is None or not isinstance(user, User) or not user.is_authenticated:
            return None
        return _admit(request, user)
