"""In-portal notifications and each person's choice about being told by email."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import User
from tandem.core.fields import EncryptedTextField

TITLE_MAX_LENGTH = 200


class Notification(models.Model):
    """Something new for one person, shown only inside the portal.

    ``scope_type`` and ``scope_id`` name the space the notification came from (for example a
    forum community). Reads keep only notifications whose scope the recipient can still see,
    through the filters registered in :mod:`tandem.notifications.scopes`, so leaving a space
    hides its notifications at once.
    """

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=40)
    # Titles name people ("Pat replied to …", a care provider's name, a thread's subject), so
    # they are encrypted at rest like health text; nothing filters or orders by them. A
    # TextField's max_length only shapes forms, so the validator keeps the limit.
    title = EncryptedTextField(
        max_length=TITLE_MAX_LENGTH, blank=True, validators=[MaxLengthValidator(TITLE_MAX_LENGTH)]
    )
    url = models.CharField(max_length=300)
    scope_type = models.CharField(max_length=40, blank=True)
    scope_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["recipient", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class EmailFrequency(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately")
    DAILY = "daily", _("Once a day (a daily digest)")
    OFF = "off", _("Off")


class NotificationPreference(models.Model):
    """How a person wants to hear about new things outside the portal: at once, in a daily
    digest, or not at all; and quiet hours (in ``time_zone``) during which no email goes out."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.CharField(
        _("Email me when there is something new"),
        max_length=20,
        choices=EmailFrequency.choices,
        default=EmailFrequency.IMMEDIATELY,
    )
    quiet_hours_start = models.TimeField(_("Quiet hours start"), null=True, blank=True)
    quiet_hours_end = models.TimeField(_("Quiet hours end"), null=True, blank=True)
    # The time zone the quiet hours were chosen in (the organisation's, when saved).
    time_zone = models.CharField(max_length=64, blank=True)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.email}"

    def in_quiet_hours(self, moment: datetime) -> bool:
        """True when ``moment`` falls in the quiet hours (which may span midnight)."""
        start, end = self.quiet_hours_start, self.quiet_hours_end
        if start is None or end is None or start == end:
            return False
        try:
            zone = zoneinfo.ZoneInfo(self.time_zone or settings.TANDEM_DEFAULT_TIME_ZONE)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = zoneinfo.ZoneInfo("UTC")
        local = moment.astimezone(zone).time()
        if start < end:
            return start <= local < end
        return local >= start or local < end
