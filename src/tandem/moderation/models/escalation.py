"""The second tier of the safety net: an organisation's clinical escalation rota, its safety
settings, and each escalation of a review item beyond the peer moderators.

The flow lives in ``moderation.escalation``; these rows say who is on call, and what was
asked of whom, when and why.
"""

from __future__ import annotations

from typing import ClassVar

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import Organisation, User
from tandem.core.fields import EncryptedTextField
from tandem.moderation.models.lengths import REASON_MAX_LENGTH
from tandem.moderation.models.review import ReviewItem

DEFAULT_ESCALATE_AFTER_MINUTES = 10


class SafetySettings(models.Model):
    """An organisation's second-tier settings. An organisation without a row uses defaults."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="safety_settings"
    )
    escalate_after_minutes = models.PositiveSmallIntegerField(
        _("Minutes an urgent held post may wait unreviewed before it is escalated"),
        default=DEFAULT_ESCALATE_AFTER_MINUTES,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
    )

    def __str__(self) -> str:
        return f"Safety settings of {self.organisation_id}"


class EscalationContact(models.Model):
    """One person on an organisation's clinical escalation rota, in order: the first is asked
    first when an urgent post waits too long; all of them when a moderator escalates."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="escalation_contacts"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    note = models.CharField(
        _("When to reach them (shown to moderators)"), max_length=200, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="moderation_escalation_contact_once"
            ),
        ]
        ordering: ClassVar[list[str]] = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.user_id} on the rota of {self.organisation_id}"


class EscalationTarget(models.TextChoices):
    CLINICAL = "clinical", _("The clinical escalation contacts (on-call rota)")
    CARE_TEAM = "care_team", _("The person's own care team")
    NEXT_ON_ROTA = "next_on_rota", _("The next person on the rota")


class Escalation(models.Model):
    """One escalation of a review item to people beyond the moderators, by a moderator (with a
    reason) or by the sweep (``escalated_by`` empty). Its recipients may read the item until
    it is resolved, and one of them may take it on (``acknowledged_*``)."""

    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="escalations")
    target = models.CharField(max_length=20, choices=EscalationTarget.choices)
    escalated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    automatic = models.BooleanField(default=False)
    reason = EncryptedTextField(blank=True, validators=[MaxLengthValidator(REASON_MAX_LENGTH)])
    recipients = models.ManyToManyField(User, related_name="+", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["item", "created_at"])]
        ordering: ClassVar[list[str]] = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Escalation of item {self.item_id} to {self.target}"
