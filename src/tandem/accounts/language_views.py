"""The language a person reads Tandem in, and the one an organisation gives new people.

The person's choice is applied on every request by ``PersonLanguageMiddleware``; an empty
choice follows the browser. The language cookie is set too, so the login page and other
pages before signing in speak the same language on this device.
"""

from __future__ import annotations

from typing import Literal, cast

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.accounts import services
from tandem.accounts.access import get_managed_organisation_for_admin
from tandem.accounts.forms import LanguageForm, OrganisationLanguageForm
from tandem.accounts.requests import current_user

SameSite = Literal["Lax", "Strict", "None"]


@require_POST
def language_edit(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/language_error.html", {"form": form}, status=400)
    language = form.cleaned_data["language"]
    services.set_language(user=user, language=language)
    if language:
        translation.activate(language)
    messages.success(request, _("Your language is saved."))
    response = redirect("accounts:profile")
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=cast(SameSite, settings.LANGUAGE_COOKIE_SAMESITE),
        )
    else:
        response.delete_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
        )
    return response


@require_POST
def organisation_language_edit(request: HttpRequest, org_id: int) -> HttpResponse:
    user = current_user(request)
    organisation = get_managed_organisation_for_admin(user, org_id)
    form = OrganisationLanguageForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/language_error.html", {"form": form}, status=400)
    services.set_default_language(
        actor=user, organisation=organisation, language=form.cleaned_data["default_language"]
    )
    messages.success(request, _("The language for new people is saved."))
    return redirect("accounts:organisation-settings", org_id=organisation.pk)
