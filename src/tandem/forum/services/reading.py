"""Reactions, reading, watching and featuring."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.core import usage
from tandem.forum.access import CommunityAccess, check_can_feature_topics
from tandem.forum.models import (
    Category,
    Post,
    Reaction,
    ReactionKind,
    Topic,
    TopicRead,
    Visibility,
    Watch,
)


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
    usage.record(user.pk, usage.Module.FORUM, usage.Action.REACTION)
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
def feature_topic(*, member: CommunityAccess, topic: Topic, start: date, end: date) -> Topic:
    """Make ``topic`` the topic of the week from ``start`` to ``end`` (facilitators only:
    ``member`` is what the gate decided about the acting person in the topic's community)."""
    check_can_feature_topics(member)
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
def unfeature_topic(*, member: CommunityAccess, topic: Topic) -> Topic:
    check_can_feature_topics(member)
    topic.featured_from = None
    topic.featured_until = None
    topic.save(update_fields=["featured_from", "featured_until"])
    return topic
