"""The append-only audit log of moderation actions and identity reveals."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import Organisation, User
from tandem.forum.models import Community, Post
from tandem.moderation.models.lengths import REASON_MAX_LENGTH


class AuditAction(models.TextChoices):
    APPROVE = "approve", _("Approved a post")
    HIDE = "hide", _("Hid a post")
    EDIT = "edit", _("Edited a post")
    WARN = "warn", _("Warned a person")
    MUTE = "mute", _("Muted a person")
    SUSPEND = "suspend", _("Suspended a person")
    LIFT = "lift", _("Lifted a mute or suspension")
    REACH_OUT = "reach_out", _("Sent a private message")
    NOTE = "note", _("Wrote a note")
    REVEAL_REQUEST = "reveal_request", _("Asked to reveal a real identity")
    REVEAL = "reveal", _("Revealed a real identity")
    REVEAL_DECLINE = "reveal_decline", _("Declined to reveal a real identity")
    SLOW_MODE = "slow_mode", _("Changed slow mode")
    WATCHED_WORD = "watched_word", _("Changed watched words")
    SETTINGS = "settings", _("Changed moderation settings")
    ESCALATE = "escalate", _("Escalated for clinical help")
    ACKNOWLEDGE = "acknowledge", _("Took on an escalation")
    ROTA = "rota", _("Changed the clinical escalation rota")
    COMMUNITY = "community", _("Changed a community")
    CATEGORY = "category", _("Changed a category")
    CONDUCT = "conduct", _("Published a code of conduct")
    TRUST = "trust", _("Set a trust level")


class AuditLogError(Exception):
    """Raised when code tries to change or delete an audit entry."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditLogError("The audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditLogError("The audit log is append-only.")


class AuditEntry(models.Model):
    """One moderation action or identity reveal. Append-only.

    Nobody changes or deletes an entry through the application: ``save`` refuses updates,
    ``delete`` and the queryset's ``update``/``delete`` refuse, and a database trigger (SQLite
    and PostgreSQL, migration 0002) refuses UPDATE and DELETE statements. References are kept
    as plain ids without database constraints (``db_constraint=False``, ``DO_NOTHING``) so that
    deleting a post or an account never has to rewrite the log; the pseudonyms are copied in as
    they were at the time.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    community = models.ForeignKey(
        Community,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_pseudonym = models.CharField(max_length=60)
    subject = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    subject_pseudonym = models.CharField(max_length=60, blank=True)
    post = models.ForeignKey(
        Post,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    reason = models.TextField(max_length=REASON_MAX_LENGTH, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "-created_at"]),
            models.Index(fields=["subject", "action"]),
        ]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_pseudonym}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AuditLogError("The audit log is append-only.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditLogError("The audit log is append-only.")
