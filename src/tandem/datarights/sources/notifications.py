"""In-portal notifications, and the email settings."""

from __future__ import annotations

import re

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.text import capfirst

from tandem.core.personal_data import Erasure, ExportData, PersonalDataSource
from tandem.datarights.sources.rows import row, rows
from tandem.notifications.models import Notification, NotificationPreference


def export(user: AbstractBaseUser) -> ExportData:
    preference = NotificationPreference.objects.filter(user_id=user.pk).first()
    return {
        "notifications": rows(Notification.objects.filter(recipient_id=user.pk).order_by("pk")),
        "preference": row(preference) if preference else None,
    }


def erase(erasure: Erasure) -> None:
    # Other people's notifications name the person ("Otter replied to …"). Titles are
    # encrypted, so they are read and rewritten one by one; only those the person caused.
    name = re.compile(re.escape(erasure.pseudonym), re.IGNORECASE)
    for notification in Notification.objects.filter(actor_id=erasure.user.pk).exclude(
        recipient_id=erasure.user.pk
    ):
        # "A former member replied to …", capital first as messages and the access log say it.
        notification.title = capfirst(name.sub(erasure.replacement_name, notification.title))
        notification.actor = None
        notification.save(update_fields=["title", "actor"])


SOURCE = PersonalDataSource(
    name="notifications",
    description="Your notifications in Tandem, and how you chose to be told about them.",
    export=export,
    erase=erase,
    order=50,
)
