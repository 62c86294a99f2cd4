"""Current and past medications."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from tandem.accounts.models import User
from tandem.toolbox.models import Medication


def current_medications(owner: User) -> QuerySet[Medication]:
    today = timezone.localdate()
    return Medication.objects.filter(
        Q(stopped_on__isnull=True) | Q(stopped_on__gt=today), owner=owner
    ).order_by("-created_at", "-id")


def past_medications(owner: User) -> QuerySet[Medication]:
    return Medication.objects.filter(owner=owner, stopped_on__lte=timezone.localdate()).order_by(
        "-stopped_on", "-id"
    )
