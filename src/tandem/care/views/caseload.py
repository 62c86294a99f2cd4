"""The care provider's pages: the caseload, link code and requests, one person's overview."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from tandem.accounts.requests import current_user, roles_of
from tandem.care import access, selectors, services
from tandem.care.forms import LinkRequestForm
from tandem.care.views.common import not_verified, provider_of

# Shown after every request by email, whether or not the address belongs to anyone.
REQUEST_SENT_MESSAGE = _(
    "If this person uses Tandem at your organisation, they will see your request."
)


class CaseloadView(View):
    template_name = "care/caseload.html"

    def _render(self, request: HttpRequest, form: LinkRequestForm | None = None) -> HttpResponse:
        provider = provider_of(request)
        if not roles_of(request).verified_provider:
            return not_verified(request)
        context = {
            "caseload": selectors.caseload_for_provider(provider),
            "link_code": services.ensure_link_code(provider=provider),
            "sent_requests": selectors.sent_requests_for_provider(provider)[:100],
            "form": form or LinkRequestForm(),
        }
        return render(request, self.template_name, context, status=400 if form else 200)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        provider = provider_of(request)
        if not roles_of(request).verified_provider:
            return not_verified(request)
        form = LinkRequestForm(request.POST)
        if form.is_valid():
            services.request_link(provider=provider, email=form.cleaned_data["email"])
            messages.success(request, REQUEST_SENT_MESSAGE)
            return redirect("care:caseload")
        return self._render(request, form)


@require_POST
def link_code_regenerate(request: HttpRequest) -> HttpResponseBase:
    provider = provider_of(request)
    if not roles_of(request).verified_provider:
        return not_verified(request)
    services.regenerate_link_code(provider=provider)
    messages.success(request, _("You have a new code. The old one no longer works."))
    return redirect("care:caseload")


@require_POST
def care_request_withdraw(request: HttpRequest, request_id: int) -> HttpResponseBase:
    provider = provider_of(request)
    care_request = access.get_care_request_for_provider(provider, request_id)
    services.withdraw_request(provider=provider, care_request=care_request)
    messages.success(request, _("Request withdrawn."))
    return redirect("care:caseload")


def person_detail(request: HttpRequest, owner_id: int) -> HttpResponse:
    provider = current_user(request)
    relationship = access.get_relationship_for_provider(provider, owner_id)
    # Read first: the page shows what changed since the previous visit, then marks this one.
    overview = selectors.person_overview(relationship)
    services.mark_person_seen(provider=provider, relationship=relationship)
    return render(request, "care/person_detail.html", {"overview": overview})
