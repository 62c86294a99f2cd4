"""Responses to questionnaires, their schedules, the safety follow-ups shown, and the simple
instruments an organisation or a provider defines (``CustomInstrument``, versioned).

The answers are health information: they are kept as one JSON document in an encrypted field,
and no score is stored beside them (scores are worked out from the answers each time, by the
scoring rules of the instrument version the response names).
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import Organisation, User
from tandem.core.fields import EncryptedTextField
from tandem.core.models import TimeStampedModel

CLIENT_KEY_MAX_LENGTH = 40
NOTE_MAX_LENGTH = 280


class Response(TimeStampedModel):
    """One person's answers to one instrument: a draft until ``submitted_at`` is set.

    ``client_key`` comes from the page the answers were typed on, so the same form sent twice
    (a double click, a retry on a slow connection) makes one response, not two.
    """

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    # A built-in key ("phq9") or a custom one ("c-12"): only keys the catalogue resolved
    # (``questionnaires.catalogue``) are ever stored.
    instrument = models.CharField(max_length=20)
    version = models.PositiveSmallIntegerField()
    answers_json = EncryptedTextField(blank=True, default="")
    submitted_at = models.DateTimeField(null=True, blank=True)
    client_key = models.CharField(max_length=CLIENT_KEY_MAX_LENGTH, blank=True, default="")
    # The person's own short note on this point of their trend ("started new medication"):
    # encrypted like the answers; private to them unless they share this one note with the
    # providers who may see their questionnaires.
    note = EncryptedTextField(blank=True, default="")
    note_shared = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "client_key"],
                condition=~Q(client_key=""),
                name="questionnaire_response_client_key_once",
            ),
            models.UniqueConstraint(
                fields=["owner", "instrument"],
                condition=Q(submitted_at__isnull=True),
                name="questionnaire_one_draft_per_instrument",
            ),
        ]
        indexes = [models.Index(fields=["owner", "instrument", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.instrument} response {self.pk}"

    @property
    def answers(self) -> dict[str, int]:
        if not self.answers_json:
            return {}
        loaded = json.loads(self.answers_json)
        return {str(key): value for key, value in loaded.items() if isinstance(value, int)}

    @answers.setter
    def answers(self, value: dict[str, int]) -> None:
        self.answers_json = json.dumps(value, sort_keys=True)

    @property
    def is_draft(self) -> bool:
        return self.submitted_at is None


class FollowUpShown(models.Model):
    """That a result page showed the safety follow-up (the person's crisis plan and the crisis
    contacts) for a response, and why: once per response; and whether the person opened their
    crisis plan or called a contact from it."""

    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="follow_up")
    reasons = models.CharField(max_length=100)
    shown_at = models.DateTimeField(auto_now_add=True)
    # What the person did from it, the first time only; never which contact, nor how often.
    opened_plan_at = models.DateTimeField(null=True, blank=True)
    called_at = models.DateTimeField(null=True, blank=True)
    # When the care team was told (the providers whose agreement says so); empty when the
    # person did not choose it. Told once per response, whatever the reloads.
    care_team_told_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Follow-up for response {self.response_id}"


class Unit(models.TextChoices):
    DAYS = "days", _("days")
    WEEKS = "weeks", _("weeks")


class Schedule(TimeStampedModel):
    """Check-ins for one instrument, every ``every`` days or weeks from ``starts_on``.

    ``reminded_for`` is the due date of the last check-in the person was told about: each
    due check-in is notified once, and a missed one is never repeated.
    """

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    instrument = models.CharField(max_length=20)
    every = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.WEEKS)
    starts_on = models.DateField()
    reminded_for = models.DateField(null=True, blank=True)
    # The provider who proposed it, when the person accepted a proposal (``ScheduleProposal``).
    proposed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "instrument"], name="questionnaire_schedule_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument} every {self.every} {self.unit}"

    @property
    def period(self) -> timedelta:
        return timedelta(days=self.every * (7 if self.unit == Unit.WEEKS else 1))

    def due_on(self, today: date) -> date | None:
        """The latest check-in date on or before ``today``, None before the first one."""
        if today < self.starts_on:
            return None
        periods = (today - self.starts_on) // self.period
        return self.starts_on + periods * self.period


class ProposalStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class ScheduleProposal(TimeStampedModel):
    """Check-ins a provider proposes to a person in their care. Nothing is scheduled until the
    person accepts (then a ``Schedule`` is made, or replaces theirs for that instrument); they
    may decline, and stop an accepted schedule at any time like any other."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    provider = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="schedule_proposals"
    )
    instrument = models.CharField(max_length=20)
    every = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.WEEKS)
    starts_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.WAITING
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "instrument"],
                condition=Q(status="waiting"),
                name="questionnaire_one_waiting_proposal",
            )
        ]

    def __str__(self) -> str:
        return f"Proposed {self.instrument} every {self.every} {self.unit}"


class Scope(models.TextChoices):
    ORGANISATION = "organisation", _("Everyone in the organisation who uses services")
    CASELOAD = "caseload", _("The people in my care")


class CustomInstrument(models.Model):
    """A simple questionnaire made in the portal: by an organisation admin for the service users
    of the organisation, or by a provider for the people in their care (who may answer it is
    ``catalogue.offered_to``). Its texts live in versions; a response names the version it
    answered, so a later edit never changes an old score. Archived: no longer offered; the
    answers given stay, scored by their version."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="custom_instruments"
    )
    author = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="custom_instruments"
    )
    scope = models.CharField(max_length=20, choices=Scope.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organisation", "scope"])]

    def __str__(self) -> str:
        return f"Custom instrument {self.pk}"


class CustomInstrumentVersion(models.Model):
    """One published wording of a custom instrument. Never edited: a change is a new version.

    ``items`` is a list of question texts; ``options`` a list of ``[value, label]`` offered for
    every item; ``bands`` a list of ``[low, high, label]`` covering every possible total (or
    empty: no bands, the change is shown)."""

    instrument = models.ForeignKey(
        CustomInstrument, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=80)
    stem = models.CharField(max_length=500, blank=True)
    items = models.JSONField()
    options = models.JSONField()
    bands = models.JSONField(default=list, blank=True)
    higher_is_better = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["instrument", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "number"], name="questionnaire_custom_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.number})"
