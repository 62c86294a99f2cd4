"""Moderation and safety: screening decisions, the review queue, reports, sanctions, watched
words, slow mode, community limits, moderator duty and notes, and the append-only audit log.
Messages between moderators and a post's author are messaging threads (``outreach``).

The forum's ``Post.moderation_state`` says whether a post is visible, held or hidden; the rows
here say why, and who decided what.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import Organisation, User
from tandem.core.fields import EncryptedTextField
from tandem.forum.models import Community, Post, Topic

REASON_MAX_LENGTH = 1000
NOTE_MAX_LENGTH = 4000
OUTREACH_MAX_LENGTH = 4000


class Risk(models.IntegerChoices):
    """How urgently an item needs a moderator. The queue sorts by this, then by age."""

    ROUTINE = 0, _("Routine")
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High: possible risk to someone's safety")


class PreModeration(models.TextChoices):
    EVERY_POST = "every_post", _("Every post waits for a moderator (as youth services do)")
    NEW_MEMBERS = "new_members", _("A new member's first posts wait for a moderator")
    NONE = "none", _("No pre-moderation")


class CommunitySettings(models.Model):
    """A community's moderation rules. A community without a row uses the defaults."""

    community = models.OneToOneField(
        Community, on_delete=models.CASCADE, related_name="moderation_settings"
    )
    premoderation = models.CharField(
        _("Pre-moderation"),
        max_length=20,
        choices=PreModeration.choices,
        default=PreModeration.NEW_MEMBERS,
    )
    new_member_held_posts = models.PositiveSmallIntegerField(
        _("How many first posts of a new member wait for a moderator"), default=3
    )
    new_member_topics_per_day = models.PositiveSmallIntegerField(
        _("Topics a new member may start per day"), default=2
    )
    new_member_replies_per_day = models.PositiveSmallIntegerField(
        _("Replies a new member may write per day"), default=10
    )
    # Everyone's limits per hour (moderators are exempt).
    topics_per_hour = models.PositiveSmallIntegerField(
        _("Topics one person may start per hour"), default=5
    )
    replies_per_hour = models.PositiveSmallIntegerField(
        _("Replies one person may write per hour"), default=30
    )
    mentions_per_hour = models.PositiveSmallIntegerField(
        _("@mentions one person may write per hour"), default=20
    )
    # Slow mode for every topic of the community (a topic's own ``SlowMode`` wins); empty: off.
    slow_mode_minutes = models.PositiveSmallIntegerField(
        _("Slow mode in every topic: minutes between one person's replies (empty: off)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
    )

    def __str__(self) -> str:
        return f"Moderation settings of {self.community_id}"


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


class SanctionKind(models.TextChoices):
    WARN = "warn", _("Warning")
    MUTE = "mute", _("Muted (can read, cannot post)")
    SUSPEND = "suspend", _("Suspended from the community")


class Sanction(models.Model):
    """A warning, mute or suspension of one person in one community. A mute or suspension
    counts while ``until`` is in the future (or forever when empty) and not lifted."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=SanctionKind.choices)
    reason = models.TextField(max_length=REASON_MAX_LENGTH)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    until = models.DateTimeField(null=True, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["community", "user", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} of {self.user_id} in {self.community_id}"


class WatchedWordAction(models.TextChoices):
    BLOCK = "block", _("Block the post (the writer is asked to change it)")
    HOLD = "hold", _("Hold the post for review")
    REPLACE = "replace", _("Replace the word")


class WatchedWord(models.Model):
    """A word or phrase moderators watch for in one community (whole words, any case)."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="watched_words")
    word = models.CharField(_("Word or phrase"), max_length=100)
    action = models.CharField(_("What happens"), max_length=20, choices=WatchedWordAction.choices)
    replacement = models.CharField(_("Replace with"), max_length=100, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "word"], name="moderation_watched_word_unique"
            ),
        ]
        ordering: ClassVar[list[str]] = ["word"]

    def __str__(self) -> str:
        return self.word


class SlowMode(models.Model):
    """A heated topic: each person may reply once every ``interval_minutes``."""

    topic = models.OneToOneField(Topic, on_delete=models.CASCADE, related_name="slow_mode")
    interval_minutes = models.PositiveSmallIntegerField(_("Minutes between one person's replies"))
    set_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Slow mode on {self.topic_id}"


class CommunityVisit(models.Model):
    """A day on which a person opened a community's pages: trust grows with days visited."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user", "day"], name="moderation_visit_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.community_id} on {self.day}"


class TrustOverride(models.Model):
    """A trust level a moderator set by hand for one person in one community, with the reason
    (in the audit log too). It replaces the earned level until a moderator clears it."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField()
    reason = models.TextField(max_length=REASON_MAX_LENGTH)
    set_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user"], name="moderation_trust_override_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} at level {self.level} in {self.community_id}"


class ModeratorDuty(models.Model):
    """Whether a moderator is on duty for an organisation now. High-risk holds tell everyone on
    duty; when nobody is, every moderator of the organisation is told."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    on_duty = models.BooleanField(default=False)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="moderation_duty_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on duty: {self.on_duty}"


class ModeratorNote(models.Model):
    """A note about a pseudonym, for the community's moderators only (handover between shifts).

    The note is encrypted at rest like the rest of what is written about a person (issue 13):
    it often says more about their situation than their posts do.
    """

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    body = EncryptedTextField(
        _("Note"), max_length=NOTE_MAX_LENGTH, validators=[MaxLengthValidator(NOTE_MAX_LENGTH)]
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["community", "subject", "-created_at"])]

    def __str__(self) -> str:
        return f"Note on {self.subject_id}"


class AuditAction(models.TextChoices):
    APPROVE = "approve", _("Approved a post")
    HIDE = "hide", _("Hid a post")
    EDIT = "edit", _("Edited a post")
    WARN = "warn", _("Warned a person")
    MUTE = "mute", _("Muted a person")
    SUSPEND = "suspend", _("Suspended a person")
    LIFT = "lift", _("Lifted a mute or suspension")
    REACH_OUT = "reach_out", _("Sent a private message")
    NOTE = "note", _("Wrote a note")
    REVEAL_REQUEST = "reveal_request", _("Asked to reveal a real identity")
    REVEAL = "reveal", _("Revealed a real identity")
    REVEAL_DECLINE = "reveal_decline", _("Declined to reveal a real identity")
    SLOW_MODE = "slow_mode", _("Changed slow mode")
    WATCHED_WORD = "watched_word", _("Changed watched words")
    SETTINGS = "settings", _("Changed moderation settings")
    ESCALATE = "escalate", _("Escalated for clinical help")
    ACKNOWLEDGE = "acknowledge", _("Took on an escalation")
    ROTA = "rota", _("Changed the clinical escalation rota")
    COMMUNITY = "community", _("Changed a community")
    CATEGORY = "category", _("Changed a category")
    CONDUCT = "conduct", _("Published a code of conduct")
    TRUST = "trust", _("Set a trust level")


class AuditLogError(Exception):
    """Raised when code tries to change or delete an audit entry."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditLogError("The audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditLogError("The audit log is append-only.")


class AuditEntry(models.Model):
    """One moderation action or identity reveal. Append-only.

    Nobody changes or deletes an entry through the application: ``save`` refuses updates,
    ``delete`` and the queryset's ``update``/``delete`` refuse, and a database trigger (SQLite
    and PostgreSQL, migration 0002) refuses UPDATE and DELETE statements. References are kept
    as plain ids without database constraints (``db_constraint=False``, ``DO_NOTHING``) so that
    deleting a post or an account never has to rewrite the log; the pseudonyms are copied in as
    they were at the time.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    community = models.ForeignKey(
        Community,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_pseudonym = models.CharField(max_length=60)
    subject = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    subject_pseudonym = models.CharField(max_length=60, blank=True)
    post = models.ForeignKey(
        Post,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    reason = models.TextField(max_length=REASON_MAX_LENGTH, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "-created_at"]),
            models.Index(fields=["subject", "action"]),
        ]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_pseudonym}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AuditLogError("The audit log is append-only.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditLogError("The audit log is append-only.")
