"""The crisis plan: the seven Stanley-Brown sections, one plan per owner."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from tandem.accounts.models import User
from tandem.core.models import TimeStampedModel
from tandem.toolbox.models.fields import encrypted_text

# Stanley-Brown safety plan sections, in order, with the prompts shown to the person.
CRISIS_PLAN_SECTIONS: tuple[tuple[str, StrOrPromise, StrOrPromise], ...] = (
    (
        "warning_signs",
        _("Warning signs"),
        _(
            "What tells you a crisis may be starting? Thoughts, feelings, situations or things "
            "you do. Write them in your own words, one per line."
        ),
    ),
    (
        "coping_alone",
        _("Things I can do on my own"),
        _(
            "What helps you take your mind off things without contacting anyone? For example "
            "a walk, music, a shower, breathing exercises."
        ),
    ),
    (
        "distraction",
        _("People and places that take my mind off things"),
        _("Who can you be with, and where can you go, to feel a bit better? Names and places."),
    ),
    (
        "help_people",
        _("People I can ask for help"),
        _("Who can you tell that you are struggling? Write their names and phone numbers."),
    ),
    (
        "professionals",
        _("Professionals and services to contact"),
        _(
            "Your care team, your GP, a 24-hour crisis line. Write names and numbers, "
            "and when they can be reached."
        ),
    ),
    (
        "safer_environment",
        _("Making my environment safer"),
        _("What can you do, or ask someone to do, to make your surroundings safer?"),
    ),
    (
        "reasons_for_living",
        _("My reasons for living"),
        _("What matters most to you and is worth living for?"),
    ),
)


CRISIS_PLAN_SECTION_MAX_LENGTH = 3000


class CrisisPlan(TimeStampedModel):
    """The owner's safety plan (Stanley-Brown), all text encrypted at rest."""

    owner = models.OneToOneField(User, on_delete=models.CASCADE, related_name="crisis_plan")
    warning_signs = encrypted_text(_("Warning signs"), CRISIS_PLAN_SECTION_MAX_LENGTH)
    coping_alone = encrypted_text(_("Things I can do on my own"), CRISIS_PLAN_SECTION_MAX_LENGTH)
    distraction = encrypted_text(
        _("People and places that take my mind off things"), CRISIS_PLAN_SECTION_MAX_LENGTH
    )
    help_people = encrypted_text(_("People I can ask for help"), CRISIS_PLAN_SECTION_MAX_LENGTH)
    professionals = encrypted_text(
        _("Professionals and services to contact"), CRISIS_PLAN_SECTION_MAX_LENGTH
    )
    safer_environment = encrypted_text(
        _("Making my environment safer"), CRISIS_PLAN_SECTION_MAX_LENGTH
    )
    reasons_for_living = encrypted_text(_("My reasons for living"), CRISIS_PLAN_SECTION_MAX_LENGTH)

    def __str__(self) -> str:
        return f"Crisis plan of {self.owner_id}"

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, key).strip() for key, _label, _prompt in CRISIS_PLAN_SECTIONS)
