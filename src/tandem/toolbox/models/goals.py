"""Goals, their steps, and activities."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import User
from tandem.core.models import TimeStampedModel
from tandem.toolbox.models.domains import LifeDomain
from tandem.toolbox.models.fields import encrypted_text
from tandem.toolbox.models.kept import LiveManager, Undoable


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


class GoalStatusChange(models.Model):
    """When a goal took a status; a new goal's first row is its start.

    Drawn on the same time axis as the person's questionnaire scores (questionnaires.charts),
    so "achieved" or "paused" can be read beside the scores around it. No text: the title is
    read from the goal, so deleting the goal deletes its history too.
    """

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=10, choices=GoalStatus.choices)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["goal", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.goal_id}: {self.status} at {self.changed_at:%Y-%m-%d}"


class GoalStep(Undoable):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="steps")
    text = encrypted_text(_("step"), 300, blank=False)
    position = models.PositiveIntegerField(default=0)
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(null=True, blank=True)

    objects = LiveManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["goal", "position"])]

    def __str__(self) -> str:
        return self.text


class Activity(Undoable, TimeStampedModel):
    """Something the owner did: the process between status and goals."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="activities")
    domain = models.ForeignKey(LifeDomain, on_delete=models.PROTECT, related_name="activities")
    goal = models.ForeignKey(
        Goal, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    description = encrypted_text(_("what I did"), 500, blank=False)
    done_on = models.DateField(_("date"), default=timezone.localdate)

    objects = LiveManager()
    all_objects = models.Manager()

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
