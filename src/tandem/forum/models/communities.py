"""Communities of an organisation, their members and categories."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import Organisation, User
from tandem.core.models import TimeStampedModel

CODE_OF_CONDUCT_MAX_LENGTH = 20_000


class Audience(models.TextChoices):
    SERVICE_USERS = "service_users", _("Service users only")
    PROFESSIONALS = "professionals", _("Professionals only")
    MIXED = "mixed", _("Service users and professionals")


class JoinPolicy(models.TextChoices):
    """How people come into a community. Only open ones are listed and have a join page for
    newcomers; members of a closed one are added by another app (a course's enrolment) through
    ``forum.services.add_member``."""

    OPEN = "open", _("Open: eligible people find it and join")
    CLOSED = "closed", _("Closed: members are added, nobody joins by themselves")


class ConductShownTo(models.TextChoices):
    """Who may read a community's code of conduct on its join page before joining. A
    professionals' community may keep its code (which can describe clinical practice) from the
    service users of the organisation."""

    ORGANISATION = "organisation", _("Everyone in the organisation")
    ELIGIBLE = "eligible", _("Only the people who may join")


class Community(TimeStampedModel):
    """A closed space belonging to one organisation. Members join by accepting its code of
    conduct; a new version of the code asks everyone again before they read or post."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="communities"
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"))
    description = models.TextField(_("description"), max_length=1000, blank=True)
    audience = models.CharField(
        _("who may join"), max_length=20, choices=Audience.choices, default=Audience.MIXED
    )
    join_policy = models.CharField(
        _("how people join"), max_length=10, choices=JoinPolicy.choices, default=JoinPolicy.OPEN
    )
    min_age = models.PositiveSmallIntegerField(_("youngest age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("oldest age"), null=True, blank=True)
    code_of_conduct = models.TextField(_("code of conduct"), max_length=CODE_OF_CONDUCT_MAX_LENGTH)
    code_of_conduct_version = models.PositiveIntegerField(default=1)
    conduct_shown_to = models.CharField(
        _("who may read the code of conduct before joining"),
        max_length=20,
        choices=ConductShownTo.choices,
        default=ConductShownTo.ORGANISATION,
    )
    is_locked = models.BooleanField(
        _("locked"), default=False, help_text=_("Members can read but nobody can post.")
    )
    # Archived: gone from every list and read-only for its members, kept for the record.
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    class Meta:
        verbose_name_plural = "communities"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "slug"], name="forum_community_slug_unique"
            ),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(min_age__lte=models.F("max_age")),
                name="forum_community_age_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_age_limits(self) -> bool:
        return self.min_age is not None or self.max_age is not None

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def is_read_only(self) -> bool:
        """Nobody may post: it is locked or archived."""
        return self.is_locked or self.is_archived


class CommunityMember(models.Model):
    """One person's membership of one community. Leaving deletes the row: access ends at once."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="community_memberships")
    accepted_conduct_version = models.PositiveIntegerField()
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "user"], name="forum_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.community}"


class Category(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_locked = models.BooleanField(
        _("locked"), default=False, help_text=_("Members can read its topics but nobody can post.")
    )
    # Archived: gone from the community's lists and read-only, its topics kept.
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_read_only(self) -> bool:
        return self.is_locked or self.archived_at is not None
