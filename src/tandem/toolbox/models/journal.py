"""Journal entries and the shares of an entry with a care relationship."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import User
from tandem.core.models import TimeStampedModel
from tandem.toolbox.models.fields import encrypted_text


class JournalEntry(TimeStampedModel):
    """A private journal entry. Shared only entry by entry, with chosen care relationships."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="journal_entries")
    title = encrypted_text(_("title"), 200, blank=False)
    body = encrypted_text(_("entry"), 20_000, blank=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "journal entries"
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return self.title


class JournalShare(models.Model):
    """One journal entry shared with one care relationship (that provider only)."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.CASCADE, related_name="shares")
    relationship = models.ForeignKey(
        "care.CareRelationship", on_delete=models.CASCADE, related_name="journal_shares"
    )
    shared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "relationship"], name="toolbox_journal_share_unique"
            )
        ]
        indexes = [models.Index(fields=["relationship", "-shared_at"])]

    def __str__(self) -> str:
        return f"Entry {self.entry_id} shared with relationship {self.relationship_id}"
