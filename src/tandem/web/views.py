"""The shell's own pages: home and the crisis page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tandem.accounts import selectors as account_selectors
from tandem.accounts.requests import current_user, roles_of
from tandem.web import crisis as crisis_contacts
from tandem.web.home import build_home


def home(request: HttpRequest) -> HttpResponse:
    """The person's home: one section per role they hold (``web.home``)."""
    user = current_user(request)
    organisation = account_selectors.primary_organisation_for_user(user)
    page = build_home(user, roles_of(request))
    return render(request, "web/home.html", {"organisation": organisation, "home": page})


@login_not_required
def crisis(request: HttpRequest) -> HttpResponse:
    """Crisis contacts, reachable by anyone at any time, logged in or not, MFA or not.

    While the database is down, DatabaseOutageMiddleware answers this page from the saved
    copy of the same contacts instead (``crisis_contacts.saved_crisis_context``).
    """
    if request.user.is_authenticated:
        organisation = account_selectors.primary_organisation_for_user(request.user)
    else:
        organisation = account_selectors.public_crisis_organisation()
    contacts = account_selectors.crisis_contacts_for_organisation(organisation)
    return render(
        request,
        "web/crisis.html",
        crisis_contacts.crisis_context(organisation=organisation, contacts=contacts),
    )
