"""Helpers shared by the toolbox's views: the service-user check, pagination, form pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from tandem.accounts.models import Role, User
from tandem.care.access import check_can_comment
from tandem.toolbox import access

PER_PAGE = 50

_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])


def user_of(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - LoginRequiredMiddleware guarantees it
    return user


def paginate(request: HttpRequest, items: QuerySet[Any], param: str = "page") -> Page[Any]:
    return Paginator(items, PER_PAGE).get_page(request.GET.get(param))


def add_errors(form: Any, error: ValidationError) -> None:
    """Show a service's ValidationError beside the field it names, or above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def no_toolbox(request: HttpRequest) -> HttpResponse:
    return render(request, "toolbox/no_toolbox.html", status=404)


def toolbox_owner(view: _View) -> _View:
    """Only service users have a toolbox; everyone else gets a page saying so (404)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        roles = getattr(request, "roles", None)
        if roles is not None:
            allowed = roles.has(Role.SERVICE_USER) and user_of(request).is_active
        else:
            allowed = access.has_toolbox(request.user)
        if not allowed:
            return no_toolbox(request)
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


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


def may_comment(viewer: User, owner: User, module: str) -> bool:
    try:
        check_can_comment(viewer, owner, module)
    except PermissionDenied:
        return False
    return True


def page_context(owner: User, read_only: bool) -> dict[str, Any]:
    return {"owner": owner, "read_only": read_only}
