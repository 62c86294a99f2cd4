"""Deleting small toolbox rows with an undo (see ``models.kept``): keep, restore, purge."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from tandem.accounts.models import User
from tandem.toolbox.models import Activity, GoalStep, NetworkMember, StatusRating
from tandem.toolbox.models.kept import UNDO_WINDOW, Undoable
from tandem.toolbox.services.common import check_owner

KEPT_MODELS: tuple[type[Undoable], ...] = (StatusRating, GoalStep, Activity, NetworkMember)


def keep_deleted(*, owner: User, item: Undoable) -> None:
    """Hide ``item`` now and keep it for ``UNDO_WINDOW``; purge what has waited longer."""
    check_owner(owner, item.goal if isinstance(item, GoalStep) else item)
    with transaction.atomic():
        item.deleted_at = timezone.now()
        item.save(update_fields=["deleted_at"])
        purge_deleted()


def restore_deleted(*, owner: User, item: Undoable) -> None:
    """Bring back a row deleted within ``UNDO_WINDOW`` (fetched by
    ``access.get_deleted_item_for_owner``, which checks the window)."""
    check_owner(owner, item.goal if isinstance(item, GoalStep) else item)
    item.deleted_at = None
    item.save(update_fields=["deleted_at"])


def purge_deleted(*, now: datetime | None = None) -> int:
    """Remove for good every kept row whose undo window has passed; returns how many."""
    before = (now or timezone.now()) - UNDO_WINDOW
    removed = 0
    for model in KEPT_MODELS:
        count, _ = model.all_objects.filter(deleted_at__lt=before).delete()  # type: ignore[attr-defined]
        removed += count
    return removed
