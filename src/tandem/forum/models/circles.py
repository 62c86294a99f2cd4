"""Circles: small groups of members inside a community."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import User
from tandem.core.models import TimeStampedModel
from tandem.forum.models.communities import Community

# People a circle's starter may invite; with the starter a circle has at most 13 members.
CIRCLE_MAX_INVITED = 12


class Circle(TimeStampedModel):
    """A small private group inside a community, for talking with a few trusted peers first."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="circles")
    name = models.CharField(_("name of the circle"), max_length=80)
    created_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return self.name


class CircleMember(models.Model):
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="circle_memberships")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["circle", "user"], name="forum_circle_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.circle}"
