"""The exercise log."""

from __future__ import annotations

from django.db import transaction

from tandem.accounts.models import User
from tandem.toolbox.models import ExercisePractice
from tandem.toolbox.services.common import check_owner, save_cleaned


def log_practice(*, owner: User, exercise: str, helped: int, note: str = "") -> ExercisePractice:
    """Record that the owner did ``exercise`` and how much it helped (0-5)."""
    practice = ExercisePractice(owner=owner, exercise=exercise, helped=helped, note=note.strip())
    with transaction.atomic():
        save_cleaned(practice)
    return practice


def delete_practice(*, owner: User, practice: ExercisePractice) -> None:
    check_owner(owner, practice)
    practice.delete()
