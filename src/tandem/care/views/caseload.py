"""The care provider's pages: the caseload, link code and requests, one person's overview."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_POST

from tandem.accounts.requests import current_user, roles_of
from tandem.care import access, caseload, selectors, services, triage
from tandem.care.forms import LinkRequestForm
from tandem.care.services import asking
from tandem.care.views.common import not_verified, provider_of

# Shown after every request by email, whether or not the address belongs to anyone.
REQUEST_SENT_MESSAGE = _(
    "If this person uses Tandem at your organisation, they will see your request."
)


# The caseload's orders, as the sort links name them.
SORT_LABELS = [
    ("attention", gettext_lazy("Needs attention first")),
    ("waiting", gettext_lazy("Longest wait for a reply")),
    ("unread", gettext_lazy("Most unread messages")),
    ("review", gettext_lazy("Agreement review due")),
    ("contact", gettext_lazy("Least recent contact")),
    ("name", gettext_lazy("Name")),
]


class CaseloadView(View):
    template_name = "care/caseload.html"

    def _render(self, request: HttpRequest, form: LinkRequestForm | None = None) -> HttpResponse:
        provider = provider_of(request)
        if not roles_of(request).verified_provider:
            return not_verified(request)
        found = triage.caseload_triage(provider, sort=request.GET.get("sort", ""))
        context = {
            "caseload": found.caseload,
            "asks": list(asking.asks_waiting_for_provider(provider)),
            "triage": found,
            "sorts": SORT_LABELS,
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


@require_POST
def ask_accept(request: HttpRequest, relationship_id: int) -> HttpResponseBase:
    """The provider accepts a person's ask: they join the care team, seeing nothing yet."""
    provider = provider_of(request)
    relationship = asking.get_ask_for_provider(provider, relationship_id)
    try:
        asking.accept_ask(provider=provider, relationship=relationship)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("care:caseload")
    messages.success(
        request,
        _(
            "%(name)s is now on your caseload. You see what they choose to share with you, "
            "nothing else."
        )
        % {"name": relationship.service_user.get_full_name()},
    )
    return redirect("care:person-detail", owner_id=relationship.service_user_id)


@require_POST
def ask_decline(request: HttpRequest, relationship_id: int) -> HttpResponseBase:
    """The provider declines a person's ask; no reason is asked for. The person is told."""
    provider = provider_of(request)
    relationship = asking.get_ask_for_provider(provider, relationship_id)
    try:
        asking.decline_ask(provider=provider, relationship=relationship)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("You declined. %(name)s is told that you cannot join their care team.")
            % {"name": relationship.service_user.get_full_name()},
        )
    return redirect("care:caseload")


def person_detail(request: HttpRequest, owner_id: int) -> HttpResponse:
    provider = current_user(request)
    relationship = access.get_relationship_for_provider(provider, owner_id)
    # Read first: the page shows what changed since the previous visit, then marks this one.
    overview = caseload.person_overview(relationship)
    row, messages_available = triage.person_triage(relationship, overview.agreement)
    services.mark_person_seen(provider=provider, relationship=relationship)
    context = {"overview": overview, "row": row, "messages_available": messages_available}
    return render(request, "care/person_detail.html", context)
