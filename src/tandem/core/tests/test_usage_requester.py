"""What ``core.usage`` remembers about the requesting person stays inside that request."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.cache import SessionStore
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from tandem.core import usage


@pytest.fixture
def received() -> Iterator[list[usage.UsageEvent]]:
    events: list[usage.UsageEvent] = []
    usage.register_sink(events.append)
    yield events
    usage.unregister_sink(events.append)


def _request() -> HttpRequest:
    request = RequestFactory().get("/")
    request.session = SessionStore()
    return request


@pytest.mark.django_db
def test_a_sign_in_outside_a_request_leaves_nothing_behind(
    received: list[usage.UsageEvent],
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[Any]],
) -> None:
    # A login outside the middleware (a test client's force_login, a shell) says person 7 takes
    # part in nothing; a later event of person 7 outside any request must still reach the sink.
    usage.set_taking_part(_request(), 7, False)
    with django_capture_on_commit_callbacks(execute=True):
        usage.record(7, usage.Module.FORUM, usage.Action.POST)
    assert [(e.user_id, e.action) for e in received] == [(7, usage.Action.POST)]


@pytest.mark.django_db
def test_inside_a_request_a_person_taking_part_in_nothing_costs_nothing(
    received: list[usage.UsageEvent],
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[Any]],
) -> None:
    def view(request: HttpRequest) -> HttpResponse:
        usage.set_taking_part(request, 7, False)  # as at sign-in, during the login request
        usage.record(7, usage.Module.PORTAL, usage.Action.LOGIN)
        usage.record(8, usage.Module.MESSAGING, usage.Action.MESSAGE_READ)  # someone else
        return HttpResponse()

    request = _request()
    request.user = AnonymousUser()
    with django_capture_on_commit_callbacks(execute=True):
        usage.UsageMiddleware(view)(request)
    assert [e.user_id for e in received] == [8]
    with django_capture_on_commit_callbacks(execute=True):
        usage.record(7, usage.Module.FORUM, usage.Action.POST)  # after the request: reaches it
    assert [e.user_id for e in received] == [8, 7]
