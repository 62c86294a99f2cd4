"""Care relationships between a service user and providers, what each provider may see, and
the record of every look at a service user's data (allowed reads and refused attempts)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import User

# The agreement and its versions live in their own module; re-exported as care's models.
from tandem.care.agreement_models import (
    AGREEMENT_CRISIS_MAX_LENGTH as AGREEMENT_CRISIS_MAX_LENGTH,
)
from tandem.care.agreement_models import (
    AGREEMENT_NOT_FOR_MAX_LENGTH as AGREEMENT_NOT_FOR_MAX_LENGTH,
)
from tandem.care.agreement_models import (
    AGREEMENT_PURPOSE_MAX_LENGTH as AGREEMENT_PURPOSE_MAX_LENGTH,
)
from tandem.care.agreement_models import Agreement as Agreement
from tandem.care.agreement_models import AgreementVersion as AgreementVersion
from tandem.care.agreement_models import VersionStatus as VersionStatus
from tandem.core.fields import EncryptedTextField

COMMENT_MAX_LENGTH = 2000
SESSION_NOTE_MAX_LENGTH = 10000
# A joint session the service user forgot to end stops giving access after this long.
JOINT_SESSION_MAX_DURATION = timedelta(hours=4)


class Module(models.TextChoices):
    """The parts of a service user's record they can share (the toolbox modules and their
    questionnaires), one grant each."""

    STATUS = "status", _("Status")
    GOALS = "goals", _("Goals and activities")
    MEDICATIONS = "medications", _("Medications")
    NETWORK = "network", _("Network map")
    CRISIS_PLAN = "crisis_plan", _("Crisis plan")
    EXERCISES = "exercises", _("Exercises")
    JOURNAL = "journal", _("Shared journal entries")
    QUESTIONNAIRES = "questionnaires", _("Questionnaires")


class Level(models.IntegerChoices):
    NONE = 0, _("Nothing")
    VIEW = 1, _("Can view")
    COMMENT = 2, _("Can view and comment")


class RelationshipStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the service user")
    # The service user asked a provider to join (care.services.asking); the provider answers.
    ASKED = "asked", _("Waiting for the provider")
    ACTIVE = "active", _("Active")
    DECLINED = "declined", _("Declined")
    ENDED = "ended", _("Ended")


def _new_link_code() -> str:
    # Unambiguous characters: easy to read aloud in a session or type on a phone.
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class ProviderLinkCode(models.Model):
    """A code a provider gives to a service user, who types it to link them as a provider."""

    provider = models.OneToOneField(User, on_delete=models.CASCADE, related_name="link_code")
    code = models.CharField(max_length=8, unique=True, default=_new_link_code)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.code


class CareRelationship(models.Model):
    """One provider in a service user's care team. A team is several active relationships."""

    service_user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="care_relationships"
    )
    provider = models.ForeignKey(User, on_delete=models.CASCADE, related_name="caseload")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=RelationshipStatus.choices, default=RelationshipStatus.PENDING
    )
    requested_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # When the provider last opened this person's overview: drives "changed since your visit".
    provider_last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service_user", "provider"],
                condition=models.Q(status__in=["pending", "asked", "active"]),
                name="care_one_open_relationship_per_pair",
            )
        ]
        indexes = [
            models.Index(fields=["provider", "status"]),
            models.Index(fields=["service_user", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.provider} ↔ {self.service_user} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == RelationshipStatus.ACTIVE


class CareRequest(models.Model):
    """A provider's request to join someone's care team, as the provider typed it.

    Written for every request, whether or not the address belongs to a service user of the
    organisation, so the provider's list of sent requests never tells them which addresses
    exist. ``relationship`` points to the pending relationship when there was a match; only
    the service user's side ever reads it.
    """

    provider = models.ForeignKey(User, on_delete=models.CASCADE, related_name="care_requests")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField(_("email address"), max_length=254)
    relationship = models.ForeignKey(
        CareRelationship, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["provider", "withdrawn_at"])]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Request from {self.provider} to {self.email}"


class Grant(models.Model):
    """What one provider may do with one module of the service user's toolbox."""

    relationship = models.ForeignKey(
        CareRelationship, on_delete=models.CASCADE, related_name="grants"
    )
    module = models.CharField(max_length=20, choices=Module.choices)
    level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.NONE)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["relationship", "module"], name="care_grant_unique")
        ]

    def __str__(self) -> str:
        return f"{self.module}: {self.get_level_display()}"


class AccessAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    EXPORT = "export", _("Exported")
    JOINT_SESSION = "joint_session", _("Viewed in a joint session")


class AccessedData(models.TextChoices):
    """What of a service user's data someone else read: a toolbox module, or one of the care
    pages that show the person's data outside the toolbox."""

    STATUS = Module.STATUS.value, Module.STATUS.label
    GOALS = Module.GOALS.value, Module.GOALS.label
    MEDICATIONS = Module.MEDICATIONS.value, Module.MEDICATIONS.label
    NETWORK = Module.NETWORK.value, Module.NETWORK.label
    CRISIS_PLAN = Module.CRISIS_PLAN.value, Module.CRISIS_PLAN.label
    EXERCISES = Module.EXERCISES.value, Module.EXERCISES.label
    JOURNAL = Module.JOURNAL.value, Module.JOURNAL.label
    QUESTIONNAIRES = Module.QUESTIONNAIRES.value, Module.QUESTIONNAIRES.label
    OVERVIEW = "overview", _("Overview of what is shared")
    RELATIONSHIP = "relationship", _("Care relationship and agreement")
    SESSION_NOTES = "session_notes", _("Joint session notes")
    MESSAGES = "messages", _("Messages")


class Outcome(models.TextChoices):
    ALLOWED = "allowed", _("Allowed")
    REFUSED = "refused", _("Refused")


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a row of the access record."""


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("The access record is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("The access record is append-only.")


class AppendOnlyModel(models.Model):
    """A row written once and never changed or deleted by the application.

    The model refuses here; the database refuses too (triggers, and on PostgreSQL revoked
    privileges: ``care.guards``). References to people are plain ids without a database
    constraint (``db_constraint=False``, ``DO_NOTHING``), so deleting an account never has to
    rewrite the record.
    """

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AppendOnlyError("The access record is append-only.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("The access record is append-only.")


class AccessLogEntry(AppendOnlyModel):
    """One allowed read of a service user's data by someone else; the owner reads these on
    their access log page. Written only by ``care.access.record_access``."""

    owner = models.ForeignKey(
        User, on_delete=models.DO_NOTHING, db_constraint=False, related_name="access_log"
    )
    viewer = models.ForeignKey(
        User, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    # The field keeps its first name; it holds toolbox modules and the care pages alike.
    module = models.CharField(_("what"), max_length=20, choices=AccessedData.choices)
    # The one item read (a goal, a journal entry), named by the kind its app registered with
    # ``care.access_log`` and its id, never by its text: the page looks the title up when it is
    # shown. Blank and None for a page of the whole module. The database default lets a line
    # written by hand (an operator, the guard's tests) leave it out.
    item_kind = models.CharField(max_length=30, blank=True, default="", db_default="")
    item_id = models.PositiveBigIntegerField(null=True, blank=True)
    action = models.CharField(
        max_length=20, choices=AccessAction.choices, default=AccessAction.VIEW
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.ALLOWED)
    request_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["owner", "module", "-created_at"]),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.viewer_id} {self.action} {self.module} of {self.owner_id} ({self.outcome})"


class AccessVisit(models.Model):
    """When the current visit of one viewer to one item (or module page) began.

    Bookkeeping, not part of the record: ``care.access.record_access`` writes an
    ``AccessLogEntry`` only when it starts a visit here, so a provider who reloads a page or
    comes back to it within ``settings.TANDEM_ACCESS_VISIT_MINUTES`` of the line written for it
    leaves one line, not one per load. Rewritten in place, gone with either person.
    """

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    viewer = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    module = models.CharField(max_length=20, choices=AccessedData.choices)
    action = models.CharField(max_length=20, choices=AccessAction.choices)
    item_kind = models.CharField(max_length=30, blank=True)
    # 0 for a page of the whole module: a unique constraint treats NULLs as all different.
    item_id = models.PositiveBigIntegerField(default=0)
    started_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["viewer", "owner", "module", "action", "item_kind", "item_id"],
                name="care_one_visit_per_item",
            )
        ]

    def __str__(self) -> str:
        return f"{self.viewer_id} on {self.module} {self.item_kind}{self.item_id} since {self.started_at}"


class SecurityEvent(AppendOnlyModel):
    """A refused attempt by a signed-in person to read someone else's data.

    Kept apart from the access log the person sees (an attempt shows nothing of theirs, and
    naming who tried could put someone at risk); organisation admins read these. Never any
    content: who tried, whose data (the id asked for, when known), what, the path without its
    query string, the request id and the time. Written only by ``care.access.record_access``.
    """

    viewer = models.ForeignKey(
        User, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    # Null when the object asked for does not exist (an id nobody owns).
    owner = models.ForeignKey(
        User, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    what = models.CharField(max_length=20, choices=AccessedData.choices)
    path = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["-created_at"]),
            models.Index(fields=["viewer", "-created_at"]),
            models.Index(fields=["owner", "-created_at"]),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.viewer_id} refused {self.what} of {self.owner_id}"


class Comment(models.Model):
    """A provider's comment on an item of a shared module, or the service user's answer."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="toolbox_comments")
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    module = models.CharField(max_length=20, choices=Module.choices)
    # The item commented on (a goal, a journal entry...), identified within the module.
    item_id = models.PositiveBigIntegerField()
    body = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "module", "item_id", "created_at"])]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.module} #{self.item_id}"


class JointSession(models.Model):
    """User and provider go through the toolbox together; access ends when the user ends it."""

    relationship = models.ForeignKey(
        CareRelationship, on_delete=models.CASCADE, related_name="joint_sessions"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Modules the service user is showing right now; the provider sees only these.
    shown_modules = models.JSONField(default=list, blank=True)
    note = EncryptedTextField(blank=True, validators=[MaxLengthValidator(SESSION_NOTE_MAX_LENGTH)])
    note_updated_at = models.DateTimeField(null=True, blank=True)
    note_updated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["relationship"],
                condition=models.Q(ended_at__isnull=True),
                name="care_one_open_joint_session",
            )
        ]

    def __str__(self) -> str:
        return f"Joint session {self.pk} for {self.relationship_id}"

    @property
    def is_open(self) -> bool:
        return (
            self.ended_at is None and timezone.now() < self.started_at + JOINT_SESSION_MAX_DURATION
        )
