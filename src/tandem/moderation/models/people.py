"""Moderators and the people they look after: sanctions, who is on duty, and notes about a
pseudonym."""

from __future__ import annotations

from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import Organisation, User
from tandem.core.fields import EncryptedTextField
from tandem.forum.models import Community
from tandem.moderation.models.lengths import NOTE_MAX_LENGTH, REASON_MAX_LENGTH


class SanctionKind(models.TextChoices):
    WARN = "warn", _("Warning")
    MUTE = "mute", _("Muted (can read, cannot post)")
    SUSPEND = "suspend", _("Suspended from the community")


class Sanction(models.Model):
    """A warning, mute or suspension of one person in one community. A mute or suspension
    counts while ``until`` is in the future (or forever when empty) and not lifted."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=SanctionKind.choices)
    reason = models.TextField(max_length=REASON_MAX_LENGTH)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    until = models.DateTimeField(null=True, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["community", "user", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} of {self.user_id} in {self.community_id}"


class ModeratorDuty(models.Model):
    """Whether a moderator is on duty for an organisation now. High-risk holds tell everyone on
    duty; when nobody is, every moderator of the organisation is told."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    on_duty = models.BooleanField(default=False)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="moderation_duty_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on duty: {self.on_duty}"


class ModeratorNote(models.Model):
    """A note about a pseudonym, for the community's moderators only (handover between shifts).

    The note is encrypted at rest like the rest of what is written about a person (issue 13):
    it often says more about their situation than their posts do.
    """

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    body = EncryptedTextField(
        _("Note"), max_length=NOTE_MAX_LENGTH, validators=[MaxLengthValidator(NOTE_MAX_LENGTH)]
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["community", "subject", "-created_at"])]

    def __str__(self) -> str:
        return f"Note on {self.subject_id}"
