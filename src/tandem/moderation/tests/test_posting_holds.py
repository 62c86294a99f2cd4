"""Screening and holding on the forum's writing services: high-risk posts held and moderators
told, approving and hiding, watched words, and edits into high risk."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.http import Http404

from tandem.accounts.models import Organisation, User
from tandem.forum import access as forum_access
from tandem.forum import services as forum_services
from tandem.forum.models import Category, Community, ModerationState, Post
from tandem.forum.search import search_posts
from tandem.forum.tests.conftest import make_topic, reply
from tandem.moderation import services
from tandem.moderation.models import (
    ItemState,
    Level,
    Outcome,
    ReviewItem,
    Risk,
    ScreeningDecision,
    WatchedWord,
    WatchedWordAction,
)
from tandem.notifications.models import Notification

pytestmark = pytest.mark.django_db

RISKY = "I can't do this anymore. I want to kill myself tonight."


def test_a_high_risk_reply_is_held_and_the_moderators_on_duty_are_told(
    otter: User,
    skylark: User,
    mo: User,
    category: Category,
    organisation: Organisation,
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[object]],
) -> None:
    topic = make_topic(skylark, category, title="Bad week", body="Rough days.")
    services.set_duty(moderator=mo, organisation=organisation, on_duty=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post = reply(otter, topic, RISKY)
    post.refresh_from_db()
    assert post.moderation_state == ModerationState.HELD
    item = ReviewItem.objects.get(post=post)
    assert (item.state, item.risk, item.is_held) == (ItemState.OPEN, Risk.HIGH, True)
    rules = set(ScreeningDecision.objects.filter(post=post).values_list("rule", flat=True))
    assert {"suicide_intent", "suicide_talk"} <= rules
    assert set(ScreeningDecision.objects.values_list("outcome", flat=True)) == {Outcome.PENDING}
    # Nobody else sees it, hears about it or finds it.
    topic.refresh_from_db()
    assert topic.reply_count == 0
    assert not Notification.objects.filter(recipient=skylark, kind="forum.reply").exists()
    assert not search_posts(skylark, "kill").exists()
    # Mo is told in the portal and by an email without content.
    note = Notification.objects.get(recipient=mo, kind="moderation.high_risk")
    assert note.url == f"/moderation/items/{item.pk}/"
    assert "kill" not in note.title
    assert [m.to for m in mail.outbox] == [[mo.email]]
    assert mail.outbox[0].subject == "Something new in Tandem"
    assert "kill" not in mail.outbox[0].body and "Young people" not in mail.outbox[0].body


def test_with_nobody_on_duty_every_moderator_is_told(
    otter: User,
    skylark: User,
    mo: User,
    make_member: Callable[..., User],
    category: Category,
    organisation: Organisation,
) -> None:
    other = make_member("moderator", pseudonym="Lee")
    topic = make_topic(skylark, category)
    reply(otter, topic, RISKY)
    told = set(
        Notification.objects.filter(kind="moderation.high_risk").values_list("recipient", flat=True)
    )
    assert told == {mo.pk, other.pk}
    services.set_duty(moderator=other, organisation=organisation, on_duty=True)
    reply(otter, topic, "This is goodbye everyone, I won't be here tomorrow.")
    assert Notification.objects.filter(recipient=other, kind="moderation.high_risk").count() == 2
    assert Notification.objects.filter(recipient=mo, kind="moderation.high_risk").count() == 1


def test_a_lower_risk_reply_is_published_and_logged(
    otter: User, skylark: User, category: Category
) -> None:
    topic = make_topic(skylark, category, body="Walking helped me today.")
    post = reply(otter, topic, "I used to self-harm, walking helps me now.")
    post.refresh_from_db()
    assert post.moderation_state == ModerationState.VISIBLE
    decision = ScreeningDecision.objects.get(post=post)
    assert (decision.rule, decision.level, decision.outcome) == (
        "self_harm_talk",
        Level.REMIND,
        Outcome.NOT_REVIEWED,
    )
    assert not ReviewItem.objects.exists()
    from tandem.moderation.selectors import post_needs_reminder

    assert post_needs_reminder(post)


def test_contact_details_are_held_without_alerting_anyone(
    otter: User, skylark: User, mo: User, category: Category
) -> None:
    topic = make_topic(skylark, category)
    post = reply(otter, topic, "Text me on 07700 900123")
    assert Post.objects.get(pk=post.pk).moderation_state == ModerationState.HELD
    assert ReviewItem.objects.get(post=post).risk == Risk.MEDIUM
    assert not Notification.objects.filter(recipient=mo).exists()


def test_a_held_topic_is_seen_only_by_its_author(
    otter: User, skylark: User, category: Category
) -> None:
    topic = make_topic(otter, category, title="Tonight", body=RISKY)
    topic.refresh_from_db()
    assert topic.is_held
    assert forum_access.get_topic_access(otter, topic.pk).topic == topic
    with pytest.raises(Http404):
        forum_access.get_topic_access(skylark, topic.pk)


def test_approving_shows_the_post_as_publishing_would_have(
    otter: User, skylark: User, mo: User, category: Category
) -> None:
    topic = make_topic(skylark, category)
    post = reply(otter, topic, RISKY)
    item = ReviewItem.objects.get(post=post)
    item.community = category.community
    services.approve_item(moderator=mo, item=item, reason="Talked with Otter; safe to share.")
    post.refresh_from_db()
    topic.refresh_from_db()
    assert post.moderation_state == ModerationState.VISIBLE
    assert topic.reply_count == 1
    assert Notification.objects.filter(recipient=skylark, kind="forum.reply").exists()
    assert Notification.objects.filter(recipient=otter, kind="moderation.outcome").exists()
    assert set(ScreeningDecision.objects.filter(post=post).values_list("outcome", flat=True)) == {
        Outcome.OVERRULED
    }
    item.refresh_from_db()
    assert item.state == ItemState.RESOLVED and item.first_reviewed_at is not None


def test_hiding_keeps_the_text_and_tells_the_author_why(
    otter: User, skylark: User, mo: User, category: Category
) -> None:
    topic = make_topic(skylark, category)
    post = reply(otter, topic, "I took a load of pills last night")
    item = ReviewItem.objects.get(post=post)
    item.community = category.community
    services.hide_item(moderator=mo, item=item, reason="Describes a method.")
    post.refresh_from_db()
    assert post.moderation_state == ModerationState.HIDDEN
    assert post.moderation_note == "Describes a method."
    assert post.body == "I took a load of pills last night"
    assert ScreeningDecision.objects.filter(post=post, outcome=Outcome.UPHELD).exists()


def test_only_moderators_act(otter: User, skylark: User, ada: User, category: Category) -> None:
    post = reply(otter, make_topic(skylark, category), RISKY)
    item = ReviewItem.objects.get(post=post)
    from django.core.exceptions import PermissionDenied

    for person in (ada, skylark):
        with pytest.raises(PermissionDenied):
            services.approve_item(moderator=person, item=item, reason="x")


def test_a_reason_is_required(otter: User, skylark: User, mo: User, category: Category) -> None:
    post = reply(otter, make_topic(skylark, category), RISKY)
    item = ReviewItem.objects.get(post=post)
    with pytest.raises(ValidationError):
        services.hide_item(moderator=mo, item=item, reason="  ")


# --- Watched words ---------------------------------------------------------------------------


def test_watched_words_block_hold_or_replace(
    otter: User, skylark: User, mo: User, community: Community, category: Category
) -> None:
    topic = make_topic(skylark, category)
    services.add_watched_word(
        moderator=mo, community=community, word="Bad Word", action=WatchedWordAction.BLOCK
    )
    services.add_watched_word(
        moderator=mo, community=community, word="pro-ana", action=WatchedWordAction.HOLD
    )
    services.add_watched_word(
        moderator=mo,
        community=community,
        word="darn",
        action=WatchedWordAction.REPLACE,
        replacement="d**n",
    )
    with pytest.raises(ValidationError) as refused:
        reply(otter, topic, "this is a bad   word here")
    assert "Bad Word" in str(refused.value)
    held = reply(otter, topic, "any pro-ana tips?")
    assert Post.objects.get(pk=held.pk).moderation_state == ModerationState.HELD
    assert ScreeningDecision.objects.filter(post=held, rule="watched:pro-ana").exists()
    replaced = reply(otter, topic, "Darn, darning is fine")
    assert Post.objects.get(pk=replaced.pk).body == "d**n, darning is fine"
    with pytest.raises(ValidationError, match="already on the list"):
        services.add_watched_word(moderator=mo, community=community, word="DARN", action="hold")
    services.remove_watched_word(moderator=mo, watched=WatchedWord.objects.get(word="darn"))
    assert WatchedWord.objects.count() == 2


def test_editing_a_post_into_high_risk_holds_it(
    otter: User, skylark: User, category: Category
) -> None:
    post = reply(otter, make_topic(skylark, category), "fine")
    post = Post.objects.select_related("topic__community").get(pk=post.pk)
    forum_services.edit_post(editor=otter, post=post, body=RISKY)
    assert Post.objects.get(pk=post.pk).moderation_state == ModerationState.HELD


def test_editing_an_opening_post_into_high_risk_keeps_the_topic_and_its_replies(
    otter: User, skylark: User, category: Category
) -> None:
    topic = make_topic(otter, category, title="Walks", body="Walking helps")
    reply(skylark, topic, "Same for me")
    opening = Post.objects.select_related("topic__community").get(topic=topic, is_opening=True)
    forum_services.edit_post(editor=otter, post=opening, body=RISKY, title="Walks")
    topic.refresh_from_db()
    assert not topic.is_held
    assert Post.objects.get(pk=opening.pk).moderation_state == ModerationState.HELD
    assert forum_access.get_topic_access(skylark, topic.pk).topic == topic
