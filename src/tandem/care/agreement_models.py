"""The agreement of a care relationship and its versions (imported by ``care.models``).

Kept apart from ``models.py`` to keep both short. ``Agreement`` holds the terms *in force*:
a copy of the last accepted version, which every reader (messaging's reply times, the
provider's overdue list) uses without knowing about versions. ``AgreementVersion`` is the
history: every proposal, who made it and when, and how it was decided. A plain model, so a
person's export can include it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import User
from tandem.core.fields import EncryptedTextField

AGREEMENT_PURPOSE_MAX_LENGTH = 2000
AGREEMENT_NOT_FOR_MAX_LENGTH = 1000
AGREEMENT_CRISIS_MAX_LENGTH = 2000
REPLY_DAYS_RANGE = (1, 20)
REVIEW_WEEKS_RANGE = (1, 52)

DEFAULT_NOT_FOR = _("Emergencies. In a crisis, use your crisis plan or call the crisis line.")
DEFAULT_CRISIS_SECTION = _(
    "If you cannot reach me, do not wait for a reply here: follow your crisis plan, or call "
    "the crisis line."
)

# The fields a version agrees on, in the order they are shown and compared.
TERMS = ("purpose", "reply_within_days", "not_for", "crisis_section", "review_every_weeks")
# Choices the service user alone makes (``services.set_risk_alert``): kept in every version,
# so the history shows when they changed, but never proposed or answered by the provider.
SERVICE_USER_CHOICES = ("tell_care_team_on_risk",)
# Everything a version holds, in the order the history compares it.
COMPARED = TERMS + SERVICE_USER_CHOICES


class AgreementTerms(models.Model):
    """What both sides agree on; shared by the agreement in force and every version."""

    # Encrypted: what a person uses Tandem for, and what to do in their crisis, can say a
    # lot about their health.
    purpose = EncryptedTextField(
        _("What we use Tandem for"),
        blank=True,
        validators=[MaxLengthValidator(AGREEMENT_PURPOSE_MAX_LENGTH)],
    )
    reply_within_days = models.PositiveSmallIntegerField(
        _("Replies can be expected within (working days)"),
        default=2,
        validators=[MinValueValidator(REPLY_DAYS_RANGE[0]), MaxValueValidator(REPLY_DAYS_RANGE[1])],
    )
    not_for = models.TextField(
        _("What Tandem is not for"),
        default=DEFAULT_NOT_FOR,
        validators=[MaxLengthValidator(AGREEMENT_NOT_FOR_MAX_LENGTH)],
    )
    crisis_section = EncryptedTextField(
        _("What to do in a crisis, or if you cannot reach me"),
        default=DEFAULT_CRISIS_SECTION,
        validators=[MaxLengthValidator(AGREEMENT_CRISIS_MAX_LENGTH)],
    )
    review_every_weeks = models.PositiveSmallIntegerField(
        _("We review this agreement every (weeks)"),
        default=12,
        validators=[
            MinValueValidator(REVIEW_WEEKS_RANGE[0]),
            MaxValueValidator(REVIEW_WEEKS_RANGE[1]),
        ],
    )

    # The service user's choice (off unless they turn it on): when a questionnaire answer
    # suggests they may be at risk, the provider is told that a check-in needs attention
    # (never the answers). Consent to share, so the provider never proposes or answers it.
    tell_care_team_on_risk = models.BooleanField(
        _(
            "If a questionnaire answer suggests I may be at risk, tell my care team that a "
            "check-in needs attention"
        ),
        default=False,
    )

    class Meta:
        abstract = True

    def terms(self) -> dict[str, object]:
        """What a proposal agrees on (the service user's own choices are not part of it)."""
        return {name: getattr(self, name) for name in TERMS}

    def compared(self) -> dict[str, object]:
        """Everything a version holds, for the diff and the history."""
        return {name: getattr(self, name) for name in COMPARED}


class VersionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AgreementVersion(AgreementTerms):
    """One version of an agreement: proposed by one side, accepted or declined by the other,
    or withdrawn by its proposer. Version 1 of a new relationship is Tandem's starting
    agreement (``proposed_by`` is empty), in force until the two agree on their own."""

    relationship = models.ForeignKey(
        "care.CareRelationship", on_delete=models.CASCADE, related_name="agreement_versions"
    )
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=VersionStatus.choices, default=VersionStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Set when accepted: accepted_at + review_every_weeks. Stored so the daily reminder job
    # finds due reviews with an index instead of date arithmetic in SQL.
    review_due_at = models.DateTimeField(null=True, blank=True)
    # The reminder for this version's review went out (to both): sent once, never again.
    review_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["relationship", "number"], name="care_agreement_version_number"
            ),
            # A change waits for one answer at a time: a second proposal would leave the
            # other side unsure which one they are agreeing to.
            models.UniqueConstraint(
                fields=["relationship"],
                condition=models.Q(status="proposed"),
                name="care_one_open_agreement_proposal",
            ),
            models.CheckConstraint(
                condition=models.Q(status="proposed", decided_at__isnull=True)
                | (~models.Q(status="proposed") & models.Q(decided_at__isnull=False)),
                name="care_agreement_version_decided_when_not_open",
            ),
        ]
        indexes = [models.Index(fields=["status", "review_due_at"])]
        ordering = ["number"]

    def __str__(self) -> str:
        return f"Agreement version {self.number} of {self.relationship_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == VersionStatus.PROPOSED


class Agreement(AgreementTerms):
    """How a service user and a provider agree to use Tandem together (ReConnect: align
    expectations so neither is left "waiting for the other"): the terms in force, copied
    from ``version`` when it was accepted. Only ``services.agreements`` changes it."""

    relationship = models.OneToOneField(
        "care.CareRelationship", on_delete=models.CASCADE, related_name="agreement"
    )
    # Empty only for an agreement made without the services (tests, old fixtures). Versions
    # go only with their relationship, which takes the agreement with it: SET_NULL, because
    # PROTECT would refuse that very cascade (deleting an account).
    version = models.OneToOneField(
        AgreementVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="in_force_for",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Agreement for {self.relationship_id}"

    @property
    def accepted_at(self) -> datetime:
        if self.version is not None and self.version.decided_at is not None:
            return self.version.decided_at
        return self.updated_at

    @property
    def review_due_at(self) -> datetime:
        """When the two should look at the agreement again."""
        if self.version is not None and self.version.review_due_at is not None:
            return self.version.review_due_at
        return self.accepted_at + timedelta(weeks=self.review_every_weeks)
