"""Status ratings: 0-10 and a short note, a new row each time."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import User
from tandem.toolbox.models.domains import LifeDomain
from tandem.toolbox.models.fields import encrypted_text
from tandem.toolbox.models.kept import LiveManager, Undoable


class StatusRating(Undoable):
    """How the owner rates one life domain at one moment, 0 (worst) to 10 (best). Kept as
    history: a new rating never replaces an old one."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="status_ratings")
    domain = models.ForeignKey(LifeDomain, on_delete=models.PROTECT, related_name="ratings")
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    note = encrypted_text(_("note"), 500)
    recorded_at = models.DateTimeField(_("when"), default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LiveManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=0, rating__lte=10), name="toolbox_rating_0_10"
            )
        ]
        indexes = [
            models.Index(fields=["owner", "domain", "-recorded_at"]),
            models.Index(fields=["owner", "-recorded_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/10"
