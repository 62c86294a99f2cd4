"""Researchers see analytics and nothing else (PRODUCT.md: "never content").

The gates of each app already refuse a researcher every person's data and every community, but
some pages are lists that would answer 200 with nothing in them (the inbox, the list of
communities). This fence makes the rule one line: a person whose only role is researcher gets
404 from every page of the toolbox, messaging, forum, questionnaires and courses, as if they
did not exist. Someone who is also a service user or staff keeps the pages of those roles.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from tandem.accounts.models import Role
from tandem.accounts.requests import roles_of

FENCED_NAMESPACES = frozenset(
    {"toolbox", "messaging", "forum", "questionnaires", "courses", "care"}
)


class ResearcherFenceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        match = request.resolver_match
        if match is None or match.namespace not in FENCED_NAMESPACES:
            return
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return
        if roles_of(request).roles == {Role.RESEARCHER}:
            raise Http404
