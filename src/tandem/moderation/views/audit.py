"""An organisation's audit log, for its admins."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tandem.accounts.requests import current_user
from tandem.moderation import access, selectors
from tandem.moderation.forms import AuditFilterForm


def audit_log(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = access.get_organisation_for_admin(current_user(request), organisation_id)
    communities = list(selectors.communities_of_organisation(organisation))
    form = AuditFilterForm(request.GET or None, communities=communities)
    filters: dict[str, Any] = {}
    status = 200
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            filters = {
                "action": data.get("action") or "",
                "community_id": data.get("community"),
                "pseudonym": (data.get("pseudonym") or "").strip(),
                "start": data.get("start"),
                "end": data.get("end"),
            }
        else:
            status = 400
    entries = selectors.audit_log(organisation, **filters)
    page = Paginator(entries, selectors.AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "organisation": organisation,
        "form": form,
        "page": page,
        "querystring": query.urlencode(),
    }
    return render(request, "moderation/audit_log.html", context, status=status)
