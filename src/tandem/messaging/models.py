"""Secure conversations: a service user and their care team, and other kinds of thread.

A thread belongs to one service user. In a care thread (``kind`` "care", the default) its other
participants are providers who had an active care relationship with that person when they
joined. Other kinds are registered by the apps that own them (``messaging.kinds``), which say
who reads and writes and what ``context_id`` means. Bodies are encrypted at rest.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import User
from tandem.core.fields import EncryptedTextField

MESSAGE_MAX_LENGTH = 10_000
SUBJECT_MAX_LENGTH = 120
# How long after sending a message its sender may still edit or withdraw it.
EDIT_WINDOW = timedelta(minutes=5)


class Side(models.TextChoices):
    SERVICE_USER = "service_user", _("Service user")
    CARE_TEAM = "care_team", _("Care team")


# The kind of the conversations between a service user and their care team.
CARE_KIND = "care"


class Thread(models.Model):
    """One conversation of a service user: with one or more of their care providers (a care
    thread), or of a kind another app registered (``messaging.kinds``)."""

    service_user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    subject = EncryptedTextField(_("Subject"), validators=[MaxLengthValidator(SUBJECT_MAX_LENGTH)])
    started_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now)
    # Who owes the next reply, and since when: set by the first message of a run from one side.
    waiting_for = models.CharField(max_length=20, choices=Side.choices, blank=True)
    waiting_since = models.DateTimeField(null=True, blank=True)
    # Whose rules apply ("care", or a kind registered in ``messaging.kinds``); what
    # ``context_id`` points at is for that kind to say (for "moderation", a review item).
    kind = models.CharField(max_length=30, default=CARE_KIND)
    context_id = models.PositiveBigIntegerField(null=True, blank=True)
    # Set when the conversation ends: it stays readable, nobody writes in it any more.
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "context_id"],
                condition=Q(context_id__isnull=False),
                name="messaging_one_thread_per_context",
            )
        ]
        indexes = [models.Index(fields=["service_user", "-last_message_at"])]

    def __str__(self) -> str:
        return f"Thread {self.pk}"


class Participant(models.Model):
    """A person in a thread, with how far they have read (message ids only grow)."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    side = models.CharField(max_length=20, choices=Side.choices)
    last_read_message_id = models.PositiveBigIntegerField(default=0)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "user"], name="messaging_one_participant")
        ]
        indexes = [models.Index(fields=["user", "thread"])]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.thread_id}"


class Message(models.Model):
    """One message. ``client_key`` is generated when the form is shown, so a double submit or a
    retry after a dropped connection finds the stored message instead of storing it twice."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    body = EncryptedTextField(_("Message"), validators=[MaxLengthValidator(MESSAGE_MAX_LENGTH)])
    client_key = models.UUIDField(default=uuid.uuid4)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "client_key"], name="messaging_message_once_per_key"
            )
        ]
        indexes = [
            models.Index(fields=["thread", "id"]),
            # The sending rate limit counts one person's messages of the last hour.
            models.Index(fields=["sender", "created_at"]),
        ]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Message {self.pk} in {self.thread_id}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def changeable_until(self) -> datetime:
        return self.created_at + EDIT_WINDOW

    def is_changeable(self) -> bool:
        return self.withdrawn_at is None and timezone.now() < self.created_at + EDIT_WINDOW


class ProviderAway(models.Model):
    """A provider's absence: service users see it before writing; a colleague may cover."""

    provider = models.OneToOneField(User, on_delete=models.CASCADE, related_name="+")
    away_until = models.DateTimeField(_("Away until"))
    covered_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Covered by"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.provider_id} away until {self.away_until}"

    @property
    def is_current(self) -> bool:
        return timezone.now() < self.away_until
