"""The control panel (status → process → goals per life domain) and the life domains, including an organisation admin's page for the organisation's domains."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.accounts.access import get_managed_organisation_for_admin
from tandem.accounts.requests import current_user
from tandem.core.forms import attach_service_error
from tandem.toolbox import access, selectors, services
from tandem.toolbox.forms import (
    DomainForm,
    StatusForm,
)
from tandem.toolbox.views.common import (
    page_context,
    toolbox_owner,
)


@require_GET
@toolbox_owner
def home(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    return render(
        request,
        "toolbox/home.html",
        {"panel": selectors.control_panel(user), **page_context(user, False)},
    )


@require_http_methods(["GET", "POST"])
@toolbox_owner
def domain_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = DomainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            domain = services.add_personal_domain(owner=user, name=form.cleaned_data["name"])
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(request, _("“%(name)s” is added.") % {"name": domain.label})
            return redirect("toolbox:domain-list")
    return render(
        request,
        "toolbox/domain_list.html",
        {"domains": selectors.visible_domains(user), "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@toolbox_owner
def domain_detail(request: HttpRequest, domain_id: int) -> HttpResponse:
    user = current_user(request)
    domain = access.get_domain_for_owner(user, domain_id)
    form = StatusForm(request.POST or None, owner=user, domain=domain)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_status(
                owner=user,
                domain=domain,
                rating=form.cleaned_data["rating"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(request, _("Your rating is saved."))
            return redirect("toolbox:domain-detail", domain_id=domain.pk)
    return render(
        request,
        "toolbox/domain_detail.html",
        {
            "detail": selectors.domain_detail(user, domain),
            "form": form,
            **page_context(user, False),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@toolbox_owner
def domain_remove(request: HttpRequest, domain_id: int) -> HttpResponseBase:
    user = current_user(request)
    domain = access.get_personal_domain_for_owner(user, domain_id)
    services.remove_personal_domain(owner=user, domain=domain)
    messages.success(
        request,
        _("“%(name)s” is removed from your lists. What you wrote there is kept.")
        % {"name": domain.label},
    )
    return redirect("toolbox:domain-list")


@require_http_methods(["GET", "POST"])
def organisation_domains(request: HttpRequest, org_id: int) -> HttpResponse:
    user = current_user(request)
    organisation = get_managed_organisation_for_admin(user, org_id)
    form = DomainForm(request.POST if request.POST.get("action") == "add" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                if form.is_valid():
                    services.add_organisation_domain(
                        actor=user, organisation=organisation, name=form.cleaned_data["name"]
                    )
                    messages.success(request, _("Life domain added."))
                    return redirect("toolbox:organisation-domains", org_id=organisation.pk)
            elif action in {"hide", "show", "remove"}:
                domain = access.get_domain_for_organisation_admin(
                    organisation, request.POST.get("domain", "")
                )
                if action == "remove":
                    services.remove_organisation_domain(
                        actor=user, organisation=organisation, domain=domain
                    )
                else:
                    services.set_default_domain_hidden(
                        actor=user,
                        organisation=organisation,
                        domain=domain,
                        hidden=action == "hide",
                    )
                messages.success(request, _("Life domains saved."))
                return redirect("toolbox:organisation-domains", org_id=organisation.pk)
        except ValidationError as error:
            attach_service_error(form, error)
    return render(
        request,
        "toolbox/organisation_domains.html",
        {
            "organisation": organisation,
            "domains": selectors.domains_for_organisation(organisation),
            "form": form,
        },
        status=400 if form.errors else 200,
    )
