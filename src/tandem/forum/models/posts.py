"""Topics and posts, and the earlier versions of an edited post.

Post text is stored as typed (for editing and search) and as HTML rendered once at write time
through ``tandem.core.markdown.render_markdown``. It is not encrypted at rest: the database has
to search it (see ``forum/search.py``).
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import User
from tandem.forum.models.circles import Circle
from tandem.forum.models.communities import Category, Community

# Long enough for a long personal story, short enough that nobody scrolls a wall of text and
# that rendering and indexing stay quick. Forms and services both enforce it.
POST_MAX_LENGTH = 20_000
TITLE_MAX_LENGTH = 150


class Visibility(models.TextChoices):
    """The ladder a topic climbs on purpose: only its author ever moves it."""

    DRAFT = "draft", _("Private draft: only you")
    CIRCLE = "circle", _("A circle")
    COMMUNITY = "community", _("The whole community")


class ModerationState(models.TextChoices):
    """Where a published post stands with the moderators. Screening never deletes anything:
    it can only hold a post until a moderator has looked at it."""

    VISIBLE = "visible", _("Visible")
    HELD = "held", _("Held for review")
    HIDDEN = "hidden", _("Hidden by a moderator")


class Topic(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="topics")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="topics")
    circle = models.ForeignKey(
        Circle, null=True, blank=True, on_delete=models.CASCADE, related_name="topics"
    )
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="forum_topics")
    # Blank only while a draft: publishing requires a title (see services).
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH, blank=True)
    visibility = models.CharField(
        max_length=20, choices=Visibility.choices, default=Visibility.COMMUNITY
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_posted_at = models.DateTimeField(null=True, blank=True)
    reply_count = models.PositiveIntegerField(default=0)
    # Topic of the week: shown at the top of the community between these dates (inclusive).
    featured_from = models.DateField(null=True, blank=True)
    featured_until = models.DateField(null=True, blank=True)
    # True while the opening post waits for a moderator: only the author and the community's
    # moderators see the topic then.
    is_held = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["category", "visibility", "-last_posted_at"]),
            # A community's latest topics (its front page): without it, every topic is sorted.
            models.Index(fields=["community", "visibility", "-last_posted_at"]),
            models.Index(fields=["community", "featured_from", "featured_until"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(visibility="circle") | Q(circle__isnull=False),
                name="forum_topic_circle_needs_circle",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Post(models.Model):
    """A topic's opening post or a reply. ``body_html`` is rendered once, when written."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="forum_posts")
    is_opening = models.BooleanField(default=False)
    is_draft = models.BooleanField(default=False)
    # Blank only while a draft: publishing requires text (see services).
    body = models.TextField(_("message"), max_length=POST_MAX_LENGTH, blank=True)
    body_html = models.TextField(blank=True)
    quoted_post = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The profession shown with the professional badge when the author chose to write in
    # that role; empty when they wrote as themselves. Kept as written, like the text.
    professional_title = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    moderation_state = models.CharField(
        max_length=20, choices=ModerationState.choices, default=ModerationState.VISIBLE
    )
    # Shown with the post: why a moderator hid it, or what they changed when they edited it.
    moderation_note = models.CharField(max_length=500, blank=True)
    # PostgreSQL only (a GIN index lives on it); SQLite keeps its index in the FTS5 table
    # forum_post_fts instead and leaves this column empty.
    search_vector = SearchVectorField(null=True, editable=False)
    # The reply or new-topic form's key (a fresh UUID in each form shown), so a double submit or
    # a retry finds the stored post instead of posting it twice (``forum/replays.py``). Empty
    # for drafts, posts from before it and posts written by code (seeds, benchmark data).
    client_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["topic", "is_draft", "published_at"]),
            models.Index(fields=["author", "is_draft"]),
            # Rate limits and new-member limits count a person's recent posts.
            models.Index(fields=["author", "published_at"]),
        ]
        constraints = [
            # One draft reply per person per topic: autosave updates it in place.
            models.UniqueConstraint(
                fields=["topic", "author"],
                condition=Q(is_draft=True, is_opening=False),
                name="forum_post_one_draft_reply",
            ),
            # A key is the author's: another person's post with the same key is another post.
            models.UniqueConstraint(
                fields=["author", "client_key"],
                condition=Q(client_key__isnull=False),
                name="forum_post_once_per_key",
            ),
        ]

    def __str__(self) -> str:
        return f"Post {self.pk} in {self.topic_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_held(self) -> bool:
        return self.moderation_state == ModerationState.HELD

    @property
    def is_hidden(self) -> bool:
        return self.moderation_state == ModerationState.HIDDEN


class PostRevision(models.Model):
    """What a post said before an edit. Only moderators see these."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True)
    body = models.TextField()
    written_at = models.DateTimeField()
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-replaced_at", "-pk"]

    def __str__(self) -> str:
        return f"Revision of {self.post_id}"
