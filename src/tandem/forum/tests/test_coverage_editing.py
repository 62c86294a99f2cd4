"""Editing, deleting and moving posts: the refusals (someone else's post or draft, a topic
moved back to a draft or to no circle) and a moderator's edit, which keeps the earlier text."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tandem.accounts.models import User
from tandem.forum import services
from tandem.forum.models import Category, ModerationState, Post, PostRevision, Topic, Visibility
from tandem.forum.tests.conftest import make_topic, reply
from tandem.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_nobody_edits_or_deletes_someone_elses_post(
    member: Callable[..., User], category: Category
) -> None:
    author, other = member(), member()
    topic = make_topic(author, category)
    post = reply(author, topic, "My words.")
    with pytest.raises(PermissionDenied):
        services.edit_post(editor=other, post=post, body="Not mine.")
    with pytest.raises(PermissionDenied):
        services.delete_post(user=other, post=post)
    services.delete_post(user=author, post=post)
    post.refresh_from_db()
    # A deleted post cannot be edited back, even by its author.
    with pytest.raises(PermissionDenied):
        services.edit_post(editor=author, post=post, body="Back again.")
    assert Post.objects.get(pk=post.pk).body == "My words."


def test_only_the_author_throws_away_a_draft_and_a_published_reply_is_not_a_draft(
    member: Callable[..., User], category: Category
) -> None:
    author, other = member(), member()
    topic = make_topic(author, category)
    draft = services.save_reply_draft(author=author, topic=topic, body="Half a thought")
    with pytest.raises(PermissionDenied):
        services.delete_draft(user=other, post=draft)
    published = reply(author, topic, "Said out loud.")
    services.delete_draft(user=author, post=published)  # not a draft: left alone
    assert Post.objects.filter(pk=published.pk, deleted_at__isnull=True).exists()
    services.delete_draft(user=author, post=draft)
    assert not Post.objects.filter(pk=draft.pk).exists()
    assert Topic.objects.filter(pk=topic.pk).exists()


def test_a_topic_moves_to_a_circle_or_the_community_never_back_to_a_draft(
    member: Callable[..., User], category: Category
) -> None:
    author = member()
    topic = make_topic(author, category)
    topic.community = category.community
    with pytest.raises(ValidationError) as refused:
        services.change_topic_visibility(user=author, topic=topic, visibility=Visibility.DRAFT)
    assert refused.value.message_dict == {"visibility": ["Choose a circle or the whole community."]}
    with pytest.raises(ValidationError, match="Choose a circle"):
        services.change_topic_visibility(
            user=author, topic=topic, visibility=Visibility.CIRCLE, circle=None
        )
    assert Topic.objects.get(pk=topic.pk).visibility == Visibility.COMMUNITY


def test_a_moderators_edit_keeps_the_earlier_text_and_shows_the_note(
    member: Callable[..., User], category: Category
) -> None:
    author = member()
    topic = make_topic(author, category)
    post = reply(author, topic, "Call me on 0123 456789.")
    with pytest.raises(ValidationError):
        services.moderator_edit_post(post=post, body="   ", note="Empty")
    services.moderator_edit_post(post=post, body="Call me.", note="Phone number removed.")
    post.refresh_from_db()
    assert (post.body, post.moderation_note) == ("Call me.", "Phone number removed.")
    assert post.moderation_state == ModerationState.VISIBLE
    assert post.edited_at is not None
    [revision] = PostRevision.objects.filter(post=post)
    assert (revision.body, revision.title) == ("Call me on 0123 456789.", "")
    # Releasing a post that is not held changes nothing.
    assert services.release_held_post(post=post).moderation_state == ModerationState.VISIBLE
    # A second edit of the now visible post keeps the first edit's text too.
    services.moderator_edit_post(post=post, body="Call us.", note="Tidied.")
    assert list(
        PostRevision.objects.filter(post=post).order_by("pk").values_list("body", flat=True)
    ) == ["Call me on 0123 456789.", "Call me."]
    assert Post.objects.get(pk=post.pk).body == "Call us."


def test_releasing_a_held_new_topic_shows_it_and_tells_the_categorys_watchers(
    member: Callable[..., User], category: Category
) -> None:
    author, watcher = member(), member()
    services.toggle_category_watch(user=watcher, category=category)
    topic = make_topic(author, category, title="Tonight", body="I want to kill myself tonight.")
    opening = Post.objects.get(topic=topic, is_opening=True)
    assert opening.moderation_state == ModerationState.HELD
    assert Topic.objects.get(pk=topic.pk).is_held
    assert not Notification.objects.filter(recipient=watcher).exists()
    services.release_held_post(post=opening)
    assert Post.objects.get(pk=opening.pk).moderation_state == ModerationState.VISIBLE
    assert not Topic.objects.get(pk=topic.pk).is_held
    assert Notification.objects.filter(recipient=watcher).count() == 1
