"""The network map and list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tandem.accounts.models import User
from tandem.accounts.requests import current_user
from tandem.care.access import get_owner_for_viewer
from tandem.care.models import Module
from tandem.core.forms import attach_service_error
from tandem.toolbox import access, selectors, services
from tandem.toolbox.forms import NetworkMemberForm
from tandem.toolbox.views.common import (
    form_page,
    page_context,
    paginate,
    toolbox_owner,
)
from tandem.toolbox.views.undo import confirm_undoable_delete, deleted_redirect


def _network_page(
    request: HttpRequest,
    owner: User,
    *,
    read_only: bool,
    form: NetworkMemberForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "toolbox/network.html",
        {
            "map": selectors.network_map_for_owner(owner),
            "page_obj": paginate(request, selectors.network_for_owner(owner)),
            "form": form,
            **page_context(owner, read_only),
        },
        status=status,
    )


def _network_arguments(form: NetworkMemberForm) -> dict[str, Any]:
    return {
        name: form.cleaned_data[name]
        for name in ("name", "relationship", "contact", "circle", "quality")
    }


@require_http_methods(["GET", "POST"])
@toolbox_owner
def network(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if request.method == "GET":
        return _network_page(request, user, read_only=False, form=NetworkMemberForm())
    form = NetworkMemberForm(request.POST)
    if form.is_valid():
        try:
            member = services.add_network_member(owner=user, **_network_arguments(form))
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(request, _("%(name)s is on your map.") % {"name": member.name})
            return redirect("toolbox:network")
    return _network_page(request, user, read_only=False, form=form, status=400)


@require_http_methods(["GET", "POST"])
@toolbox_owner
def network_edit(request: HttpRequest, member_id: int) -> HttpResponse:
    user = current_user(request)
    member = access.get_network_member_for_owner(user, member_id)
    initial = {
        name: getattr(member, name)
        for name in ("name", "relationship", "contact", "circle", "quality")
    }
    form = NetworkMemberForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_network_member(owner=user, member=member, **_network_arguments(form))
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("toolbox:network")
    return form_page(
        request,
        form,
        title=_("Change %(name)s") % {"name": member.name},
        submit=_("Save"),
        cancel_url=reverse("toolbox:network"),
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@toolbox_owner
def network_delete(request: HttpRequest, member_id: int) -> HttpResponseBase:
    user = current_user(request)
    member = access.get_network_member_for_owner(user, member_id)
    if request.method == "GET":
        return confirm_undoable_delete(
            request,
            member,
            title=_("Remove %(name)s from your map?") % {"name": member.name},
            button=_("Yes, remove"),
        )
    services.delete_network_member(owner=user, member=member)
    return deleted_redirect("person", member)


@require_GET
def shared_network(request: HttpRequest, owner_id: int) -> HttpResponse:
    owner = get_owner_for_viewer(request.user, owner_id, Module.NETWORK)
    return _network_page(request, owner, read_only=True)
