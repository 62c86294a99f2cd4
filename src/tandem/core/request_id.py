"""A short id for each HTTP request, and what the access record needs to know about it.

``RequestIdMiddleware`` gives every request an id (``request.request_id``, and the
``X-Request-ID`` response header, so a person who reports a problem can quote it) and keeps it,
with the path, in a context variable for the length of the request. The access record
(``care.access.record_access``) reads it there, so the gates that decide who may read what need
no request argument and no gate can forget to pass it.

The id is always made here, never taken from the client: a client-chosen id could make one
person's request look like another's in the record.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"


@dataclass
class RequestContext:
    request_id: str
    # The path without its query string: a query can carry search words or tokens.
    path: str
    # A request that is refused once is recorded once, however many gates it met.
    refusal_recorded: bool = False


_current: ContextVar[RequestContext | None] = ContextVar("tandem_request", default=None)


def current_request() -> RequestContext | None:
    """The request being answered, or None outside one (sockets, commands, direct calls)."""
    return _current.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


@contextmanager
def request_scope(*, request_id: str, path: str) -> Iterator[RequestContext]:
    """Make ``request_id`` and ``path`` the current request's until the block ends."""
    context = RequestContext(request_id=request_id, path=path[:300])
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        with request_scope(request_id=request_id, path=request.path):
            response = self.get_response(request)
        response[HEADER] = request_id
        return response
