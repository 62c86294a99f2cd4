"""Deleted, but kept for a few minutes so the owner can undo.

Statuses, goal steps, activities and people on the network map are small rows that a slip of
the finger removes. Deleting one sets ``deleted_at``; the default manager hides it everywhere
(owner pages, care-team pages, counts, changes), and for ``UNDO_WINDOW`` the owner can bring it
back. After that ``services.purge_deleted`` removes it for good (at the next delete, and from
``manage.py purge_deleted_toolbox_items``). Cascades and forward relations use Django's base
manager, so deleting a goal or an account still removes kept rows too.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TypeVar

from django.db import models

UNDO_WINDOW = timedelta(minutes=10)

_M = TypeVar("_M", bound=models.Model)


class LiveManager(models.Manager[_M]):
    """Only rows that are not deleted."""

    def get_queryset(self) -> models.QuerySet[_M]:
        return super().get_queryset().filter(deleted_at__isnull=True)


class Undoable(models.Model):
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True
