"""The service user's pages: my care team, answering requests, sharing, the access log."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_GET, require_POST

from tandem.accounts.reauth import require_fresh_proof
from tandem.care import access, selectors, services
from tandem.care.access_log import lines_for_owner
from tandem.care.forms import AccessLogFilterForm, LinkCodeForm, SharingForm
from tandem.care.views.common import service_user_of
from tandem.core.forms import attach_service_error

ACCESS_LOG_PAGE_SIZE = 50

# Shown on the page that asks for fresh proof before a change that gives more access.
ADD_PROVIDER_PROOF_MESSAGE = _(
    "Adding someone to your care team lets them ask to see your information, so please "
    "confirm it is you."
)
MORE_ACCESS_PROOF_MESSAGE = _(
    "You are giving your care team more access, so please confirm it is you."
)
TAKEN_AWAY_FIRST_MESSAGE = _("What you took away is already removed.")


class CareTeamView(View):
    template_name = "care/care_team.html"

    def _render(self, request: HttpRequest, form: LinkCodeForm | None = None) -> HttpResponse:
        user = service_user_of(request)
        context = {
            "team": selectors.care_team_for_service_user(user),
            "form": form or LinkCodeForm(),
        }
        return render(request, self.template_name, context, status=400 if form else 200)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        user = service_user_of(request)
        form = LinkCodeForm(request.POST)
        if form.is_valid():
            require_fresh_proof(request, reason=ADD_PROVIDER_PROOF_MESSAGE)
            try:
                relationship = services.link_provider_by_code(
                    service_user=user, code=form.cleaned_data["code"]
                )
            except ValidationError as error:
                attach_service_error(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "%(name)s is now in your care team. They see nothing of yours until "
                        "you choose what to share."
                    )
                    % {"name": relationship.provider.get_full_name()},
                )
                return redirect("care:sharing")
        return self._render(request, form)


@require_POST
def request_accept(request: HttpRequest, relationship_id: int) -> HttpResponseBase:
    user = service_user_of(request)
    relationship = access.get_pending_relationship_for_service_user(user, relationship_id)
    require_fresh_proof(request, reason=ADD_PROVIDER_PROOF_MESSAGE)
    try:
        services.accept_request(service_user=user, relationship=relationship)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("care:team")
    messages.success(
        request,
        _("%(name)s is now in your care team. They see nothing until you choose what to share.")
        % {"name": relationship.provider.get_full_name()},
    )
    return redirect("care:sharing")


@require_POST
def request_decline(request: HttpRequest, relationship_id: int) -> HttpResponseBase:
    user = service_user_of(request)
    relationship = access.get_pending_relationship_for_service_user(user, relationship_id)
    services.decline_request(service_user=user, relationship=relationship)
    messages.success(request, _("Request declined. The care provider is not told."))
    return redirect("care:team")


class SharingView(View):
    template_name = "care/sharing.html"

    def _render(self, request: HttpRequest, form: SharingForm, status: int = 200) -> HttpResponse:
        return render(request, self.template_name, {"form": form}, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        user = service_user_of(request)
        return self._render(request, SharingForm(rows=selectors.sharing_for_service_user(user)))

    def post(self, request: HttpRequest) -> HttpResponse:
        user = service_user_of(request)
        form = SharingForm(request.POST, rows=selectors.sharing_for_service_user(user))
        if form.is_valid():
            # Taking access away never waits for proof: that part is saved at once. When the
            # person is asked to confirm it is them, allauth replays this whole form afterwards.
            lower, higher = form.levels_by_direction()
            taken_away = services.set_grants(service_user=user, levels=lower)
            if higher:
                reason = MORE_ACCESS_PROOF_MESSAGE
                if taken_away:
                    reason = f"{reason} {TAKEN_AWAY_FIRST_MESSAGE}"
                require_fresh_proof(request, reason=reason)
                services.set_grants(service_user=user, levels=higher)
            messages.success(request, _("Saved. Your care team sees exactly this from now on."))
            return redirect("care:sharing")
        return self._render(request, form, status=400)


@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    """The service user's access log, as sentences, filtered by who, what and days. Filters
    that are not valid are said beside their field (400) and the log is shown unfiltered."""
    user = service_user_of(request)
    form = AccessLogFilterForm(request.GET or None, viewers=selectors.access_log_viewers(user))
    filters: dict[str, Any] = {}
    status = 200
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            filters = {
                "viewer_id": data["who"],
                "module": data["module"],
                "start": data["start"],
                "end": data["end"],
            }
        else:
            status = 400
    entries = selectors.access_log_for_owner(user, **filters)
    page = Paginator(entries, ACCESS_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "lines": lines_for_owner(user, page.object_list),
        "filtered": bool(filters and any(v not in (None, "") for v in filters.values())),
        "extra_query": f"&{query.urlencode()}" if query else "",
    }
    return render(request, "care/access_log.html", context, status=status)
