"""Screening, holding, pre-moderation, watched words, limits and slow mode, on the forum's
writing services."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from tandem.accounts.models import Organisation, User
from tandem.forum import access as forum_access
from tandem.forum import services as forum_services
from tandem.forum.models import Category, Community, ModerationState, Post, Topic, TopicRead
from tandem.forum.search import search_posts
from tandem.forum.tests.conftest import make_topic, reply
from tandem.moderation import limits, posting, services
from tandem.moderation.errors import PostingLimitError
from tandem.moderation.models import (
    CommunitySettings,
    CommunityVisit,
    ItemState,
    Level,
    Outcome,
    PreModeration,
    ReviewItem,
    Risk,
    ScreeningDecision,
    SlowMode,
    WatchedWord,
    WatchedWordAction,
)
from tandem.notifications.models import Notification

pytestmark = pytest.mark.django_db

RISKY = "I can't do this anymore. I want to kill myself tonight."


def _settings(community: Community, **fields: object) -> CommunitySettings:
    CommunitySettings.objects.filter(community=community).update(**fields)
    return CommunitySettings.objects.get(community=community)


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


# --- Pre-moderation and trust ----------------------------------------------------------------


def test_premoderation_of_every_post_holds_everything_but_moderators(
    otter: User, mo: User, community: Community, category: Category
) -> None:
    _settings(community, premoderation=PreModeration.EVERY_POST)
    topic = make_topic(otter, category, body="Hello all")
    post = Post.objects.get(topic=topic)
    assert post.moderation_state == ModerationState.HELD
    assert ReviewItem.objects.get(post=post).risk == Risk.ROUTINE
    forum_services.join_community(user=mo, community=community, accepted_version=1)
    topic_by_mo = make_topic(mo, category, title="Welcome", body="Welcome all")
    assert Post.objects.get(topic=topic_by_mo).moderation_state == ModerationState.VISIBLE


def test_a_new_members_first_three_posts_wait_for_a_moderator(
    otter: User, skylark: User, mo: User, community: Community, category: Category
) -> None:
    _settings(community, premoderation=PreModeration.NEW_MEMBERS, new_member_held_posts=3)
    topic = make_topic(skylark, category)  # Skylark's first post: held too
    Post.objects.filter(topic=topic).update(moderation_state=ModerationState.VISIBLE)
    Topic.objects.filter(pk=topic.pk).update(is_held=False)
    states = []
    for n in range(4):
        post = reply(otter, topic, f"Reply {n}")
        states.append(Post.objects.get(pk=post.pk).moderation_state)
        if states[-1] == ModerationState.HELD:
            item = ReviewItem.objects.get(post=post)
            item.community = community
            services.approve_item(moderator=mo, item=item, reason="Fine")
    assert states == [ModerationState.HELD] * 3 + [ModerationState.VISIBLE]


def test_no_premoderation_publishes_at_once(otter: User, skylark: User, category: Category) -> None:
    post = reply(otter, make_topic(skylark, category), "Hello")
    assert Post.objects.get(pk=post.pk).moderation_state == ModerationState.VISIBLE


def test_trust_grows_with_participation_not_reactions(
    otter: User, skylark: User, community: Community, category: Category
) -> None:
    _settings(community, new_member_topics_per_day=100)
    topic = make_topic(otter, category)
    for n in range(3):
        reply(otter, topic, f"Reply {n}")
    first = Post.objects.filter(author=otter).order_by("pk")[0]
    for kind in ("hear_you", "me_too", "thank_you"):
        forum_services.toggle_reaction(user=skylark, post=first, kind=kind)
    assert posting.trust_for(otter, community).level == limits.TRUST_NEW
    for n in range(limits.MEMBER_TOPICS_READ):
        other = make_topic(skylark, category, title=f"T{n}")
        TopicRead.objects.create(topic=other, user=otter, last_read_at=timezone.now())
    for days in range(limits.MEMBER_DAYS_VISITED):
        CommunityVisit.objects.create(
            community=community, user=otter, day=timezone.localdate() - timedelta(days=days)
        )
    trust = posting.trust_for(otter, community)
    assert trust.level == limits.TRUST_MEMBER
    assert trust.approved_posts == 4


def test_new_members_have_daily_limits_that_trust_lifts(
    otter: User, mo: User, community: Community, category: Category
) -> None:
    _settings(community, new_member_replies_per_day=2, new_member_topics_per_day=1)
    forum_services.join_community(user=mo, community=community, accepted_version=1)
    topic = make_topic(mo, category)
    reply(otter, topic, "one")
    reply(otter, topic, "two")
    with pytest.raises(PostingLimitError, match="New members can write 2 replies a day"):
        reply(otter, topic, "three")
    make_topic(otter, category, title="Mine")
    with pytest.raises(PostingLimitError, match="New members can start 1 topics a day"):
        make_topic(otter, category, title="Mine again")
    for n in range(limits.MEMBER_TOPICS_READ):
        TopicRead.objects.create(
            topic=make_topic(mo, category, title=f"R{n}"), user=otter, last_read_at=timezone.now()
        )
    for days in range(2):
        CommunityVisit.objects.create(
            community=community, user=otter, day=timezone.localdate() - timedelta(days=days)
        )
    reply(otter, topic, "three, now that I have settled in")


# --- Rate limits -----------------------------------------------------------------------------


def test_replies_per_hour_are_limited_and_the_wait_is_stated(
    otter: User, skylark: User, community: Community, category: Category
) -> None:
    _settings(community, replies_per_hour=2, new_member_replies_per_day=100)
    topic = make_topic(skylark, category)
    reply(otter, topic, "one")
    reply(otter, topic, "two")
    with pytest.raises(PostingLimitError, match="2 replies in the last hour") as refused:
        reply(otter, topic, "three")
    assert refused.value.status == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        reply(otter, topic, "three, later")


def test_topics_per_hour_are_limited(otter: User, community: Community, category: Category) -> None:
    _settings(community, topics_per_hour=1, new_member_topics_per_day=100)
    make_topic(otter, category, title="First")
    with pytest.raises(PostingLimitError, match="1 topics in the last hour"):
        make_topic(otter, category, title="Second")


def test_mentions_per_hour_are_limited(
    otter: User, skylark: User, community: Community, category: Category
) -> None:
    _settings(community, mentions_per_hour=3)
    topic = make_topic(skylark, category)
    reply(otter, topic, "@Skylark @Skylark thanks")
    with pytest.raises(PostingLimitError, match="mentioned people 2 times"):
        reply(otter, topic, "@Skylark @Skylark again")
    reply(otter, topic, "no mentions is fine")


def test_moderators_are_not_rate_limited(
    mo: User, community: Community, category: Category
) -> None:
    _settings(community, topics_per_hour=1)
    forum_services.join_community(user=mo, community=community, accepted_version=1)
    make_topic(mo, category, title="One")
    make_topic(mo, category, title="Two")


# --- Slow mode, mutes, suspensions ------------------------------------------------------------


def test_slow_mode_allows_one_reply_per_interval(
    otter: User,
    skylark: User,
    mo: User,
    member: Callable[..., User],
    community: Community,
    category: Category,
) -> None:
    topic = make_topic(skylark, category)
    topic.community = community
    services.set_slow_mode(moderator=mo, topic=topic, minutes=10, reason="Heated")
    reply(otter, topic, "first")
    with pytest.raises(PostingLimitError, match="slow mode"):
        reply(otter, topic, "second")
    reply(member(), topic, "someone else may")
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        reply(otter, topic, "second, calmer")
    services.set_slow_mode(moderator=mo, topic=topic, minutes=None, reason="Calm again")
    assert not SlowMode.objects.exists()
    reply(otter, topic, "third")


def test_a_muted_person_cannot_post_until_the_mute_ends(
    otter: User, skylark: User, mo: User, community: Community, category: Category
) -> None:
    topic = make_topic(skylark, category)
    services.mute_person(
        moderator=mo, community=community, subject=otter, reason="Cool off", hours=2
    )
    with pytest.raises(PostingLimitError, match="paused your posting") as refused:
        reply(otter, topic, "hello")
    assert refused.value.status == 403
    assert forum_access.get_topic_access(otter, topic.pk).topic == topic  # can still read
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        reply(otter, topic, "back")


def test_a_suspended_person_loses_the_community_until_lifted(
    otter: User, mo: User, community: Community
) -> None:
    sanction = services.suspend_person(
        moderator=mo, community=community, subject=otter, reason="Harassment", days=None
    )
    with pytest.raises(Http404):
        forum_access.get_community_access(otter, community.pk)
    services.lift_sanction(moderator=mo, sanction=sanction, reason="Agreed to the code")
    assert forum_access.get_community_access(otter, community.pk).community == community


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
