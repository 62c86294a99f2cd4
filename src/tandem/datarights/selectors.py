"""Reads of data rights, scoped to the person asking."""

from __future__ import annotations

from tandem.accounts.models import User
from tandem.datarights.models import DataExport, DeletionRequest


def latest_export_for_user(user: User) -> DataExport | None:
    return DataExport.objects.filter(user=user).order_by("-requested_at").first()


def pending_deletion_for_user(user: User) -> DeletionRequest | None:
    return DeletionRequest.objects.filter(
        user_ref=user.pk, cancelled_at__isnull=True, completed_at__isnull=True
    ).first()
