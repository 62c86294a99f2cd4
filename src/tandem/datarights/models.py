"""Requests a person makes about their own data: an export, and the deletion of their account.

Both refer to the person by a plain id as well as, while the account exists, a foreign key: a
finished deletion keeps its row (dates and a choice, no personal text) so operators can see
that it happened and when.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import User

GRACE_PERIOD = timedelta(days=7)
EXPORT_LIFETIME = timedelta(hours=24)


class ForumPostsChoice(models.TextChoices):
    DELETE = "delete", _("Delete my forum posts")
    ANONYMISE = "anonymise", _("Keep my forum posts, shown as written by “a former member”")


class DeletionRequest(models.Model):
    """A person asked for their account to be deleted; final after ``final_after``.

    Logging in before then cancels it (``cancelled_at``). ``user`` is cleared when the
    account is erased; ``user_ref`` keeps the plain id, like the access record does.
    """

    user = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    user_ref = models.PositiveBigIntegerField()
    forum_posts = models.CharField(
        max_length=20, choices=ForumPostsChoice.choices, default=ForumPostsChoice.DELETE
    )
    requested_at = models.DateTimeField(default=timezone.now)
    final_after = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user_ref"],
                condition=Q(cancelled_at__isnull=True, completed_at__isnull=True),
                name="datarights_one_pending_deletion",
            )
        ]
        indexes = [models.Index(fields=["final_after"], name="datarights_deletion_due")]

    def __str__(self) -> str:
        return f"Deletion of {self.user_ref}"

    @property
    def is_pending(self) -> bool:
        return self.cancelled_at is None and self.completed_at is None


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    BUILDING = "building", _("Being prepared")
    READY = "ready", _("Ready to download")
    FAILED = "failed", _("Could not be prepared")
    EXPIRED = "expired", _("Expired")


class DataExport(models.Model):
    """One export of a person's data. The id is random: it is all a download URL carries.

    The file is in ``settings.TANDEM_EXPORT_DIR`` (never served as a static or media file),
    encrypted with the keys of the encrypted fields, and deleted after ``expires_at``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        max_length=20, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    # How far the build is, 0 to 100, and which part it is on (shown while it builds).
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=100, blank=True)
    file_name = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    requested_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status__in=["queued", "building"]),
                name="datarights_one_export_building",
            )
        ]
        indexes = [models.Index(fields=["user", "-requested_at"], name="datarights_export_user")]

    def __str__(self) -> str:
        return f"Export {self.id}"

    @property
    def is_building(self) -> bool:
        return self.status in {ExportStatus.QUEUED, ExportStatus.BUILDING}

    def is_downloadable(self) -> bool:
        return (
            self.status == ExportStatus.READY
            and self.expires_at is not None
            and timezone.now() < self.expires_at
        )
