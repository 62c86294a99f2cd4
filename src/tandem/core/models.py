"""Base models shared by every app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Abstract base that records when a row was created and last changed (UTC)."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


# The change record lives in its own module (with the function that writes it); imported here
# so Django finds the model.
from tandem.core.change_record import ChangeRecord as ChangeRecord  # noqa: E402
