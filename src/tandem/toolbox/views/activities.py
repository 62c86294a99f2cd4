"""The activity log: what the service user did towards a life domain or a goal, and the care
team's read-only list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tandem.accounts.models import User
from tandem.accounts.requests import current_user
from tandem.care.access import get_owner_for_viewer
from tandem.care.models import Module
from tandem.core.forms import attach_service_error
from tandem.toolbox import access, selectors, services
from tandem.toolbox.forms import ActivityForm
from tandem.toolbox.views.common import (
    domain_initial,
    form_page,
    page_context,
    paginate,
    toolbox_owner,
)
from tandem.toolbox.views.undo import confirm_undoable_delete, deleted_redirect


def _activity_list_page(
    request: HttpRequest,
    owner: User,
    *,
    read_only: bool,
    form: ActivityForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "toolbox/activity_list.html",
        {
            "page_obj": paginate(request, selectors.activities_for_owner(owner)),
            "form": form,
            **page_context(owner, read_only),
        },
        status=status,
    )


def _activity_arguments(form: ActivityForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "description": data["description"],
        "done_on": data["done_on"],
        "domain": data["domain"],
        "goal": data["goal"],
    }


@require_http_methods(["GET", "POST"])
@toolbox_owner
def activity_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if request.method == "GET":
        initial: dict[str, Any] = {"done_on": timezone.localdate()}
        initial |= domain_initial(request)
        goal = request.GET.get("goal", "")
        if goal.isdigit():
            initial["goal"] = int(goal)
        form = ActivityForm(owner=user, initial=initial)
        return _activity_list_page(request, user, read_only=False, form=form)
    form = ActivityForm(request.POST, owner=user)
    if form.is_valid():
        try:
            services.log_activity(owner=user, **_activity_arguments(form))
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(request, _("Activity saved."))
            return redirect("toolbox:activity-list")
    return _activity_list_page(request, user, read_only=False, form=form, status=400)


@require_http_methods(["GET", "POST"])
@toolbox_owner
def activity_edit(request: HttpRequest, activity_id: int) -> HttpResponse:
    user = current_user(request)
    activity = access.get_activity_for_owner(user, activity_id)
    initial = {
        "description": activity.description,
        "done_on": activity.done_on,
        "domain": activity.domain_id,
        "goal": activity.goal_id,
    }
    form = ActivityForm(request.POST or None, owner=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_activity(owner=user, activity=activity, **_activity_arguments(form))
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(request, _("Activity saved."))
            return redirect("toolbox:activity-list")
    return form_page(
        request,
        form,
        title=_("Change activity"),
        submit=_("Save activity"),
        cancel_url=reverse("toolbox:activity-list"),
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@toolbox_owner
def activity_delete(request: HttpRequest, activity_id: int) -> HttpResponseBase:
    user = current_user(request)
    activity = access.get_activity_for_owner(user, activity_id)
    if request.method == "GET":
        return confirm_undoable_delete(
            request, activity, title=_("Delete this activity?"), button=_("Yes, delete")
        )
    services.delete_activity(owner=user, activity=activity)
    return deleted_redirect("activity", activity)


@require_GET
def shared_activities(request: HttpRequest, owner_id: int) -> HttpResponse:
    owner = get_owner_for_viewer(request.user, owner_id, Module.GOALS)
    return _activity_list_page(request, owner, read_only=True)
