from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from tandem.accounts.middleware import OrganisationTimeZoneMiddleware
from tandem.accounts.models import Organisation, User
from tandem.accounts.selectors import role_summary_for_user

pytestmark = pytest.mark.django_db


def _zone_seen_by_view(user: User | AnonymousUser) -> str:
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(timezone.get_current_timezone_name())
        return HttpResponse()

    request = RequestFactory().get("/")
    request.user = user
    request.roles = SimpleLazyObject(lambda: role_summary_for_user(user))  # type: ignore[attr-defined]
    OrganisationTimeZoneMiddleware(view)(request)
    return seen[0]


def test_members_see_times_in_their_organisations_time_zone(
    service_user: User, organisation: Organisation
) -> None:
    organisation.time_zone = "Pacific/Auckland"
    organisation.save()
    assert _zone_seen_by_view(service_user) == "Pacific/Auckland"
    assert timezone.get_current_timezone_name() == "UTC", "the zone must not leak to later requests"


def test_visitors_see_the_default_time_zone(db: None) -> None:
    assert _zone_seen_by_view(AnonymousUser()) == "Europe/London"
