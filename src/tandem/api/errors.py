"""How the API answers what went wrong: always JSON, always 4xx for a request's fault.

Every refusal has the same shape (``schemas.ErrorOut``): a sentence for people (``detail``),
a word for programs (``code``) and, for bad input, the messages by field (``fields``). The
gates and services raise the same exceptions for the API as for the pages; this module only
turns them into answers, so no rule is decided here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as InputError

from tandem.forum.access import ConductNotAcceptedError
from tandem.forum.errors import PostingLimitError
from tandem.messaging.services import SendingLimitError


class TwoStepRequiredError(Exception):
    """The person's role needs two-step verification, which their account does not have yet.
    The pages send them to set it up (``accounts.middleware.MFARequiredMiddleware``); the API
    refuses until they have."""


class CsrfRefusedError(Exception):
    """An unsafe request with the session cookie but without a valid CSRF token."""


def error_body(
    detail: str, code: str, fields: dict[str, list[str]] | None = None
) -> dict[str, object]:
    return {"detail": detail, "code": code, "fields": fields or {}}


def _field_messages(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            field: [str(message) for message in DjangoValidationError(errors).messages]
            for field, errors in error.error_dict.items()
        }
    return {"__all__": [str(message) for message in error.messages]}


def _input_messages(error: InputError) -> dict[str, list[str]]:
    """Pydantic's findings by field, without echoing the values sent (they may be private,
    and the client has them)."""
    fields: dict[str, list[str]] = {}
    for found in error.errors:
        # ("body", "payload", "body") → "body"; ("query", "page") → "page".
        location = [str(part) for part in found.get("loc", ())]
        if location[:1] in (["body"], ["query"], ["path"]):
            location = location[1:]
        if location[:1] == ["payload"]:
            location = location[1:]
        fields.setdefault(".".join(location) or "__all__", []).append(str(found.get("msg", "")))
    return fields


def install(api: NinjaAPI) -> None:
    """Register the answers on ``api``."""

    def on(kind: type[Exception], answer: Callable[[HttpRequest, Any], HttpResponse]) -> None:
        api.add_exception_handler(kind, answer)

    def respond(request: HttpRequest, status: int, body: dict[str, object]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    on(Http404, lambda r, e: respond(r, 404, error_body(_("Not found."), "not_found")))
    on(
        PermissionDenied,
        lambda r, e: respond(
            r, 403, error_body(str(e) or _("You may not do this."), "permission_denied")
        ),
    )
    on(
        TwoStepRequiredError,
        lambda r, e: respond(
            r,
            403,
            error_body(
                _(
                    "Your role needs two-step verification. Set it up in Tandem (My account, "
                    "Two-step verification), then try again."
                ),
                "two_step_required",
            ),
        ),
    )
    on(
        CsrfRefusedError,
        lambda r, e: respond(
            r,
            403,
            error_body(
                _(
                    "A request that changes something with the session's cookie needs the "
                    "CSRF token in an 'X-CSRFToken' header. Apps should use a personal API "
                    "token instead."
                ),
                "csrf_failed",
            ),
        ),
    )
    on(
        ConductNotAcceptedError,
        lambda r, e: respond(
            r,
            403,
            error_body(
                _(
                    "The community's code of conduct has changed. Read it and accept it again "
                    "in Tandem before reading or posting there."
                ),
                "conduct_not_accepted",
            ),
        ),
    )
    on(
        SendingLimitError,
        lambda r, e: respond(r, 429, error_body(" ".join(e.messages), "rate_limited")),
    )
    on(
        PostingLimitError,
        lambda r, e: respond(
            r,
            e.status,
            error_body(" ".join(e.messages), "rate_limited" if e.status == 429 else "refused"),
        ),
    )
    on(
        DjangoValidationError,
        lambda r, e: respond(
            r,
            400,
            error_body(_("Some of what was sent is not right."), "invalid", _field_messages(e)),
        ),
    )
    on(
        InputError,
        lambda r, e: respond(
            r,
            422,
            error_body(
                _("The request is not in the expected form."), "malformed", _input_messages(e)
            ),
        ),
    )
    on(
        AuthenticationError,
        lambda r, e: respond(
            r,
            401,
            error_body(
                _("Log in, or send a personal API token as 'Authorization: Bearer <token>'."),
                "unauthenticated",
            ),
        ),
    )
    on(Throttled, lambda r, e: respond(r, 429, error_body(_throttled_text(e), "rate_limited")))
    on(HttpError, partial(_http_error, respond=respond))


def _throttled_text(error: Throttled) -> str:
    """Say how many requests a minute there may be and when to try again (the same number of
    seconds as the ``Retry-After`` header)."""
    limit: int = settings.TANDEM_API_REQUESTS_PER_MINUTE
    seconds = math.ceil(error.wait) if error.wait is not None else 60
    return " ".join(
        (
            ngettext(
                "Too many requests: Tandem answers %(limit)d request a minute for one person.",
                "Too many requests: Tandem answers %(limit)d requests a minute for one person.",
                limit,
            )
            % {"limit": limit},
            ngettext(
                "Try again in %(seconds)d second.", "Try again in %(seconds)d seconds.", seconds
            )
            % {"seconds": seconds},
        )
    )


def _http_error(
    request: HttpRequest,
    error: HttpError,
    *,
    respond: Callable[[HttpRequest, int, dict[str, object]], HttpResponse],
) -> HttpResponse:
    # Ninja's own refusals: a body that is not JSON (400), a method not offered (405).
    code = "malformed" if error.status_code == 400 else "http_error"
    return respond(request, error.status_code, error_body(str(error), code))
