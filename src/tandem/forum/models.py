"""Peer-support communities: closed spaces of an organisation, with categories, topics, posts,
reactions, circles and each member's boundaries.

Post text is stored as typed (for editing and search) and as HTML rendered once at write time
through ``tandem.core.markdown.render_markdown``. It is not encrypted at rest: the database has
to search it (see ``forum/search.py``).
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import Organisation, User
from tandem.core.models import TimeStampedModel

# Long enough for a long personal story, short enough that nobody scrolls a wall of text and
# that rendering and indexing stay quick. Forms and services both enforce it.
POST_MAX_LENGTH = 20_000
TITLE_MAX_LENGTH = 150
CODE_OF_CONDUCT_MAX_LENGTH = 20_000
# People a circle's starter may invite; with the starter a circle has at most 13 members.
CIRCLE_MAX_INVITED = 12
# Mentions beyond this many in one post are ignored (a post is not a mailing list).
MAX_MENTIONS_PER_POST = 10


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


class Circle(TimeStampedModel):
    """A small private group inside a community, for talking with a few trusted peers first."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="circles")
    name = models.CharField(_("name of the circle"), max_length=80)
    created_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return self.name


class CircleMember(models.Model):
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="circle_memberships")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["circle", "user"], name="forum_circle_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.circle}"


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
