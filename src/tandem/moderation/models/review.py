"""The review queue and what fills it: screening decisions on posts, review items and members'
reports.

The forum's ``Post.moderation_state`` says whether a post is visible, held or hidden; the rows
here say why."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import User
from tandem.forum.models import Community, Post
from tandem.moderation.models.lengths import REASON_MAX_LENGTH


class Risk(models.IntegerChoices):
    """How urgently an item needs a moderator. The queue sorts by this, then by age."""

    ROUTINE = 0, _("Routine")
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High: possible risk to someone's safety")


class Level(models.TextChoices):
    """What a screening rule does when it fires (see ``data/rules_en.toml``)."""

    HIGH = "high", _("High risk: hold, show crisis resources, tell moderators on duty")
    HOLD = "hold", _("Hold for review")
    FLAG = "flag", _("Publish, and put it in front of a moderator")
    REMIND = "remind", _("Publish with a gentle reminder")


class Outcome(models.TextChoices):
    PENDING = "pending", _("Waiting for a moderator")
    UPHELD = "upheld", _("Moderator agreed")
    OVERRULED = "overruled", _("Moderator overruled")
    NOT_REVIEWED = "not_reviewed", _("Published, not reviewed")


class ScreeningDecision(models.Model):
    """One rule (or watched word, or pre-moderation) that fired on one post, kept so moderators
    can see how often each rule fires and how often they overrule it."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="screening_decisions")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(max_length=80)
    category = models.CharField(max_length=40)
    level = models.CharField(max_length=10, choices=Level.choices)
    language = models.CharField(max_length=10, default="en")
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["community", "rule", "created_at"])]

    def __str__(self) -> str:
        return f"{self.rule} on {self.post_id}"


class ItemState(models.TextChoices):
    OPEN = "open", _("Waiting")
    RESOLVED = "resolved", _("Resolved")


class ReviewItem(models.Model):
    """One post in the review queue: held by the screen, by pre-moderation or a watched word,
    or reported by members. Repeat reports of one post merge into its open item."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="review_items")
    state = models.CharField(max_length=20, choices=ItemState.choices, default=ItemState.OPEN)
    risk = models.PositiveSmallIntegerField(choices=Risk.choices, default=Risk.ROUTINE)
    is_held = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    first_reviewed_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(max_length=20, blank=True)
    # The second tier (``moderation.escalation``): how far a high-risk hold has gone beyond the
    # moderators, and whether anyone was on duty when it was held (if not, its author is told
    # so at once and the clinical contacts are alerted without waiting).
    escalation_step = models.PositiveSmallIntegerField(default=0)
    nobody_on_duty = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["post"], condition=Q(state="open"), name="moderation_one_open_item"
            ),
        ]
        indexes = [
            models.Index(fields=["community", "state", "-risk", "created_at"]),
            models.Index(fields=["community", "is_held", "created_at"]),
            # The escalation sweep reads open high-risk items every half minute.
            models.Index(
                fields=["created_at"],
                condition=Q(state="open", risk__gte=3),
                name="moderation_open_high_items",
            ),
        ]

    def __str__(self) -> str:
        return f"Review of post {self.post_id}"


class ReportReason(models.TextChoices):
    SAFETY = "safety", _("Someone's safety may be at risk")
    HARMFUL = "harmful", _("Harmful content")
    HARASSMENT = "harassment", _("Harassment")
    SPAM = "spam", _("Spam")
    OTHER = "other", _("Something else")


REPORT_RISK = {
    ReportReason.SAFETY: Risk.HIGH,
    ReportReason.HARMFUL: Risk.MEDIUM,
    ReportReason.HARASSMENT: Risk.MEDIUM,
    ReportReason.SPAM: Risk.LOW,
    ReportReason.OTHER: Risk.LOW,
}


class Report(models.Model):
    """A member's report of a post. One per person per post: reporting again updates it."""

    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="reports")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    reporter = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(
        _("Why are you reporting this?"), max_length=20, choices=ReportReason.choices
    )
    text = models.TextField(
        _("Anything moderators should know"), max_length=REASON_MAX_LENGTH, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "reporter"], name="moderation_report_once"),
        ]
        indexes = [models.Index(fields=["reporter", "created_at"])]

    def __str__(self) -> str:
        return f"Report of {self.post_id}"
