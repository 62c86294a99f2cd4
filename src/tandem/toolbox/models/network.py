"""The network map: people and services, by circle and quality."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import User
from tandem.core.models import TimeStampedModel
from tandem.toolbox.models.fields import encrypted_text
from tandem.toolbox.models.kept import LiveManager, Undoable


class Circle(models.TextChoices):
    INNER = "inner", _("Inner circle: closest to me")
    MIDDLE = "middle", _("Middle circle")
    OUTER = "outer", _("Outer circle: more distant")


class Quality(models.TextChoices):
    SUPPORTIVE = "supportive", _("Supportive")
    MIXED = "mixed", _("Mixed")
    STRAINED = "strained", _("Strained")


class NetworkMember(Undoable, TimeStampedModel):
    """A person or service around the owner, placed on the circles of the network map."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="network")
    name = encrypted_text(_("name or label"), 100, blank=False)
    relationship = encrypted_text(_("who they are to me"), 100)
    contact = encrypted_text(_("contact details"), 200)
    circle = models.CharField(
        _("how close"), max_length=10, choices=Circle.choices, default=Circle.MIDDLE
    )
    quality = models.CharField(
        _("how it feels"), max_length=12, choices=Quality.choices, default=Quality.SUPPORTIVE
    )

    objects = LiveManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["owner", "circle", "created_at"])]

    def __str__(self) -> str:
        return self.name
