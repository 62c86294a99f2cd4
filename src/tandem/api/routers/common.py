"""What every router shares: the person asking, pages of results, and form checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest

from tandem.accounts.models import User
from tandem.accounts.requests import current_user
from tandem.api.schemas import ErrorOut
from tandem.api.schemas.common import Id as Id
from tandem.api.schemas.common import PageNumber as PageNumber

ItemT = TypeVar("ItemT")
OutT = TypeVar("OutT")

PER_PAGE = 50

# The answers every authenticated operation may give besides its own.
REFUSALS: dict[int, type[ErrorOut]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}
WRITE_REFUSALS: dict[int, type[ErrorOut]] = {400: ErrorOut, **REFUSALS}


def person(request: HttpRequest) -> User:
    """The person the API authenticated (``api.auth`` made them the request's user)."""
    return current_user(request)


def paged(
    items: Sequence[ItemT] | Any, page: int, shape: Callable[[ItemT], OutT]
) -> dict[str, Any]:
    """One page of ``items`` (a queryset or a sequence with ``len`` and slices), shaped.

    A page past the end is the last page, as on the pages (``Paginator.get_page``)."""
    found = Paginator(items, PER_PAGE).get_page(page)
    return {
        "items": [shape(item) for item in found.object_list],
        "page": found.number,
        "pages": found.paginator.num_pages,
        "count": found.paginator.count,
    }


def checked(form: Form) -> dict[str, Any]:
    """The form's cleaned data, or ValidationError with its messages by field (HTTP 400).
    The pages' forms check the shape of input, so the API uses the same ones."""
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return form.cleaned_data


@contextmanager
def fields_named(names: dict[str, str]) -> Iterator[None]:
    """Name the fields of a ValidationError raised inside (by a form or a service) as the API
    names them (``domain`` → ``domain_id``), so each message names the field the client sent.
    Errors about no field in particular (a limit) pass unchanged."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {names.get(field, field): errors for field, errors in error.error_dict.items()}
        ) from error
