"""Helpers shared by the toolbox's views: the service-user check, pagination, form pages.

The person making the request and service errors on forms come from
``accounts.requests`` and ``core.forms``, like every app's views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from tandem.accounts.models import Role, User
from tandem.accounts.requests import current_user, roles_of

PER_PAGE = 50

_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])


def paginate(request: HttpRequest, items: QuerySet[Any], param: str = "page") -> Page[Any]:
    return Paginator(items, PER_PAGE).get_page(request.GET.get(param))


def no_toolbox(request: HttpRequest) -> HttpResponse:
    return render(request, "toolbox/no_toolbox.html", status=404)


def toolbox_owner(view: _View) -> _View:
    """Only service users have a toolbox; everyone else gets a page saying so (404)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # The roles the middleware already read: no query of its own on most requests.
        if not (roles_of(request).has(Role.SERVICE_USER) and current_user(request).is_active):
            return no_toolbox(request)
        return view(request, *args, **kwargs)

    return cast(_View, wrapper)


def form_page(
    request: HttpRequest,
    form: Any,
    *,
    title: str,
    submit: str,
    cancel_url: str,
    intro: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "toolbox/form_page.html",
        {"form": form, "title": title, "submit": submit, "cancel_url": cancel_url, "intro": intro},
        status=status,
    )


def confirm_delete(request: HttpRequest, *, title: str, what: str, cancel_url: str) -> HttpResponse:
    return render(
        request,
        "toolbox/confirm_delete.html",
        {"title": title, "what": what, "cancel_url": cancel_url},
    )


def keeps_typed_comment(view: _View) -> _View:
    """A care provider's comment refused because their access ended while they wrote (the
    grant, the relationship or the item is gone) is shown back to them to copy, on a page
    that says access has ended and shows nothing of the person's (404, like any refusal)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except (Http404, PermissionDenied):
            return render(
                request,
                "toolbox/access_ended.html",
                {"typed": request.POST.get("body", "")},
                status=404,
            )

    return cast(_View, wrapper)


def page_context(owner: User, read_only: bool) -> dict[str, Any]:
    return {"owner": owner, "read_only": read_only}


def domain_initial(request: HttpRequest) -> dict[str, Any]:
    """The life domain a "new goal" or "log an activity" link came from (``?domain=``), as the
    form's initial value; nothing for a missing or malformed one."""
    domain = request.GET.get("domain", "")
    return {"domain": int(domain)} if domain.isdigit() else {}
