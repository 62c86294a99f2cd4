"""The service user's recovery toolbox: life domains, status, goals, activities, medications,
network, crisis plan, exercise practice and journal. Everything belongs to one owner and is
private unless the owner shares a module (care.Grant) or a journal entry (JournalShare).

Free text that says something about a person's health is stored in ``EncryptedTextField``.
Its length limit is a validator (a TextField's ``max_length`` only shapes the form widget).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from tandem.accounts.models import Organisation, User
from tandem.core.fields import EncryptedTextField
from tandem.core.models import TimeStampedModel


def encrypted_text(
    verbose_name: StrOrPromise, max_length: int, *, blank: bool = True, help_text: Any = ""
) -> EncryptedTextField[str, str]:
    """An encrypted text field whose length limit is checked by ``full_clean``."""
    return EncryptedTextField(
        verbose_name,
        max_length=max_length,
        blank=blank,
        default="",
        help_text=help_text,
        validators=[MaxLengthValidator(max_length)],
    )


# --- Life domains ----------------------------------------------------------------------------

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


# --- Status ----------------------------------------------------------------------------------


class StatusRating(models.Model):
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


# --- Goals, steps and activities -------------------------------------------------------------


class GoalStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ACHIEVED = "achieved", _("Achieved")
    PAUSED = "paused", _("Paused")
    DROPPED = "dropped", _("Dropped")


class Goal(TimeStampedModel):
    """Where the owner is heading in one life domain."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="goals")
    domain = models.ForeignKey(LifeDomain, on_delete=models.PROTECT, related_name="goals")
    title = encrypted_text(_("goal"), 200, blank=False)
    why = encrypted_text(_("why it matters to me"), 2000)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    # Used only while the goal has no steps; with steps, progress is the share of steps done.
    manual_progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=GoalStatus.choices, default=GoalStatus.ACTIVE
    )

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(manual_progress__lte=100), name="toolbox_goal_progress_0_100"
            )
        ]
        indexes = [
            models.Index(fields=["owner", "status", "-updated_at"]),
            models.Index(fields=["owner", "-updated_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    def progress_from(self, steps_total: int, steps_done: int) -> int:
        if steps_total:
            return round(100 * steps_done / steps_total)
        return self.manual_progress

    @property
    def progress(self) -> int:
        """Needs ``steps_total`` and ``steps_done`` annotated (see selectors) or prefetched steps."""
        total = getattr(self, "steps_total", None)
        done = getattr(self, "steps_done", None)
        if total is None or done is None:
            steps = list(self.steps.all())
            total, done = len(steps), sum(1 for step in steps if step.done)
        return self.progress_from(total, done)


class GoalStep(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="steps")
    text = encrypted_text(_("step"), 300, blank=False)
    position = models.PositiveIntegerField(default=0)
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["goal", "position"])]

    def __str__(self) -> str:
        return self.text


class Activity(TimeStampedModel):
    """Something the owner did: the process between status and goals."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="activities")
    domain = models.ForeignKey(LifeDomain, on_delete=models.PROTECT, related_name="activities")
    goal = models.ForeignKey(
        Goal, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    description = encrypted_text(_("what I did"), 500, blank=False)
    done_on = models.DateField(_("date"), default=timezone.localdate)

    class Meta:
        ordering = ["-done_on", "-id"]
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["owner", "-done_on"]),
            models.Index(fields=["owner", "domain", "-done_on"]),
        ]

    def __str__(self) -> str:
        return self.description

    def clean(self) -> None:
        if self.goal_id is not None and self.domain_id is not None:
            goal = self.goal
            if goal is not None and goal.domain_id != self.domain_id:
                raise ValidationError(
                    {"goal": _("This goal belongs to another life domain.")}, code="domain"
                )


# --- Medications -----------------------------------------------------------------------------


class Medication(TimeStampedModel):
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="medications")
    name = encrypted_text(_("name"), 120, blank=False)
    dose = encrypted_text(_("dose"), 120)
    schedule = encrypted_text(_("when I take it"), 200)
    purpose = encrypted_text(_("what it is for"), 500)
    effects = encrypted_text(_("how it affects me"), 2000)
    notes = encrypted_text(_("notes"), 2000)
    started_on = models.DateField(_("started"), null=True, blank=True)
    stopped_on = models.DateField(_("stopped"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(started_on__isnull=True)
                | models.Q(stopped_on__isnull=True)
                | models.Q(stopped_on__gte=models.F("started_on")),
                name="toolbox_medication_stop_after_start",
            )
        ]
        indexes = [
            models.Index(fields=["owner", "stopped_on", "-created_at"]),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.started_on and self.stopped_on and self.stopped_on < self.started_on:
            raise ValidationError(
                {"stopped_on": _("The date you stopped cannot be before the date you started.")},
                code="stopped_before_started",
            )

    @property
    def is_current(self) -> bool:
        return self.stopped_on is None or self.stopped_on > timezone.localdate()


# --- Network map -----------------------------------------------------------------------------


class Circle(models.TextChoices):
    INNER = "inner", _("Inner circle: closest to me")
    MIDDLE = "middle", _("Middle circle")
    OUTER = "outer", _("Outer circle: more distant")


class Quality(models.TextChoices):
    SUPPORTIVE = "supportive", _("Supportive")
    MIXED = "mixed", _("Mixed")
    STRAINED = "strained", _("Strained")


class NetworkMember(TimeStampedModel):
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

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["owner", "circle", "created_at"])]

    def __str__(self) -> str:
        return self.name


# --- Crisis plan -----------------------------------------------------------------------------

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


# --- Exercises -------------------------------------------------------------------------------


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


# --- Journal ---------------------------------------------------------------------------------


class JournalEntry(TimeStampedModel):
    """A private journal entry. Shared only entry by entry, with chosen care relationships."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="journal_entries")
    title = encrypted_text(_("title"), 200, blank=False)
    body = encrypted_text(_("entry"), 20_000, blank=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "journal entries"
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return self.title


class JournalShare(models.Model):
    """One journal entry shared with one care relationship (that provider only)."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.CASCADE, related_name="shares")
    relationship = models.ForeignKey(
        "care.CareRelationship", on_delete=models.CASCADE, related_name="journal_shares"
    )
    shared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "relationship"], name="toolbox_journal_share_unique"
            )
        ]
        indexes = [models.Index(fields=["relationship", "-shared_at"])]

    def __str__(self) -> str:
        return f"Entry {self.entry_id} shared with relationship {self.relationship_id}"
