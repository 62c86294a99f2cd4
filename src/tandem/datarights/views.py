"""Pages of data rights: asking for an export, watching it build, downloading it; deleting
the account. Every page is about the person asking: no page takes another person's id."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_GET, require_POST

from tandem.accounts.models import Role
from tandem.accounts.reauth import require_fresh_proof
from tandem.accounts.requests import current_user, roles_of
from tandem.core.forms import attach_service_error
from tandem.datarights import changes, selectors
from tandem.datarights.access import get_export_for_user
from tandem.datarights.forms import DeletionForm
from tandem.datarights.services import deletion as deletion_services
from tandem.datarights.services import exports as export_services


class DataRightsView(View):
    """My data: the latest export and a button for a new one; the way to delete the account."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, error=None)

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            export = export_services.request_export(user=current_user(request))
        except ValidationError as error:
            return self._render(request, error=" ".join(error.messages), status=409)
        return redirect("datarights:export-status", export_id=export.pk)

    def _render(
        self, request: HttpRequest, *, error: str | None, status: int = 200
    ) -> HttpResponse:
        user = current_user(request)
        context = {"export": selectors.latest_export_for_user(user), "error": error}
        return render(request, "datarights/data_rights.html", context, status=status)


@require_GET
def export_status(request: HttpRequest, export_id: uuid.UUID) -> HttpResponse:
    export = get_export_for_user(current_user(request), export_id)
    return render(request, "datarights/export_status.html", {"export": export})


@require_GET
def export_progress(request: HttpRequest, export_id: uuid.UUID) -> JsonResponse:
    """How far the export has got, for the status page's script (no data, only the state)."""
    export = get_export_for_user(current_user(request), export_id)
    if export.is_downloadable() and export.expires_at is not None:
        until = date_format(timezone.localtime(export.expires_at), "j F Y, H:i")
        message = _("Your data is ready. You can download it until %(until)s.") % {"until": until}
    elif export.is_building:
        message = ""
    else:
        message = _("%(status)s. You can ask for a new export on the My data page.") % {
            "status": export.get_status_display()
        }
    # Not cached anywhere: the site's middleware marks every signed-in answer no-store.
    return JsonResponse(
        {
            "building": export.is_building,
            "ready": export.is_downloadable(),
            "progress": 100 if export.is_downloadable() else export.progress,
            "message": message,
        }
    )


@require_POST
def export_download(request: HttpRequest, export_id: uuid.UUID) -> HttpResponseBase:
    """Send the owner their ZIP, after fresh proof of identity, while it has not expired."""
    export = get_export_for_user(current_user(request), export_id)
    if not export.is_downloadable():
        return render(request, "datarights/export_gone.html", {"export": export}, status=410)
    require_fresh_proof(request, reason=_("Confirm it is you to download your data."))
    response = HttpResponse(export_services.read_export(export), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="tandem-my-data.zip"'
    return response


@require_GET
def change_list(request: HttpRequest) -> HttpResponse:
    """Changes to my data: who gave or took access, started or ended what, and when."""
    page, lines = changes.change_page_for_user(current_user(request), request.GET.get("page"))
    return render(request, "datarights/change_list.html", {"page": page, "lines": lines})


class DeletionView(View):
    """What deleting my account does, for my roles; asking for it starts the grace period."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, DeletionForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = DeletionForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        require_fresh_proof(request, reason=_("Confirm it is you to delete your account."))
        user = current_user(request)
        try:
            deletion = deletion_services.request_deletion(
                user=user, forum_posts=form.cleaned_data["forum_posts"]
            )
        except ValidationError as error:
            attach_service_error(form, error)
            return self._render(request, form, status=409)
        deletion_services.end_sessions(user=user)
        logout(request)
        return render(request, "datarights/deletion_requested.html", {"deletion": deletion})

    def _render(self, request: HttpRequest, form: DeletionForm, status: int = 200) -> HttpResponse:
        roles = roles_of(request)
        context: dict[str, Any] = {
            "form": form,
            "is_provider": roles.has(Role.PROVIDER),
            "is_moderator": roles.has(Role.MODERATOR),
        }
        return render(request, "datarights/deletion.html", context, status=status)
