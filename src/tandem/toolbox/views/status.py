"""Self-ratings per life domain, with charts of change over time."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tandem.accounts.models import User
from tandem.accounts.requests import current_user
from tandem.care.access import get_owner_for_viewer
from tandem.care.models import Module
from tandem.core.forms import attach_service_error
from tandem.toolbox import access, selectors, services
from tandem.toolbox.forms import StatusForm
from tandem.toolbox.views.common import (
    page_context,
    paginate,
    toolbox_owner,
)
from tandem.toolbox.views.undo import confirm_undoable_delete, deleted_redirect


def _status_page(
    request: HttpRequest,
    owner: User,
    *,
    read_only: bool,
    form: StatusForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "toolbox/status.html",
        {
            "domains": selectors.status_overview(owner),
            "page_obj": paginate(request, selectors.ratings_for_owner(owner)),
            "form": form,
            **page_context(owner, read_only),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@toolbox_owner
def status(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if request.method == "GET":
        initial_domain = request.GET.get("domain")
        return _status_page(
            request,
            user,
            read_only=False,
            form=StatusForm(owner=user, initial={"domain": initial_domain}),
        )
    form = StatusForm(request.POST, owner=user)
    if form.is_valid():
        try:
            services.record_status(
                owner=user,
                domain=form.cleaned_data["domain"],
                rating=form.cleaned_data["rating"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(request, _("Your rating is saved."))
            return redirect("toolbox:status")
    return _status_page(request, user, read_only=False, form=form, status=400)


@require_http_methods(["GET", "POST"])
@toolbox_owner
def rating_delete(request: HttpRequest, rating_id: int) -> HttpResponseBase:
    user = current_user(request)
    rating = access.get_rating_for_owner(user, rating_id)
    if request.method == "GET":
        return confirm_undoable_delete(
            request, rating, title=_("Delete this rating?"), button=_("Yes, delete")
        )
    services.delete_status_rating(owner=user, rating=rating)
    return deleted_redirect("rating", rating)


@require_GET
def shared_status(request: HttpRequest, owner_id: int) -> HttpResponse:
    owner = get_owner_for_viewer(request.user, owner_id, Module.STATUS)
    return _status_page(request, owner, read_only=True)
