"""Confirming the deletes that can be undone, and the undo itself.

A delete button is a link to a confirmation page (GET), so it asks first without JavaScript;
the page's button POSTs. The row is then kept for ``UNDO_WINDOW`` (``models.kept``) and the
person lands on a page that says what went and offers "Undo" until the window closes.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tandem.accounts.requests import current_user
from tandem.toolbox import access, services
from tandem.toolbox.models import Activity, GoalStep, NetworkMember, StatusRating
from tandem.toolbox.models.kept import UNDO_WINDOW, Undoable
from tandem.toolbox.views.common import toolbox_owner


def describe(item: Undoable) -> str:
    """What the row is, in the person's words, for the confirmation and the undo page."""
    if isinstance(item, StatusRating):
        return _("Your rating of %(domain)s, %(rating)s/10 on %(date)s") % {
            "domain": item.domain.label,
            "rating": item.rating,
            "date": date_format(item.recorded_at, "j M Y, H:i"),
        }
    if isinstance(item, GoalStep):
        return _("The step “%(text)s”") % {"text": item.text}
    if isinstance(item, Activity):
        return _("The activity “%(text)s”") % {"text": item.description}
    if isinstance(item, NetworkMember):
        return _("%(name)s on your network map") % {"name": item.name}
    raise TypeError(type(item))


def back_url(item: Undoable) -> str:
    if isinstance(item, StatusRating):
        return reverse("toolbox:status")
    if isinstance(item, GoalStep):
        return reverse("toolbox:goal-detail", args=[item.goal_id]) + "#steps"
    if isinstance(item, Activity):
        return reverse("toolbox:activity-list")
    return reverse("toolbox:network")


def confirm_undoable_delete(
    request: HttpRequest, item: Undoable, *, title: str, button: str
) -> HttpResponse:
    return render(
        request,
        "toolbox/confirm_undoable.html",
        {
            "title": title,
            "what": _(
                "%(what)s will be deleted. You can undo this for %(minutes)s minutes afterwards."
            )
            % {"what": describe(item), "minutes": int(UNDO_WINDOW.total_seconds() // 60)},
            "button": button,
            "cancel_url": back_url(item),
        },
    )


def deleted_redirect(kind: str, item: Undoable) -> HttpResponseBase:
    return redirect("toolbox:deleted", kind=kind, item_id=item.pk)


def _until(item: Undoable) -> datetime:
    return (item.deleted_at or timezone.now()) + UNDO_WINDOW


@require_GET
@toolbox_owner
def deleted(request: HttpRequest, kind: str, item_id: int) -> HttpResponse:
    user = current_user(request)
    try:
        item = access.get_deleted_item_for_owner(user, kind, item_id)
    except Http404:
        return render(request, "toolbox/undo_gone.html", status=404)
    return render(
        request,
        "toolbox/deleted.html",
        {
            "what": describe(item),
            "until": _until(item),
            "undo_url": reverse("toolbox:deleted-undo", args=[kind, item.pk]),
            "back_url": back_url(item),
        },
    )


@require_POST
@toolbox_owner
def deleted_undo(request: HttpRequest, kind: str, item_id: int) -> HttpResponseBase:
    user = current_user(request)
    try:
        item = access.get_deleted_item_for_owner(user, kind, item_id)
    except Http404:
        return render(request, "toolbox/undo_gone.html", status=404)
    services.restore_deleted(owner=user, item=item)
    messages.success(request, _("%(what)s is back.") % {"what": describe(item)})
    return redirect(back_url(item))
