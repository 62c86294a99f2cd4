"""In-portal notifications: the list (only from spaces the person can still see) and marking
them read, through notifications' selector, gate and services."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from tandem.api.routers.common import REFUSALS, Id, PageNumber, paged, person
from tandem.api.schemas import NotificationOut, Page, ReadAllOut
from tandem.notifications import selectors, services
from tandem.notifications.access import get_notification_for_recipient
from tandem.notifications.models import Notification

router = Router(tags=["Notifications"])


def _shape(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "title": notification.title,
        "url": notification.url,
        "created_at": notification.created_at,
        "read": notification.read_at is not None,
    }


@router.get("/notifications", response={200: Page[NotificationOut], **REFUSALS})
def notification_list(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    """Newest first. ``url`` is the page in Tandem it is about."""
    return paged(selectors.notifications_for_user(person(request)), page, _shape)


@router.post("/notifications/{notification_id}/read", response={200: NotificationOut, **REFUSALS})
def notification_read(request: HttpRequest, notification_id: Id) -> dict[str, Any]:
    """Mark one notification read (again: no change)."""
    notification = get_notification_for_recipient(person(request), notification_id)
    services.mark_read(notification=notification)
    return _shape(notification)


@router.post("/notifications/read-all", response={200: ReadAllOut, **REFUSALS})
def notification_read_all(request: HttpRequest) -> dict[str, Any]:
    return {"marked": services.mark_all_read(user=person(request))}
