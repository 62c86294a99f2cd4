"""Changing what is published: edits, deletions, visibility, and the moderators' hold,
hide and release of a post."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.forum import hooks, search
from tandem.forum.access import (
    check_can_post_in,
)
from tandem.forum.models import (
    Circle,
    ModerationState,
    Post,
    PostRevision,
    Topic,
    Visibility,
)
from tandem.forum.services.notifying import _notify_new_topic
from tandem.forum.services.writing import (
    _check_circle,
    _require_text,
    _save_post,
    _show_reply,
    create_topic,
)


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
    check_can_post_in(topic.community, topic.category)
    # Drafts are not screened; a published post's edit passes the watched words again.
    prepared: hooks.PreparedPost | None = None
    if not post.is_draft:
        _require_text(title=title if post.is_opening else None, body=body)
        prepared = hooks.post_screen().apply_watched_words(community=topic.community, body=body)
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
    if prepared is not None and post.moderation_state == ModerationState.VISIBLE:
        post.topic = topic
        outcome = hooks.post_screen().screen_published_post(
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
