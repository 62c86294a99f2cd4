"""Least privilege (issue 13): what a member shares with a circle stays out of moderation pages
until it is before the moderators, reported by a member or held by the screen. The rule lives
in ``moderation.rules.posts_shown_to_moderators_q``; these tests ask every moderation page that
lists posts (a person's record, the queue, a review item with its context)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tandem.accounts.models import User
from tandem.conftest import login_client
from tandem.forum import access as forum_access
from tandem.forum import services as forum_services
from tandem.forum.models import Category, Community, Post, Topic, Visibility
from tandem.forum.tests.conftest import make_topic, reply
from tandem.moderation import rules as moderation_rules
from tandem.moderation import services
from tandem.moderation.models import ReviewItem
from tandem.moderation.tests.conftest import trusted

pytestmark = pytest.mark.django_db

OPENING = "Circle opening words"
PEER = "Circle peer words"
LATER = "Circle later words"
RISKY = "I can't do this anymore. I want to kill myself tonight."


@pytest.fixture
def circle_topic(otter: User, skylark: User, category: Category) -> Topic:
    """Otter's circle with Skylark: Otter opens a topic, Skylark answers, Otter writes again."""
    trusted(otter, category.community)
    circle = forum_services.create_circle(user=otter, community=category.community, name="Close")
    forum_services.add_to_circle(user=otter, circle=circle, pseudonym=skylark.pseudonym)
    topic = forum_services.create_topic(
        author=otter,
        community=category.community,
        category=category,
        title="Only between us",
        body=OPENING,
        visibility=Visibility.CIRCLE,
        circle=circle,
    )
    reply(skylark, topic, PEER)
    reply(otter, topic, LATER)
    return topic


@pytest.fixture
def public_item(otter: User, skylark: User, category: Category) -> ReviewItem:
    """Skylark reports one of Otter's posts to the whole community (so Otter is in the queue)."""
    post = make_topic(otter, category, title="Open topic", body="Open words").posts.get()
    post.topic.community = category.community
    services.report_post(reporter=skylark, post=post, reason="spam")
    return ReviewItem.objects.get(post=post)


def _page(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def _moderation_pages(mo: User, community: Community, otter: User, item: ReviewItem) -> str:
    client = login_client(Client(), mo)
    return "".join(
        _page(client, path)
        for path in (
            f"/moderation/communities/{community.pk}/people/{otter.pk}/",
            f"/moderation/communities/{community.pk}/queue/",
            f"/moderation/items/{item.pk}/",
        )
    )


def test_moderation_pages_never_show_circle_posts_nobody_reported(
    otter: User, mo: User, community: Community, circle_topic: Topic, public_item: ReviewItem
) -> None:
    pages = _moderation_pages(mo, community, otter, public_item)
    assert "Open words" in pages
    for words in (OPENING, LATER, "Only between us"):
        assert words not in pages
    # Counted neither: the record says one post, not three.
    assert "1 posts, 0 held, 0 hidden." in pages


def test_a_reported_circle_post_is_shown_but_not_its_unreported_neighbours(
    otter: User, skylark: User, mo: User, community: Community, circle_topic: Topic
) -> None:
    later = Post.objects.get(topic=circle_topic, body=LATER)
    later.topic = forum_access.get_topic_access(skylark, circle_topic.pk).topic
    services.report_post(reporter=skylark, post=later, reason="harmful")
    item = ReviewItem.objects.get(post=later)
    pages = _moderation_pages(mo, community, otter, item)
    assert LATER in pages
    # The posts before it in the circle are its context for a member, not for a moderator.
    assert OPENING not in pages and PEER not in pages


def test_a_held_circle_post_is_shown(
    otter: User, mo: User, community: Community, circle_topic: Topic
) -> None:
    circle_topic.community = community
    held = reply(otter, circle_topic, RISKY)
    assert held.is_held
    item = ReviewItem.objects.get(post=held)
    pages = _moderation_pages(mo, community, otter, item)
    assert "want to kill myself" in pages
    assert OPENING not in pages


def test_a_moderator_in_the_circle_still_does_not_see_it_on_moderation_pages(
    otter: User,
    mo: User,
    member: Callable[..., User],
    community: Community,
    circle_topic: Topic,
    public_item: ReviewItem,
) -> None:
    """Reading as a circle member (in the forum) is not reading as a moderator."""
    from tandem.forum.tests.conftest import join

    join(mo, community)
    assert circle_topic.circle is not None
    forum_services.add_to_circle(user=otter, circle=circle_topic.circle, pseudonym="Mo")
    pages = _moderation_pages(mo, community, otter, public_item)
    assert OPENING not in pages and LATER not in pages


def test_only_held_or_reported_circle_posts_pass_the_rule(
    otter: User, community: Community, circle_topic: Topic
) -> None:
    shown = Post.objects.filter(moderation_rules.posts_shown_to_moderators_q(), topic=circle_topic)
    assert not shown.exists()
    Post.objects.filter(topic=circle_topic, body=LATER).update(moderation_state="held")
    assert [p.body for p in shown] == [LATER]
