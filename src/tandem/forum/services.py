"""Every change of state in the forum. Keyword-only, atomic, validated with ``full_clean``;
notifications go through ``tandem.notifications.services.notify``, whose email is queued after
commit. Each service that writes a post keeps the search index in step (``forum/search.py``).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.age import check_age_allows
from tandem.accounts.models import Membership, Role, User
from tandem.core.markdown import render_markdown
from tandem.core.text import contains_bidi_controls, has_visible_text, validate_no_bidi_controls
from tandem.forum import replays, search
from tandem.forum.access import (
    check_can_feature_topics,
    check_can_post_in,
    eligible_roles,
)
from tandem.forum.models import (
    CIRCLE_MAX_INVITED,
    MAX_MENTIONS_PER_POST,
    Category,
    Circle,
    CircleMember,
    Community,
    CommunityMember,
    ForumPreference,
    MentionPolicy,
    ModerationState,
    Mute,
    Post,
    PostRevision,
    Reaction,
    ReactionKind,
    Topic,
    TopicRead,
    Visibility,
    Watch,
)
from tandem.forum.selectors import CIRCLE_SCOPE, COMMUNITY_SCOPE
from tandem.moderation import posting as moderation
from tandem.notifications.services import notify

# ---------------------------------------------------------------------------------------------
# Joining and leaving


def check_can_join(*, user: User, community: Community, date_of_birth: date | None) -> None:
    """Raise ValidationError with a message for the person when they may not join."""
    roles = set(
        Membership.objects.filter(user=user, organisation=community.organisation_id)
        .exclude(role=Role.PROVIDER, verified_at__isnull=True)
        .values_list("role", flat=True)
    )
    if not roles & set(eligible_roles(community.audience)):
        raise ValidationError(
            _("This community is for %(audience)s.")
            % {"audience": community.get_audience_display().lower()},
            code="audience",
        )
    # The organisation's age rule, kept in one place (accounts.age).
    check_age_allows(
        user=user,
        organisation=community.organisation,
        min_age=community.min_age,
        max_age=community.max_age,
        date_of_birth=date_of_birth,
    )


@transaction.atomic
def join_community(
    *, user: User, community: Community, accepted_version: int, date_of_birth: date | None = None
) -> CommunityMember:
    """Join ``community`` (or accept its new code of conduct) as ``user``.

    ``accepted_version`` is the version the person read; if the code changed meanwhile they are
    asked again. A date of birth given here is saved on the account when it had none.
    """
    if accepted_version != community.code_of_conduct_version:
        raise ValidationError(
            _("The code of conduct has just changed. Please read the new version."),
            code="stale_conduct",
        )
    dob = user.date_of_birth or date_of_birth
    check_can_join(user=user, community=community, date_of_birth=dob)
    if user.date_of_birth is None and date_of_birth is not None:
        user.date_of_birth = date_of_birth
        user.save(update_fields=["date_of_birth"])
    member, _created = CommunityMember.objects.update_or_create(
        community=community,
        user=user,
        defaults={"accepted_conduct_version": community.code_of_conduct_version},
    )
    return member


@transaction.atomic
def leave_community(*, user: User, community: Community) -> None:
    """Leave at once: membership, circle places and watches in the community go."""
    CircleMember.objects.filter(user=user, circle__community=community).delete()
    Watch.objects.filter(user=user).filter(
        Q(topic__community=community) | Q(category__community=community)
    ).delete()
    CommunityMember.objects.filter(user=user, community=community).delete()


@transaction.atomic
def publish_code_of_conduct(*, community: Community, text: str) -> Community:
    """Replace the code of conduct; every member is asked to accept it before going on."""
    community.code_of_conduct = text
    community.code_of_conduct_version += 1
    community.full_clean()
    community.save(update_fields=["code_of_conduct", "code_of_conduct_version", "updated_at"])
    return community


# ---------------------------------------------------------------------------------------------
# Writing


def _professional_title(*, author: User, community: Community, as_professional: bool) -> str:
    """The badge text if ``author`` asked to write as a professional and may, else ''."""
    if not as_professional:
        return ""
    verified = Membership.objects.filter(
        user=author,
        organisation=community.organisation_id,
        role=Role.PROVIDER,
        verified_at__isnull=False,
    ).exists()
    if not verified:
        raise ValidationError(
            {"as_professional": _("Only verified professionals can write in that role.")}
        )
    return author.profession or _("Professional")


def _require_text(*, title: str | None, body: str) -> None:
    """Refuse to publish text a reader would not see (only spaces or invisible characters) and
    a title that turns the words after it around (``core.text``). Forms say so first, field by
    field; this also covers drafts published without a form (a change of visibility)."""
    errors: dict[str, str] = {}
    if title is not None:
        if not has_visible_text(title):
            errors["title"] = _("Enter a title.")
        elif contains_bidi_controls(title):
            errors["title"] = str(validate_no_bidi_controls.message)
    if not has_visible_text(body):
        errors["body"] = _("Write your message.")
    if errors:
        raise ValidationError(errors)


def _check_circle(*, author: User, community: Community, circle: Circle | None) -> None:
    if circle is None:
        raise ValidationError({"circle": _("Choose a circle.")})
    if (
        circle.community_id != community.pk
        or not CircleMember.objects.filter(circle=circle, user=author).exists()
    ):
        raise ValidationError({"circle": _("Choose one of your circles.")})


def _save_post(post: Post) -> Post:
    post.body_html = render_markdown(post.body)
    # The key's uniqueness is the database's to enforce (replays.save_once): checking it here
    # first would turn a lost race between two submits into an error message.
    post.full_clean(exclude=["client_key"])
    post.save()
    return post


@transaction.atomic
def save_topic_draft(
    *,
    author: User,
    community: Community,
    category: Category,
    title: str,
    body: str,
    draft: Topic | None = None,
) -> Topic:
    """Create or update a private draft topic. Drafts may be unfinished (empty title or text)."""
    if category.community_id != community.pk:
        raise ValidationError({"category": _("Choose a category of this community.")})
    if draft is None:
        draft = Topic(community=community, author=author, visibility=Visibility.DRAFT)
    elif draft.author_id != author.pk or draft.visibility != Visibility.DRAFT:
        raise PermissionDenied
    draft.category = category
    draft.title = title.strip()
    draft.full_clean()
    draft.save()
    post = Post.objects.filter(topic=draft, is_opening=True).first() or Post(
        topic=draft, author=author, is_opening=True
    )
    post.is_draft = True
    post.body = body
    _save_post(post)
    return draft


@transaction.atomic
def create_topic(
    *,
    author: User,
    community: Community,
    category: Category,
    title: str,
    body: str,
    visibility: str = Visibility.COMMUNITY,
    circle: Circle | None = None,
    as_professional: bool = False,
    draft: Topic | None = None,
    client_key: uuid.UUID | None = None,
) -> Topic:
    """Publish a new topic to the community or to one of the author's circles.

    ``draft`` is the author's draft of this topic, which becomes the topic. The author watches
    their own topic; category watchers (or the circle's members) are notified. ``client_key``
    is the form's key: when the author has published with it already, that topic is returned
    and nothing else happens (``forum/replays.py``).
    """
    # Waits for another submit publishing the same draft, so that only one of them does.
    locked = replays.lock_draft_topic(draft) if draft is not None else None
    stored = replays.stored_post(author, client_key)
    if stored is not None:
        return stored.topic
    if draft is not None and locked is None:
        raise ValidationError(_("This draft has been published already."))
    draft = locked
    check_can_post_in(community)
    _require_text(title=title, body=body)
    if visibility == Visibility.CIRCLE:
        _check_circle(author=author, community=community, circle=circle)
    elif visibility != Visibility.COMMUNITY:
        raise ValidationError({"visibility": _("Choose who can see this topic.")})
    # Limits, mutes, slow mode and "block" watched words refuse here; "replace" words change
    # the text. Screening happens once the post exists, before anyone else can see it.
    prepared = moderation.check_before_publish(author=author, community=community, body=body)
    body = prepared.body

    def publish() -> Post:
        topic = save_topic_draft(
            author=author,
            community=community,
            category=category,
            title=title,
            body=body,
            draft=draft,
        )
        now = timezone.now()
        topic.visibility = visibility
        topic.circle = circle if visibility == Visibility.CIRCLE else None
        topic.last_posted_at = now
        topic.full_clean()
        topic.save(update_fields=["visibility", "circle", "last_posted_at"])
        post = Post.objects.get(topic=topic, is_opening=True)
        post.is_draft = False
        post.published_at = now
        post.client_key = client_key
        post.professional_title = _professional_title(
            author=author, community=community, as_professional=as_professional
        )
        _save_post(post)
        post.topic = topic
        return post

    post, created = replays.save_once(author, client_key, publish)
    if not created:
        return post.topic
    topic = post.topic
    outcome = moderation.screen_published_post(post=post, community=community, prepared=prepared)
    Watch.objects.get_or_create(user=author, topic=topic)
    if not outcome.held:
        search.index_post(post, topic.title)
        _notify_new_topic(topic=topic, post=post)
    return topic


@transaction.atomic
def save_reply_draft(
    *, author: User, topic: Topic, body: str, quoted_post: Post | None = None
) -> Post:
    """Keep the author's unfinished reply (one per topic), across sessions and log-outs."""
    post = Post.objects.filter(topic=topic, author=author, is_draft=True, is_opening=False).first()
    if post is None:
        post = Post(topic=topic, author=author, is_draft=True)
    post.body = body
    post.quoted_post = _same_topic_quote(topic, quoted_post)
    return _save_post(post)


def _same_topic_quote(topic: Topic, quoted_post: Post | None) -> Post | None:
    if quoted_post is None or quoted_post.topic_id != topic.pk or quoted_post.is_draft:
        return None
    return quoted_post


@transaction.atomic
def reply_to_topic(
    *,
    author: User,
    topic: Topic,
    body: str,
    quoted_post: Post | None = None,
    as_professional: bool = False,
    client_key: uuid.UUID | None = None,
) -> Post:
    """Publish a reply (replacing the author's draft reply, if any) and tell watchers and the
    people mentioned. A ``client_key`` the author has published with already returns that
    post, and nothing else happens (``forum/replays.py``)."""
    stored = replays.stored_post(author, client_key)
    if stored is not None:
        return stored
    community = topic.community
    check_can_post_in(community)
    if topic.visibility == Visibility.DRAFT:
        raise ValidationError(_("Publish the topic before replying to it."))
    _require_text(title=None, body=body)
    prepared = moderation.check_before_publish(
        author=author, community=community, body=body, topic=topic
    )
    body = prepared.body
    now = timezone.now()
    post = replays.lock_draft_reply(author, topic) or Post(topic=topic, author=author)
    post.body = body
    post.is_draft = False
    post.published_at = now
    post.client_key = client_key
    post.quoted_post = _same_topic_quote(topic, quoted_post)
    post.professional_title = _professional_title(
        author=author, community=community, as_professional=as_professional
    )
    saved, created = replays.save_once(author, client_key, lambda: _save_post(post))
    if not created:
        return saved
    post.topic = topic
    outcome = moderation.screen_published_post(post=post, community=community, prepared=prepared)
    Watch.objects.get_or_create(user=author, topic=topic)
    if not outcome.held:
        _show_reply(topic=topic, post=post)
    return post


def _show_reply(*, topic: Topic, post: Post) -> None:
    search.index_post(post, "")
    Topic.objects.filter(pk=topic.pk).update(
        last_posted_at=post.published_at, reply_count=F("reply_count") + 1
    )
    _notify_reply(topic=topic, post=post)


@transaction.atomic
def release_held_post(*, post: Post) -> Post:
    """Show a post a moderator approved: index it, move its topic on and tell watchers, as
    publishing would have done."""
    if post.moderation_state != ModerationState.HELD:
        return post
    topic = Topic.objects.select_related("community", "category", "circle").get(pk=post.topic_id)
    post.moderation_state = ModerationState.VISIBLE
    post.save(update_fields=["moderation_state"])
    post.topic = topic
    if post.is_opening:
        was_new = topic.is_held  # an edited opening post was held, not a new topic
        topic.is_held = False
        topic.save(update_fields=["is_held"])
        if not post.is_deleted:
            search.index_post(post, topic.title)
            if was_new and topic.visibility != Visibility.DRAFT:
                _notify_new_topic(topic=topic, post=post)
    elif not post.is_deleted:
        _show_reply(topic=topic, post=post)
    return post


@transaction.atomic
def hide_post(*, post: Post, note: str) -> Post:
    """Hide a post for everyone but its author and the moderators, with the reason shown.
    The text is kept: a moderator can approve it later."""
    post.moderation_state = ModerationState.HIDDEN
    post.moderation_note = note[:500]
    post.save(update_fields=["moderation_state", "moderation_note"])
    search.unindex_post(post)
    return post


@transaction.atomic
def moderator_edit_post(*, post: Post, body: str, note: str) -> Post:
    """Replace a post's text on a moderator's behalf, keeping the earlier version and showing
    ``note`` with the post. A held post is shown once edited."""
    _require_text(title=None, body=body)
    PostRevision.objects.create(
        post=post,
        title=post.topic.title if post.is_opening else "",
        body=post.body,
        written_at=post.edited_at or post.published_at or post.created_at,
    )
    post.body = body
    post.edited_at = timezone.now()
    post.moderation_note = note[:500]
    was_held = post.moderation_state == ModerationState.HELD
    _save_post(post)
    if was_held:
        release_held_post(post=post)
    elif post.moderation_state == ModerationState.VISIBLE:
        search.index_post(post, post.topic.title if post.is_opening else "")
    return post


@transaction.atomic
def edit_post(*, editor: User, post: Post, body: str, title: str | None = None) -> Post:
    """Change a post (and, for an opening post, its topic's title), keeping the earlier version
    for moderators."""
    if post.author_id != editor.pk or post.is_deleted:
        raise PermissionDenied
    topic = post.topic
    check_can_post_in(topic.community)
    prepared = moderation.Prepared(body=body)
    if not post.is_draft:
        _require_text(title=title if post.is_opening else None, body=body)
        prepared = moderation.apply_watched_words(community=topic.community, body=body)
        body = prepared.body
    PostRevision.objects.create(
        post=post,
        title=topic.title if post.is_opening else "",
        body=post.body,
        written_at=post.edited_at or post.published_at or post.created_at,
    )
    post.body = body
    post.edited_at = timezone.now()
    _save_post(post)
    if post.is_opening and title is not None:
        topic.title = title.strip()
        topic.full_clean()
        topic.save(update_fields=["title"])
    if not post.is_draft and post.moderation_state == ModerationState.VISIBLE:
        post.topic = topic
        outcome = moderation.screen_published_post(
            post=post, community=topic.community, prepared=prepared, is_edit=True
        )
        if outcome.held:
            search.unindex_post(post)
            return post
    if post.moderation_state == ModerationState.VISIBLE:
        search.index_post(post, topic.title if post.is_opening else "")
    return post


@transaction.atomic
def delete_post(*, user: User, post: Post) -> None:
    """Soft-delete the author's own post: it reads "deleted" and leaves search at once."""
    if post.author_id != user.pk:
        raise PermissionDenied
    post.deleted_at = timezone.now()
    post.save(update_fields=["deleted_at"])
    search.unindex_post(post)


@transaction.atomic
def delete_draft(*, user: User, post: Post) -> None:
    """Throw away a draft reply or a draft topic (with its opening post)."""
    if post.author_id != user.pk:
        raise PermissionDenied
    if post.is_opening and post.topic.visibility == Visibility.DRAFT:
        post.topic.delete()
    elif post.is_draft:
        post.delete()


@transaction.atomic
def change_topic_visibility(
    *, user: User, topic: Topic, visibility: str, circle: Circle | None = None
) -> Topic:
    """Move a topic along the ladder draft → circle → community. Only its author may; moving
    down is refused once someone else has replied, so nobody's words disappear from under them.
    """
    if topic.author_id != user.pk:
        raise PermissionDenied
    order = [Visibility.DRAFT, Visibility.CIRCLE, Visibility.COMMUNITY]
    if visibility not in order or visibility == Visibility.DRAFT:
        raise ValidationError({"visibility": _("Choose a circle or the whole community.")})
    going_down = order.index(Visibility(visibility)) < order.index(Visibility(topic.visibility))
    if going_down and topic.posts.exclude(author=user).filter(is_draft=False).exists():
        raise ValidationError(
            {"visibility": _("Others have replied, so this topic can no longer be narrowed.")}
        )
    if topic.visibility == Visibility.DRAFT:
        opening = Post.objects.get(topic=topic, is_opening=True)
        return create_topic(
            author=user,
            community=topic.community,
            category=topic.category,
            title=topic.title,
            body=opening.body,
            visibility=visibility,
            circle=circle,
            as_professional=bool(opening.professional_title),
            draft=topic,
        )
    if visibility == Visibility.CIRCLE:
        _check_circle(author=user, community=topic.community, circle=circle)
    was_circle = topic.visibility == Visibility.CIRCLE
    topic.visibility = visibility
    topic.circle = circle if visibility == Visibility.CIRCLE else None
    topic.full_clean()
    topic.save(update_fields=["visibility", "circle"])
    if was_circle and visibility == Visibility.COMMUNITY:
        opening = Post.objects.get(topic=topic, is_opening=True)
        _notify_new_topic(topic=topic, post=opening)
    return topic


# ---------------------------------------------------------------------------------------------
# Reactions, reading, watching


@transaction.atomic
def toggle_reaction(*, user: User, post: Post, kind: str) -> bool:
    """Add the reaction if the person has not given it, else take it back. Return whether it
    is now given. No reactions on one's own, draft or deleted posts."""
    kind = ReactionKind(kind)
    if post.is_draft or post.is_deleted or post.author_id == user.pk:
        raise PermissionDenied
    deleted, _rows = Reaction.objects.filter(post=post, user=user, kind=kind).delete()
    if deleted:
        return False
    try:
        with transaction.atomic():
            Reaction.objects.create(post=post, user=user, kind=kind)
    except IntegrityError:  # a double click raced us; the reaction is there either way
        pass
    return True


def mark_topic_read(*, user: User, topic: Topic, previous: datetime | None = None) -> None:
    """Record that ``user`` has read ``topic`` up to now.

    ``previous`` is the reader's marker as the page read it: when it already covers the
    topic's last post, there was nothing new to see and nothing is written (a write and its
    commit on every topic view cost more than the rest of the page's queries together).
    """
    if (
        previous is not None
        and topic.last_posted_at is not None
        and previous >= topic.last_posted_at
    ):
        return
    _write_topic_read(user=user, topic=topic)


@transaction.atomic
def _write_topic_read(*, user: User, topic: Topic) -> None:
    # One UPDATE on every visit but the first (update_or_create would SELECT first).
    now = timezone.now()
    if not TopicRead.objects.filter(topic=topic, user=user).update(last_read_at=now):
        TopicRead.objects.create(topic=topic, user=user, last_read_at=now)


@transaction.atomic
def toggle_topic_watch(*, user: User, topic: Topic) -> bool:
    deleted, _rows = Watch.objects.filter(user=user, topic=topic).delete()
    if deleted:
        return False
    Watch.objects.create(user=user, topic=topic)
    return True


@transaction.atomic
def toggle_category_watch(*, user: User, category: Category) -> bool:
    deleted, _rows = Watch.objects.filter(user=user, category=category).delete()
    if deleted:
        return False
    Watch.objects.create(user=user, category=category)
    return True


@transaction.atomic
def feature_topic(*, community: Community, topic: Topic, start: date, end: date) -> Topic:
    """Make ``topic`` the topic of the week from ``start`` to ``end`` (facilitators only;
    ``community`` carries the acting person's roles, from the gate)."""
    check_can_feature_topics(community)
    if topic.visibility != Visibility.COMMUNITY:
        raise ValidationError(_("Only topics open to the whole community can be featured."))
    if end < start:
        raise ValidationError({"featured_until": _("The end date must be after the start.")})
    topic.featured_from = start
    topic.featured_until = end
    topic.full_clean()
    topic.save(update_fields=["featured_from", "featured_until"])
    return topic


@transaction.atomic
def unfeature_topic(*, community: Community, topic: Topic) -> Topic:
    check_can_feature_topics(community)
    topic.featured_from = None
    topic.featured_until = None
    topic.save(update_fields=["featured_from", "featured_until"])
    return topic


# ---------------------------------------------------------------------------------------------
# Circles


@transaction.atomic
def create_circle(*, user: User, community: Community, name: str) -> Circle:
    circle = Circle(community=community, created_by=user, name=name.strip())
    circle.full_clean()
    circle.save()
    CircleMember.objects.create(circle=circle, user=user)
    return circle


@transaction.atomic
def add_to_circle(*, user: User, circle: Circle, pseudonym: str) -> CircleMember:
    """Add a fellow community member to a circle the acting person started."""
    if circle.created_by_id != user.pk:
        raise PermissionDenied
    invitee = (
        User.objects.filter(
            pseudonym__iexact=pseudonym.strip(),
            is_active=True,
            community_memberships__community=circle.community_id,
        )
        .filter(
            Exists(
                Membership.objects.filter(
                    user=OuterRef("pk"), organisation=circle.community.organisation_id
                )
            )
        )
        .first()
    )
    if invitee is None:
        raise ValidationError({"pseudonym": _("Nobody in this community has that display name.")})
    if CircleMember.objects.filter(circle=circle, user=invitee).exists():
        raise ValidationError({"pseudonym": _("They are already in this circle.")})
    if CircleMember.objects.filter(circle=circle).exclude(user=user).count() >= CIRCLE_MAX_INVITED:
        raise ValidationError(
            _("A circle can have up to %(n)s people besides you.") % {"n": CIRCLE_MAX_INVITED}
        )
    member = CircleMember.objects.create(circle=circle, user=invitee)
    notify(
        recipient=invitee,
        actor=user,
        kind="forum.circle_added",
        title=_("%(name)s added you to the circle “%(circle)s”")
        % {"name": user.pseudonym, "circle": circle.name},
        url=reverse("forum:circle-detail", kwargs={"circle_id": circle.pk}),
        scope_type=CIRCLE_SCOPE,
        scope_id=circle.pk,
    )
    return member


@transaction.atomic
def leave_circle(*, user: User, circle: Circle) -> None:
    CircleMember.objects.filter(circle=circle, user=user).delete()
    if not CircleMember.objects.filter(circle=circle).exists():
        circle.delete()


# ---------------------------------------------------------------------------------------------
# Boundaries


@transaction.atomic
def mute_person(*, user: User, muted: User) -> Mute:
    """Fold away ``muted``'s posts for ``user``. The muted person is never told."""
    if muted.pk == user.pk:
        raise ValidationError(_("You cannot mute yourself."))
    mute, _created = Mute.objects.get_or_create(user=user, muted=muted)
    return mute


@transaction.atomic
def unmute_person(*, user: User, mute: Mute) -> None:
    if mute.user_id != user.pk:
        raise PermissionDenied
    mute.delete()


@transaction.atomic
def set_mention_policy(*, user: User, policy: str) -> ForumPreference:
    preference, _created = ForumPreference.objects.get_or_create(user=user)
    preference.mention_policy = MentionPolicy(policy)
    preference.full_clean()
    preference.save(update_fields=["mention_policy"])
    return preference


# ---------------------------------------------------------------------------------------------
# Notifications


_MENTION = re.compile(r"(?<![\w@])@([^\W_][\w.'-]*)")


@dataclass(frozen=True)
class _Event:
    topic: Topic
    post: Post

    @property
    def scope(self) -> tuple[str, int]:
        if self.topic.visibility == Visibility.CIRCLE and self.topic.circle_id:
            return CIRCLE_SCOPE, self.topic.circle_id
        return COMMUNITY_SCOPE, self.topic.community_id

    @property
    def url(self) -> str:
        return reverse("forum:topic-detail", kwargs={"topic_id": self.topic.pk}) + (
            f"#post-{self.post.pk}"
        )


def mentioned_users(*, body: str, community: Community) -> list[User]:
    """Members of ``community`` whose display names follow an ``@`` in ``body``.

    Display names may hold spaces, so each ``@word`` is matched against members whose name
    starts with that word, and the longest name that the text spells out wins.
    """
    found: dict[int, User] = {}
    for match in list(_MENTION.finditer(body))[:MAX_MENTIONS_PER_POST]:
        first_word = match.group(1)
        rest = body[match.start(1) :].lower()
        candidates = User.objects.filter(
            pseudonym__istartswith=first_word,
            is_active=True,
            community_memberships__community=community,
        )
        best: User | None = None
        for candidate in candidates:
            name = candidate.pseudonym.lower()
            boundary = rest[len(name) : len(name) + 1]
            fits = rest.startswith(name) and not (boundary.isalnum() or boundary == "_")
            if fits and (best is None or len(name) > len(best.pseudonym)):
                best = candidate
        if best is not None:
            found[best.pk] = best
    return list(found.values())


def _have_interacted(a: User, b: User) -> bool:
    """Both have published in at least one same topic."""
    return (
        Topic.objects.filter(posts__author=a, posts__is_draft=False)
        .filter(Exists(Post.objects.filter(topic=OuterRef("pk"), author=b, is_draft=False)))
        .exists()
    )


def _may_mention(author: User, recipient: User) -> bool:
    preference = ForumPreference.objects.filter(user=recipient).first()
    policy = preference.mention_policy if preference else MentionPolicy.EVERYONE
    if policy == MentionPolicy.NOBODY:
        return False
    if policy == MentionPolicy.INTERACTED:
        return _have_interacted(author, recipient)
    return True


def _can_read(users: list[User], topic: Topic, author: User) -> list[User]:
    """Keep the people who can still read ``topic`` now and have not muted ``author``."""
    if not users:
        return []
    ids = [user.pk for user in users]
    allowed = CommunityMember.objects.filter(community=topic.community_id, user_id__in=ids).filter(
        Exists(
            Membership.objects.filter(
                user=OuterRef("user"), organisation=topic.community.organisation_id
            )
        )
    )
    if topic.visibility == Visibility.CIRCLE:
        allowed = allowed.filter(
            Exists(CircleMember.objects.filter(circle=topic.circle_id, user=OuterRef("user")))
        )
    allowed_ids = set(allowed.values_list("user_id", flat=True))
    muting = set(
        Mute.objects.filter(user_id__in=ids, muted=author).values_list("user_id", flat=True)
    )
    return [user for user in users if user.pk in allowed_ids and user.pk not in muting]


def _send(event: _Event, recipients: list[User], kind: str, title: str) -> None:
    scope_type, scope_id = event.scope
    for recipient in recipients:
        notify(
            recipient=recipient,
            actor=event.post.author,
            kind=kind,
            title=title,
            url=event.url,
            scope_type=scope_type,
            scope_id=scope_id,
        )


def _notify_mentions(event: _Event, already: set[int]) -> set[int]:
    author = event.post.author
    mentioned = [
        user
        for user in mentioned_users(body=event.post.body, community=event.topic.community)
        if user.pk != author.pk and user.pk not in already and _may_mention(author, user)
    ]
    mentioned = _can_read(mentioned, event.topic, author)
    _send(
        event,
        mentioned,
        "forum.mention",
        _("%(name)s mentioned you in “%(topic)s”")
        % {"name": author.pseudonym, "topic": event.topic.title},
    )
    return {user.pk for user in mentioned}


def _notify_new_topic(*, topic: Topic, post: Post) -> None:
    event = _Event(topic=topic, post=post)
    told = _notify_mentions(event, set())
    if topic.visibility == Visibility.CIRCLE:
        others = User.objects.filter(circle_memberships__circle=topic.circle_id)
        title = _("New in your circle “%(circle)s”: “%(topic)s”") % {
            "circle": topic.circle.name if topic.circle else "",
            "topic": topic.title,
        }
    else:
        others = User.objects.filter(watches_for_category(topic))
        title = _("New topic in %(category)s: “%(topic)s”") % {
            "category": topic.category.name,
            "topic": topic.title,
        }
    recipients = list(others.exclude(pk=topic.author_id).exclude(pk__in=told).distinct())
    _send(event, _can_read(recipients, topic, post.author), "forum.new_topic", title)


def watches_for_category(topic: Topic) -> Q:
    return Q(pk__in=Watch.objects.filter(category=topic.category_id).values("user_id"))


def _notify_reply(*, topic: Topic, post: Post) -> None:
    event = _Event(topic=topic, post=post)
    told = _notify_mentions(event, set())
    watchers = list(
        User.objects.filter(pk__in=Watch.objects.filter(topic=topic).values("user_id"))
        .exclude(pk=post.author_id)
        .exclude(pk__in=told)
    )
    _send(
        event,
        _can_read(watchers, topic, post.author),
        "forum.reply",
        _("%(name)s replied to “%(topic)s”")
        % {"name": post.author.pseudonym, "topic": topic.title},
    )
