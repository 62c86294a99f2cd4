"""Helpers shared by the questionnaire views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.http import Http404, HttpRequest, HttpResponseBase

from tandem.accounts.models import Role
from tandem.accounts.requests import current_user, roles_of

_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])


def service_user_only(view: _View) -> _View:
    """Only service users answer questionnaires; for everyone else the pages do not exist."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not (roles_of(request).has(Role.SERVICE_USER) and current_user(request).is_active):
            raise Http404
        return view(request, *args, **kwargs)

    return cast(_View, wrapper)
