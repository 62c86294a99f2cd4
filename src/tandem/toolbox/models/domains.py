"""Life domains: the defaults, an organisation's own, and a person's own."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from tandem.accounts.models import Organisation, User

# The defaults every organisation starts with, keyed so their names can be translated.
DEFAULT_DOMAINS: dict[str, StrOrPromise] = {
    "home": _("Home"),
    "work_study": _("Work and study"),
    "money": _("Money"),
    "relationships": _("Relationships and social network"),
    "physical_health": _("Physical health"),
    "mental_health": _("Mental health"),
    "leisure": _("Leisure"),
    "daily_living": _("Daily living"),
}


DOMAIN_NAME_MAX_LENGTH = 80


class LifeDomain(models.Model):
    """An area of life the toolbox is organised by.

    Three kinds, told apart by which foreign key is set: a global default (neither), an
    organisation's own domain (``organisation``), a person's own domain (``owner``). An
    organisation changes the defaults for its members by hiding global ones and adding its own.
    """

    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="life_domains",
    )
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="life_domains"
    )
    # Set for the global defaults only: picks the translated name from DEFAULT_DOMAINS.
    key = models.SlugField(max_length=40, blank=True)
    name = models.CharField(_("name"), max_length=DOMAIN_NAME_MAX_LENGTH, blank=True)
    position = models.PositiveSmallIntegerField(default=100)
    hidden_by_organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="hidden_life_domains"
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=True) | models.Q(owner__isnull=True),
                name="toolbox_domain_org_or_owner",
            ),
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(organisation__isnull=True, owner__isnull=True)
                & ~models.Q(key=""),
                name="toolbox_domain_unique_default_key",
            ),
        ]
        indexes = [models.Index(fields=["owner", "archived_at"])]

    def __str__(self) -> str:
        return str(self.label)

    def clean(self) -> None:
        if not self.key and not self.name.strip():
            raise ValidationError({"name": _("Give the life domain a name.")})

    @property
    def label(self) -> str:
        if self.key in DEFAULT_DOMAINS and not self.name:
            return str(DEFAULT_DOMAINS[self.key])
        return self.name

    @property
    def is_personal(self) -> bool:
        return self.owner_id is not None
