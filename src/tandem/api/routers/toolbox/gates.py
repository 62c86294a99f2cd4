"""The toolbox router, and who may read or change a toolbox through it.

Reads go through ``care.access``, the pages' one door (``module_access``, ``item_access``).
Changes are the owner's alone, as on the pages (``own_toolbox``): the care team comments,
through care, and never changes a toolbox.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import models
from django.http import Http404, HttpRequest
from ninja import Router

from tandem.accounts.models import Role, User
from tandem.accounts.requests import roles_of
from tandem.api.routers.common import person
from tandem.care.access import (
    ItemAccess,
    ModuleAccess,
    get_item_access_for_viewer,
    get_module_access_for_viewer,
    refuse,
)

ItemT = TypeVar("ItemT", bound=models.Model)

router = Router(tags=["Toolbox"])


def _has_toolbox(request: HttpRequest) -> bool:
    # Only service users have a toolbox: for anyone else the toolbox pages do not exist either
    # (``toolbox.views.common.toolbox_owner``).
    return roles_of(request).has(Role.SERVICE_USER)


def module_access(request: HttpRequest, owner_id: int, module: str) -> ModuleAccess:
    """The care gate's answer for a read of ``owner_id``'s ``module`` (recorded in the owner's
    access log when someone else reads; Http404 and a security event when refused)."""
    seen = get_module_access_for_viewer(person(request), owner_id, module)
    if seen.is_owner and not _has_toolbox(request):
        raise Http404
    return seen


def item_access(
    request: HttpRequest,
    owner_id: int,
    module: str,
    *,
    kind: str,
    fetch: Callable[[User], ItemT],
) -> ItemAccess[ItemT]:
    """The care gate's answer for a read of one item (``fetch(owner)``, the toolbox's own
    owner-scoped gate), recorded as a read of that item, as the item's page does."""
    read = get_item_access_for_viewer(person(request), owner_id, module, kind=kind, fetch=fetch)
    if read.seen.is_owner and not _has_toolbox(request):
        raise Http404
    return read


def own_toolbox(request: HttpRequest, owner_id: int, module: str) -> User:
    """Return the person asking when ``owner_id`` is their own toolbox, for a change to it.

    Raise Http404 otherwise: for someone else's id (whatever their grants: providers comment
    through the pages, they never change a toolbox), recorded as a refused access to the
    module, a security event as a refused read is; and for a person without a toolbox.
    """
    user = person(request)
    if owner_id != user.pk:
        raise refuse(user, owner_id, module)
    if not _has_toolbox(request):
        raise Http404
    return user
