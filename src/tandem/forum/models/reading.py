"""Each member's own reading: reactions, what they have read, what they watch, and their
boundaries (who may mention them, whom they muted)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import User
from tandem.forum.models.communities import Category
from tandem.forum.models.posts import Post, Topic

# Mentions beyond this many in one post are ignored (a post is not a mailing list).
MAX_MENTIONS_PER_POST = 10


class ReactionKind(models.TextChoices):
    """Support, not likes: no downvotes, no totals per person, no leaderboard."""

    HEAR_YOU = "hear_you", _("I hear you")
    ME_TOO = "me_too", _("Me too")
    THANK_YOU = "thank_you", _("Thank you")


class Reaction(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=ReactionKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user", "kind"], name="forum_reaction_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.post_id}"


class TopicRead(models.Model):
    """When a person last looked at a topic: drives "new since your last visit"."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    last_read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "user"], name="forum_topic_read_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.topic_id}"


class Watch(models.Model):
    """A person asked to hear about new posts in a topic or new topics in a category."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="watches"
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.CASCADE, related_name="watches"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(topic__isnull=True, category__isnull=False)
                | Q(topic__isnull=False, category__isnull=True),
                name="forum_watch_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "topic"], condition=Q(topic__isnull=False), name="forum_watch_topic"
            ),
            models.UniqueConstraint(
                fields=["user", "category"],
                condition=Q(category__isnull=False),
                name="forum_watch_category",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} watches {self.topic_id or self.category_id}"


class MentionPolicy(models.TextChoices):
    EVERYONE = "everyone", _("Everyone in my communities")
    INTERACTED = "interacted", _("Only people I have talked with in a topic")
    NOBODY = "nobody", _("Nobody")


class ForumPreference(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="forum_preference")
    mention_policy = models.CharField(
        _("Who may mention me"),
        max_length=20,
        choices=MentionPolicy.choices,
        default=MentionPolicy.EVERYONE,
    )

    def __str__(self) -> str:
        return f"{self.user_id}: {self.mention_policy}"


class Mute(models.Model):
    """I do not want to see this person's posts. They are never told."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    muted = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "muted"], name="forum_mute_unique"),
            models.CheckConstraint(
                condition=~Q(user=models.F("muted")), name="forum_mute_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} mutes {self.muted_id}"
