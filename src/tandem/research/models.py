"""Studies, the consent each person gave or refused, the pseudonymous event log, and the record
of every export.

The event log holds no user id, no content, no free text and no id of anything a person wrote:
a per-study pseudonym, the role, the module, the action and the hour. The link from a person
to their pseudonym lives only in ``Consent``, which researchers never see (docs/research.md).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import Organisation, Role, User
from tandem.core.usage import Action, Module

# 20 hex characters (80 bits) of the keyed hash: no two participants of a study share one.
PSEUDONYM_LENGTH = 20


def new_study_secret() -> str:
    return secrets.token_hex(32)


class Study(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="studies")
    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"))
    ethics_reference = models.CharField(_("ethics reference"), max_length=100)
    collected = models.TextField(
        _("what is collected"),
        help_text=_("Said to each person before they answer, in plain words."),
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    # The key of the pseudonyms: never shown, never exported. A new study gets a new key, so
    # one person's pseudonyms in two studies cannot be linked.
    secret = models.CharField(max_length=64, default=new_study_secret, editable=False)
    # A demo study whose participants were generated (manage.py seed_research_demo): its
    # consents have no person, and every page says so.
    synthetic = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "studies"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="research_study_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        # Either date may still be empty here when its own field was refused.
        start: date | None = self.start_date
        end: date | None = self.end_date
        if start is not None and end is not None and end < start:
            raise ValidationError({"end_date": _("A study cannot end before it starts.")})

    def is_open_on(self, day: date) -> bool:
        return self.start_date <= day <= self.end_date

    def pseudonym_for(self, user_id: int) -> str:
        """The keyed hash (HMAC-SHA256 with this study's secret) of ``user_id``."""
        digest = hmac.new(self.secret.encode(), str(user_id).encode(), hashlib.sha256)
        return digest.hexdigest()[:PSEUDONYM_LENGTH]


class ConsentStatus(models.TextChoices):
    CONSENTED = "consented", _("Taking part")
    DECLINED = "declined", _("Said no")
    WITHDRAWN = "withdrawn", _("Withdrew")


# The roles that take part in a study; researchers and moderators are not studied.
PARTICIPANT_ROLES = (Role.SERVICE_USER, Role.PROVIDER)


class Consent(models.Model):
    """One person's answer to one study, with when they gave each answer."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="consents")
    # Empty only for the generated participants of a synthetic study.
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="research_consents"
    )
    role = models.CharField(max_length=20, choices=[(r.value, r.label) for r in PARTICIPANT_ROLES])
    pseudonym = models.CharField(max_length=PSEUDONYM_LENGTH)
    status = models.CharField(max_length=20, choices=ConsentStatus.choices)
    consented_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["study", "user"], name="research_consent_one_per_person"
            ),
            models.UniqueConstraint(
                fields=["study", "pseudonym"], name="research_consent_unique_pseudonym"
            ),
        ]
        # The event writer's lookup: this person's consents that are given.
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return f"{self.study} — {self.get_status_display()}"


# Written by the research sweep, not by a page (research.unanswered): a service user's message
# still had no reply from their care team when the agreement's reply time ran out.
UNANSWERED = "unanswered"

MODULE_CHOICES = [
    (Module.STATUS, _("Status and life domains")),
    (Module.GOALS, _("Goals")),
    (Module.ACTIVITIES, _("Activities")),
    (Module.MEDICATIONS, _("Medications")),
    (Module.NETWORK, _("Network map")),
    (Module.CRISIS_PLAN, _("Crisis plan")),
    (Module.EXERCISES, _("Exercises")),
    (Module.JOURNAL, _("Journal")),
    (Module.MESSAGING, _("Messages")),
    (Module.FORUM, _("Forum")),
    (Module.QUESTIONNAIRES, _("Questionnaires")),
    (Module.COURSES, _("Courses")),
    (Module.CARE_TEAM, _("Care team and joint sessions")),
    (Module.PORTAL, _("Signing in")),
]

ACTION_CHOICES = [
    (Action.VISIT, _("Visit")),
    (Action.POST, _("Posting")),
    (Action.REACTION, _("Reaction")),
    (Action.MESSAGE_SENT, _("Message sent")),
    (Action.MESSAGE_READ, _("Message read")),
    (Action.GOAL_CHANGED, _("Goal changed")),
    (Action.CHECKIN_ANSWERED, _("Check-in answered")),
    (Action.JOINT_SESSION, _("Joint session")),
    (Action.LOGIN, _("Sign-in")),
    (UNANSWERED, _("Left unanswered past the agreed reply time")),
]

# Actions that put something into Tandem: the ReConnect table's "postings".
POSTING_ACTIONS = (
    Action.POST,
    Action.MESSAGE_SENT,
    Action.GOAL_CHANGED,
    Action.CHECKIN_ANSWERED,
    Action.JOINT_SESSION,
)
# Taking part, for the inequality figures: postings and reactions (a reaction is a voice too).
CONTRIBUTION_ACTIONS = (*POSTING_ACTIONS, Action.REACTION)


class ResearchEvent(models.Model):
    """One thing one participant did, rounded to the hour. Written only by ``research.sink``."""

    id = models.BigAutoField(primary_key=True)
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="events")
    pseudonym = models.CharField(max_length=PSEUDONYM_LENGTH)
    role = models.CharField(max_length=20, choices=[(r.value, r.label) for r in PARTICIPANT_ROLES])
    module = models.CharField(max_length=20, choices=MODULE_CHOICES)
    action = models.CharField(max_length=20, choices=ACTION_CHOICES)
    hour = models.DateTimeField()
    # A care team's reply only: hours since the service user's message, and whether that was
    # longer than their agreement's reply time (empty when there is no agreement).
    wait_hours = models.PositiveIntegerField(null=True, blank=True)
    late = models.BooleanField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["study", "hour"]),
            models.Index(fields=["study", "pseudonym"]),
        ]

    def __str__(self) -> str:
        return f"{self.module} {self.action} {self.hour:%Y-%m-%d %H}:00"


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV files (zip)")
    JSON = "json", _("JSON")


class ExportRecord(models.Model):
    """Who exported which study's data, when, and in which format. Never changed."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="exports")
    # Kept when the researcher's account is deleted: the export happened all the same.
    researcher = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    format = models.CharField(max_length=10, choices=ExportFormat.choices)
    participants = models.PositiveIntegerField()
    events = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["study", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.study} — {self.created_at:%Y-%m-%d %H:%M}"


class StudyChangeKind(models.TextChoices):
    CREATED = "created", _("Study set up")
    EDITED = "edited", _("Study changed")


class StudyChange(models.Model):
    """Who set up or changed a study, when, and which fields (their names, never their text).
    Written only by ``research.services``; never changed."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="changes")
    # Kept when the admin's account is deleted: the change happened all the same.
    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=20, choices=StudyChangeKind.choices)
    fields = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["study", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.study} — {self.kind} {self.created_at:%Y-%m-%d %H:%M}"
