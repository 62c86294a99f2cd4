"""Writing: drafts, new topics and replies. Each publish passes the post screen registered with
``forum.hooks`` before and after saving, in the same transaction."""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import Membership, Role, User
from tandem.core import usage
from tandem.core.text import contains_bidi_controls, has_visible_text, validate_no_bidi_controls
from tandem.forum import hooks, replays, search
from tandem.forum.access import (
    check_can_post_in,
)
from tandem.forum.mentions import render_post_html
from tandem.forum.models import (
    Category,
    Circle,
    CircleMember,
    Community,
    Post,
    Topic,
    Visibility,
    Watch,
)
from tandem.forum.services.notifying import _notify_new_topic, _notify_reply


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
    post.body_html = render_post_html(post)
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
    check_can_post_in(community, category)
    _require_text(title=title, body=body)
    if visibility == Visibility.CIRCLE:
        _check_circle(author=author, community=community, circle=circle)
    elif visibility != Visibility.COMMUNITY:
        raise ValidationError({"visibility": _("Choose who can see this topic.")})
    # Limits, mutes, slow mode and "block" watched words refuse here; "replace" words change
    # the text. Screening happens once the post exists, before anyone else can see it.
    prepared = hooks.post_screen().check_before_publish(
        author=author, community=community, body=body
    )
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
    usage.record(author.pk, usage.Module.FORUM, usage.Action.POST)
    outcome = hooks.post_screen().screen_published_post(
        post=post, community=community, prepared=prepared
    )
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
    check_can_post_in(community, topic.category)
    if topic.visibility == Visibility.DRAFT:
        raise ValidationError(_("Publish the topic before replying to it."))
    _require_text(title=None, body=body)
    prepared = hooks.post_screen().check_before_publish(
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
    usage.record(author.pk, usage.Module.FORUM, usage.Action.POST)
    outcome = hooks.post_screen().screen_published_post(
        post=post, community=community, prepared=prepared
    )
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
