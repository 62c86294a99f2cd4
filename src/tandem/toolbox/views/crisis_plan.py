"""The crisis plan: view, edit, print view, offline copy and its service worker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tandem.accounts import selectors as account_selectors
from tandem.accounts.models import User
from tandem.accounts.requests import current_user
from tandem.care.access import get_owner_for_viewer
from tandem.care.models import Module
from tandem.core.forms import attach_service_error
from tandem.toolbox import selectors, services
from tandem.toolbox.forms import CrisisPlanForm
from tandem.toolbox.views.common import (
    form_page,
    page_context,
    toolbox_owner,
)


def _crisis_plan_context(request: HttpRequest, owner: User, read_only: bool) -> dict[str, Any]:
    plan = selectors.crisis_plan_for_owner(owner)
    organisation = account_selectors.primary_organisation_for_user(owner)
    return {
        "plan": plan,
        "sections": selectors.crisis_plan_sections(plan),
        "contacts": account_selectors.crisis_contacts_for_organisation(organisation),
        **page_context(owner, read_only),
    }


@require_GET
@toolbox_owner
def crisis_plan(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    return render(request, "toolbox/crisis_plan.html", _crisis_plan_context(request, user, False))


@require_http_methods(["GET", "POST"])
@toolbox_owner
def crisis_plan_edit(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    plan = selectors.crisis_plan_for_owner(user)
    initial = {s.key: s.text for s in selectors.crisis_plan_sections(plan)}
    form = CrisisPlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_crisis_plan(owner=user, sections=form.cleaned_data)
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(request, _("Your crisis plan is saved."))
            return redirect("toolbox:crisis-plan")
    return form_page(
        request,
        form,
        title=_("My crisis plan"),
        intro=_(
            "Write it in your own words, when you feel well enough to. You can come back and "
            "change it at any time. One thing per line works well."
        ),
        submit=_("Save my crisis plan"),
        cancel_url=reverse("toolbox:crisis-plan"),
        status=400 if form.errors else 200,
    )


@require_GET
@toolbox_owner
def crisis_plan_print(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    return render(
        request, "toolbox/crisis_plan_print.html", _crisis_plan_context(request, user, False)
    )


@require_GET
@toolbox_owner
def crisis_plan_offline(request: HttpRequest) -> HttpResponse:
    """The stand-alone copy the service worker keeps on the device (docs/toolbox.md).

    It carries no form and no CSRF token, so a stale copy cannot act on the person's behalf.
    """
    user = current_user(request)
    context = _crisis_plan_context(request, user, False)
    # Only the copy the service worker fetches to keep may say it is kept on this device;
    # the same page opened online says what it is instead.
    context["kept_copy"] = request.headers.get("X-Tandem-Keep") == "1"
    response = render(request, "toolbox/crisis_plan_offline.html", context)
    patch_vary_headers(response, ["X-Tandem-Keep"])
    return response


SERVICE_WORKER_SCOPE = "/toolbox/crisis-plan/"


@require_GET
def crisis_plan_service_worker(request: HttpRequest) -> HttpResponse:
    """Serve the crisis plan's service worker from the site root.

    Its file is an ordinary static file; served here it keeps one stable URL (static names
    carry a hash in production, and a worker's URL must not change) and gets the headers a
    worker needs. It is registered with the scope ``/toolbox/crisis-plan/`` only, so it sees
    no other page.
    """
    path = finders.find("toolbox/crisis-plan-sw.js")
    if not path:
        raise Http404
    response = HttpResponse(
        Path(str(path)).read_text(encoding="utf-8"),
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = SERVICE_WORKER_SCOPE
    return response


@require_GET
def shared_crisis_plan(request: HttpRequest, owner_id: int) -> HttpResponse:
    owner = get_owner_for_viewer(request.user, owner_id, Module.CRISIS_PLAN)
    return render(request, "toolbox/crisis_plan.html", _crisis_plan_context(request, owner, True))
