"""The moderation dashboard, and going on or off duty."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.accounts.requests import current_user
from tandem.moderation import access, selectors, services
from tandem.moderation.forms import DutyForm


def home(request: HttpRequest) -> HttpResponse:
    """The moderation dashboard: communities with waiting items, duty, review times."""
    dashboards = selectors.dashboards_for_user(current_user(request))
    if not dashboards:
        raise Http404
    return render(request, "moderation/home.html", {"dashboards": dashboards})


@require_POST
def duty(request: HttpRequest, organisation_id: int) -> HttpResponse:
    user = current_user(request)
    organisation = access.get_organisation_for_moderator(user, organisation_id)
    form = DutyForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    services.set_duty(
        moderator=user, organisation=organisation, on_duty=form.cleaned_data["on_duty"]
    )
    messages.success(
        request,
        _("You are on duty: you will be told at once about urgent posts.")
        if form.cleaned_data["on_duty"]
        else _("You are off duty."),
    )
    return redirect("moderation:home")
