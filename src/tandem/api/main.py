"""The REST API v1 (django-ninja): one ``NinjaAPI``, its authentication, its error answers and
its routers. The OpenAPI 3.1 schema is generated from this code (``/api/v1/openapi.json``).

Every operation requires a person (``auth``): a personal API token or the browser session,
under the pages' rules (``api.auth``). No operation decides a permission itself: each calls
the gates, selectors and services the pages call (``api.routers``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI

from tandem.accounts.requests import roles_of
from tandem.api import errors
from tandem.api.auth import SessionAuth, TokenAuth
from tandem.api.routers import (
    forum,
    forum_topics,
    messages,
    notifications,
    questionnaires,
    toolbox,
)
from tandem.api.routers.common import REFUSALS, person
from tandem.api.schemas import MeOut
from tandem.api.throttling import PersonRateThrottle

DESCRIPTION = """\
Tandem's API for mobile and partner apps. It shows and does what the pages show and do, for
the same people, under the same rules: the same permission checks, the same access log (a care
provider's read here is recorded as a page read is), the same limits.

**Authentication.** Either a personal API token, made in Tandem under *My account → API tokens*
(after confirming it is you), sent as `Authorization: Bearer <token>`; or the browser's
session, with the CSRF token in `X-CSRFToken` on requests that change something. People whose
role needs two-step verification must have it set up, whichever way they use.

**Limits.** A person's apps and session together may make a fixed number of requests a
minute; past it the answer is 429 with `Retry-After` (seconds). Sending messages and posting in
the forum have their own limits, as on the pages (429 too).

**Errors** are JSON: `{"detail": …, "code": …, "fields": {…}}`.
"""

api = NinjaAPI(
    title="Tandem API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api:api-v1",  # nested in the app "api" (api/urls.py)
    auth=[TokenAuth(), SessionAuth()],
    # After authentication, per person: every operation (the schema and docs are not ones).
    throttle=[PersonRateThrottle()],
)
errors.install(api)

api.add_router("", toolbox.router)
api.add_router("", messages.router)
api.add_router("", notifications.router)
api.add_router("", forum.router)
api.add_router("", forum_topics.router)
api.add_router("", questionnaires.router)


@api.get("/me", response={200: MeOut, **REFUSALS}, tags=["People"])
def me(request: HttpRequest) -> dict[str, Any]:
    """Who the token or session is for: their id (the ``owner_id`` of their own toolbox) and
    their roles."""
    user = person(request)
    roles = roles_of(request)
    return {
        "id": user.pk,
        "pseudonym": user.pseudonym,
        "roles": sorted(roles.roles),
        "organisation_ids": list(roles.organisation_ids),
    }
