"""The exercise log (the exercises themselves are in code: ``toolbox.exercises``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import User
from tandem.toolbox.models.fields import encrypted_text


def validate_exercise_slug(value: str) -> None:
    from tandem.toolbox.exercises import EXERCISES

    if value not in EXERCISES:
        raise ValidationError(_("Choose an exercise from the library."), code="exercise")


class ExercisePractice(models.Model):
    """The owner did an exercise from the library and said how much it helped."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="exercise_practice")
    exercise = models.CharField(max_length=40, validators=[validate_exercise_slug])
    helped = models.PositiveSmallIntegerField(
        _("how much it helped"), validators=[MinValueValidator(0), MaxValueValidator(5)]
    )
    note = encrypted_text(_("note"), 500)
    practised_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-practised_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(helped__lte=5), name="toolbox_practice_helped_0_5"
            )
        ]
        indexes = [models.Index(fields=["owner", "-practised_at"])]

    def __str__(self) -> str:
        return f"{self.exercise} ({self.helped}/5)"
