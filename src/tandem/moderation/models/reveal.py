"""Identity reveals with two keys (issue 13): one moderator asks, with a reason, to learn who is
behind a pseudonym; a second person approves or declines; only then do the two of them see it.

The flow lives in ``moderation.identity``. The reason is kept here, encrypted, rather than in
the audit log: audit entries can never be rewritten (database triggers), so key rotation could
not re-encrypt a reason stored there.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar

from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import User
from tandem.core.fields import EncryptedTextField
from tandem.forum.models import Community
from tandem.moderation.models.audit import AuditEntry
from tandem.moderation.models.lengths import REASON_MAX_LENGTH

# A request nobody has decided on within this time lapses: whoever still needs to know asks
# again, with a reason that fits the situation then.
REVEAL_REQUEST_LIFETIME = timedelta(hours=24)
# How long after approval the asker and the approver may look at the identity again.
REVEAL_SHOWN_FOR = timedelta(hours=24)


class RevealState(models.TextChoices):
    PENDING = "pending", _("Waiting for a second person")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class RevealRequest(models.Model):
    """One moderator's request to learn the real identity behind ``subject``'s pseudonym in
    ``community``, and the decision on it by someone else (``decided_by``)."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    # Kept when the asker's account goes, so the person can still read why it happened.
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = EncryptedTextField(
        _("Why do you need to know who this is?"),
        max_length=REASON_MAX_LENGTH,
        validators=[MaxLengthValidator(REASON_MAX_LENGTH)],
    )
    state = models.CharField(
        max_length=20, choices=RevealState.choices, default=RevealState.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The REVEAL entry written on approval: the person's "Moderation and me" page shows the
    # reason with it. A plain id, as the audit log keeps its own references.
    audit_entry = models.OneToOneField(
        AuditEntry,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    class Meta:
        constraints = [
            # The second key is never the first: the database refuses it too.
            models.CheckConstraint(
                condition=~Q(decided_by=F("requested_by")), name="moderation_reveal_two_people"
            ),
            models.CheckConstraint(
                condition=Q(state="pending", decided_at__isnull=True)
                | (~Q(state="pending") & Q(decided_at__isnull=False)),
                name="moderation_reveal_decided_when",
            ),
        ]
        indexes = [models.Index(fields=["community", "subject", "-created_at"])]
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Reveal request {self.pk} about {self.subject_id}"

    @property
    def is_open(self) -> bool:
        """Waiting for a decision and not lapsed."""
        return self.state == RevealState.PENDING and timezone.now() < self.expires_at

    @property
    def is_expired(self) -> bool:
        return self.state == RevealState.PENDING and timezone.now() >= self.expires_at

    @property
    def shown_until(self) -> datetime | None:
        """Until when the asker and the approver may see the identity (None unless approved)."""
        if self.state != RevealState.APPROVED or self.decided_at is None:
            return None
        return self.decided_at + REVEAL_SHOWN_FOR
