"""What the care pages share: who may open which side's pages."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from tandem.accounts.models import Role, User
from tandem.accounts.requests import current_user, roles_of
from tandem.care.models import CareRelationship


def service_user_of(request: HttpRequest) -> User:
    """The logged-in service user; anyone else gets the 404 page (these pages are theirs)."""
    if not roles_of(request).has(Role.SERVICE_USER):
        raise Http404
    return current_user(request)


def provider_of(request: HttpRequest) -> User:
    """The logged-in care provider, verified or not; anyone else gets the 404 page."""
    if not roles_of(request).has(Role.PROVIDER):
        raise Http404
    return current_user(request)


def not_verified(request: HttpRequest) -> HttpResponse:
    return render(request, "care/not_verified.html", status=403)


def side_of(user: User, relationship: CareRelationship) -> str:
    """Which side of ``relationship`` ``user`` is on, as the templates name it."""
    return "user" if relationship.service_user_id == user.pk else "provider"
