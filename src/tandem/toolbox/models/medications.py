"""Medications: current until ``stopped_on``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import User
from tandem.core.models import TimeStampedModel
from tandem.toolbox.models.fields import encrypted_text


class Medication(TimeStampedModel):
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="medications")
    name = encrypted_text(_("name"), 120, blank=False)
    dose = encrypted_text(_("dose"), 120)
    schedule = encrypted_text(_("when I take it"), 200)
    purpose = encrypted_text(_("what it is for"), 500)
    effects = encrypted_text(_("how it affects me"), 2000)
    notes = encrypted_text(_("notes"), 2000)
    started_on = models.DateField(_("started"), null=True, blank=True)
    stopped_on = models.DateField(_("stopped"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(started_on__isnull=True)
                | models.Q(stopped_on__isnull=True)
                | models.Q(stopped_on__gte=models.F("started_on")),
                name="toolbox_medication_stop_after_start",
            )
        ]
        indexes = [
            models.Index(fields=["owner", "stopped_on", "-created_at"]),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.started_on and self.stopped_on and self.stopped_on < self.started_on:
            raise ValidationError(
                {"stopped_on": _("The date you stopped cannot be before the date you started.")},
                code="stopped_before_started",
            )

    @property
    def is_current(self) -> bool:
        return self.stopped_on is None or self.stopped_on > timezone.localdate()
