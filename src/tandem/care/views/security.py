"""The organisation admin's page of refused attempts to read someone else's data."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tandem.accounts.access import get_managed_organisation_for_admin
from tandem.accounts.requests import current_user
from tandem.care import selectors

SECURITY_EVENTS_PAGE_SIZE = 50


def security_events(request: HttpRequest, org_id: int) -> HttpResponse:
    organisation = get_managed_organisation_for_admin(current_user(request), org_id)
    paginator = Paginator(
        selectors.security_events_for_organisation(organisation), SECURITY_EVENTS_PAGE_SIZE
    )
    page = paginator.get_page(request.GET.get("page"))
    context = {"organisation": organisation, "page": page}
    return render(request, "care/security_events.html", context)
