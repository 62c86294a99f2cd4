"""Medications: current until stopped."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from tandem.accounts.models import User
from tandem.toolbox.dates import check_dates, not_in_future
from tandem.toolbox.models import Medication
from tandem.toolbox.services.common import check_owner, save_cleaned

MEDICATION_FIELDS = (
    "name",
    "dose",
    "schedule",
    "purpose",
    "effects",
    "notes",
    "started_on",
    "stopped_on",
)


def add_medication(
    *,
    owner: User,
    name: str,
    dose: str = "",
    schedule: str = "",
    purpose: str = "",
    effects: str = "",
    notes: str = "",
    started_on: date | None = None,
    stopped_on: date | None = None,
) -> Medication:
    """Add a medication; it is current until its stop date. A stop date before the start date
    is refused, and so are dates in the future."""
    check_dates(started_on=(started_on, not_in_future), stopped_on=(stopped_on, not_in_future))
    medication = Medication(owner=owner)
    _fill_medication(medication, name, dose, schedule, purpose, effects, notes)
    medication.started_on = started_on
    medication.stopped_on = stopped_on
    with transaction.atomic():
        save_cleaned(medication)
    return medication


def _fill_medication(
    medication: Medication,
    name: str,
    dose: str,
    schedule: str,
    purpose: str,
    effects: str,
    notes: str,
) -> None:
    medication.name = name.strip()
    medication.dose = dose.strip()
    medication.schedule = schedule.strip()
    medication.purpose = purpose.strip()
    medication.effects = effects.strip()
    medication.notes = notes.strip()


def update_medication(
    *,
    owner: User,
    medication: Medication,
    name: str,
    dose: str,
    schedule: str,
    purpose: str,
    effects: str,
    notes: str,
    started_on: date | None,
    stopped_on: date | None,
) -> Medication:
    check_owner(owner, medication)
    check_dates(started_on=(started_on, not_in_future), stopped_on=(stopped_on, not_in_future))
    _fill_medication(medication, name, dose, schedule, purpose, effects, notes)
    medication.started_on = started_on
    medication.stopped_on = stopped_on
    with transaction.atomic():
        save_cleaned(medication, update_fields=[*MEDICATION_FIELDS, "updated_at"])
    return medication


def stop_medication(
    *, owner: User, medication: Medication, stopped_on: date | None = None
) -> Medication:
    """Move a medication to "past" from ``stopped_on`` (today by default)."""
    check_owner(owner, medication)
    medication.stopped_on = stopped_on or timezone.localdate()
    with transaction.atomic():
        save_cleaned(medication, update_fields=["stopped_on", "updated_at"])
    return medication


def delete_medication(*, owner: User, medication: Medication) -> None:
    check_owner(owner, medication)
    medication.delete()
