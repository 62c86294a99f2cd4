"""Current and past medications."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.accounts.models import User
from tandem.accounts.requests import current_user
from tandem.care.access import get_owner_for_viewer
from tandem.care.models import Module
from tandem.core.forms import attach_service_error
from tandem.toolbox import access, selectors, services
from tandem.toolbox.forms import MedicationForm
from tandem.toolbox.views.common import (
    confirm_delete,
    form_page,
    page_context,
    paginate,
    toolbox_owner,
)


def _medication_list_page(request: HttpRequest, owner: User, *, read_only: bool) -> HttpResponse:
    return render(
        request,
        "toolbox/medication_list.html",
        {
            "current": paginate(request, selectors.current_medications(owner)),
            "past": paginate(request, selectors.past_medications(owner), "past_page"),
            **page_context(owner, read_only),
        },
    )


@require_GET
@toolbox_owner
def medication_list(request: HttpRequest) -> HttpResponse:
    return _medication_list_page(request, current_user(request), read_only=False)


@require_http_methods(["GET", "POST"])
@toolbox_owner
def medication_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = MedicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_medication(owner=user, **form.cleaned_data)
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(request, _("Medication saved."))
            return redirect("toolbox:medication-list")
    return form_page(
        request,
        form,
        title=_("Add a medication"),
        submit=_("Save medication"),
        cancel_url=reverse("toolbox:medication-list"),
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@toolbox_owner
def medication_edit(request: HttpRequest, medication_id: int) -> HttpResponse:
    user = current_user(request)
    medication = access.get_medication_for_owner(user, medication_id)
    initial = {name: getattr(medication, name) for name in services.MEDICATION_FIELDS}
    form = MedicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_medication(owner=user, medication=medication, **form.cleaned_data)
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(request, _("Medication saved."))
            return redirect("toolbox:medication-list")
    return form_page(
        request,
        form,
        title=_("Change medication"),
        submit=_("Save medication"),
        cancel_url=reverse("toolbox:medication-list"),
        status=400 if form.errors else 200,
    )


@require_POST
@toolbox_owner
def medication_stop(request: HttpRequest, medication_id: int) -> HttpResponseBase:
    user = current_user(request)
    medication = access.get_medication_for_owner(user, medication_id)
    try:
        services.stop_medication(owner=user, medication=medication)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(name)s is moved to past medications.") % {"name": medication.name}
        )
    return redirect("toolbox:medication-list")


@require_http_methods(["GET", "POST"])
@toolbox_owner
def medication_delete(request: HttpRequest, medication_id: int) -> HttpResponse:
    user = current_user(request)
    medication = access.get_medication_for_owner(user, medication_id)
    if request.method == "POST":
        services.delete_medication(owner=user, medication=medication)
        messages.success(request, _("Medication deleted."))
        return redirect("toolbox:medication-list")
    return confirm_delete(
        request,
        title=_("Delete this medication?"),
        what=_(
            "“%(name)s” will be deleted for good. To keep it as a past medication, "
            "mark it as stopped instead."
        )
        % {"name": medication.name},
        cancel_url=reverse("toolbox:medication-list"),
    )


@require_GET
def shared_medications(request: HttpRequest, owner_id: int) -> HttpResponse:
    owner = get_owner_for_viewer(request.user, owner_id, Module.MEDICATIONS)
    return _medication_list_page(request, owner, read_only=True)
