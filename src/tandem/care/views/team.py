"""The service user's pages: my care team, answering requests, sharing, the access log."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_GET, require_POST

from tandem.accounts.models import User
from tandem.accounts.reauth import require_fresh_proof
from tandem.care import access, selectors, services
from tandem.care.access_log import lines_for_owner
from tandem.care.forms import AccessLogFilterForm, LinkCodeForm, SharingForm
from tandem.care.services import asking
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


class AskProviderForm(forms.Form):
    """Which of her organisation's care providers the service user asks to join."""

    provider = forms.TypedChoiceField(
        label=gettext_lazy("Care provider to ask"),
        coerce=int,
        error_messages={"invalid_choice": gettext_lazy("Choose a care provider from the list.")},
    )

    def __init__(self, *args: Any, providers: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedChoiceField, self.fields["provider"])
        field.choices = [("", _("Choose a care provider"))] + [
            (p.pk, f"{p.get_full_name()} ({p.profession})" if p.profession else p.get_full_name())
            for p in providers
        ]


def _render_team(
    request: HttpRequest,
    *,
    form: LinkCodeForm | None = None,
    ask_form: AskProviderForm | None = None,
) -> HttpResponse:
    """My care team: the team, requests both ways, asking a provider, adding by code. A
    bound form means it had errors (400)."""
    user = service_user_of(request)
    context = {
        "team": selectors.care_team_for_service_user(user),
        "asks": list(asking.asks_of_service_user(user)),
        "form": form or LinkCodeForm(),
        "ask_form": ask_form or AskProviderForm(providers=asking.askable_providers(user)),
    }
    status = 400 if form or ask_form else 200
    return render(request, "care/care_team.html", context, status=status)


class CareTeamView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return _render_team(request)

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
        return _render_team(request, form=form)


@require_POST
def ask_provider(request: HttpRequest) -> HttpResponse:
    """Ask one of the organisation's care providers to join; they answer on their caseload."""
    user = service_user_of(request)
    form = AskProviderForm(request.POST, providers=asking.askable_providers(user))
    if form.is_valid():
        require_fresh_proof(request, reason=ADD_PROVIDER_PROOF_MESSAGE)
        try:
            relationship = asking.ask_provider(
                service_user=user, provider_id=form.cleaned_data["provider"]
            )
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(
                request,
                _("We asked %(name)s to join your care team. You will be told when they answer.")
                % {"name": relationship.provider.get_full_name()},
            )
            return redirect("care:team")
    return _render_team(request, ask_form=form)


@require_POST
def ask_withdraw(request: HttpRequest, relationship_id: int) -> HttpResponseBase:
    user = service_user_of(request)
    relationship = asking.get_ask_for_service_user(user, relationship_id)
    try:
        asking.withdraw_ask(service_user=user, relationship=relationship)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Your request to %(name)s is withdrawn.")
            % {"name": relationship.provider.get_full_name()},
        )
    return redirect("care:team")


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
