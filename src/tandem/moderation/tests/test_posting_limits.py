"""Pre-moderation, trust, rate limits, slow mode, mutes and suspensions, on the forum's writing
services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.http import Http404
from django.utils import timezone

from tandem.accounts.models import User
from tandem.forum import access as forum_access
from tandem.forum import services as forum_services
from tandem.forum.models import Category, Community, ModerationState, Post, Topic, TopicRead
from tandem.forum.tests.conftest import make_topic, reply
from tandem.moderation import limits, posting, services
from tandem.moderation.errors import PostingLimitError
from tandem.moderation.models import (
    CommunitySettings,
    CommunityVisit,
    PreModeration,
    ReviewItem,
    Risk,
    SlowMode,
)

pytestmark = pytest.mark.django_db


def _settings(community: Community, **fields: object) -> CommunitySettings:
    CommunitySettings.objects.filter(community=community).update(**fields)
    return CommunitySettings.objects.get(community=community)


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
