"""A community's moderation rules: pre-moderation and limits, watched words, slow mode, and the
visits and trust overrides behind each member's trust level."""

from __future__ import annotations

from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import User
from tandem.forum.models import Community, Topic
from tandem.moderation.models.lengths import REASON_MAX_LENGTH


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
