"""Where the forum sends someone back to after acting on a post, in every state a post can be
in: drafts (which have no place in a topic yet), held posts, posts in a circle, a reply under
a deleted opening post and a post written by code without a publication time. Each of these
once answered 500 (issue 13): the page number was counted from ``published_at``, which a
draft does not have."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tandem.accounts.models import User
from tandem.conftest import login_client
from tandem.forum import services
from tandem.forum.links import post_page_url
from tandem.forum.models import Category, ModerationState, Post, Topic, Visibility
from tandem.forum.tests.conftest import make_topic, reply

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    return login_client(Client(), user)


def _draft_reply(author: User, topic: Topic, body: str = "half a reply") -> Post:
    return services.save_reply_draft(author=author, topic=topic, body=body)


def _draft_topic(author: User, category: Category) -> Post:
    topic = services.save_topic_draft(
        author=author, community=category.community, category=category, title="", body="unsure"
    )
    return topic.posts.get()


def test_editing_a_draft_reply_returns_to_its_reply_box(
    member: Callable[..., User], category: Category
) -> None:
    author = member()
    topic = make_topic(member(), category)
    draft = _draft_reply(author, topic)
    response = _client(author).post(f"/posts/{draft.pk}/edit/", {"body": "a whole reply"})
    assert response.status_code == 302
    assert response["Location"] == f"/topics/{topic.pk}/#reply"
    draft.refresh_from_db()
    assert (draft.body, draft.is_draft) == ("a whole reply", True)


def test_editing_a_draft_topic_returns_to_its_form(
    member: Callable[..., User], category: Category
) -> None:
    author = member()
    draft = _draft_topic(author, category)
    response = _client(author).post(f"/posts/{draft.pk}/edit/", {"title": "", "body": "surer"})
    assert response.status_code == 302
    assert response["Location"] == (
        f"/communities/{category.community_id}/topics/create/?draft={draft.topic_id}"
    )
    draft.refresh_from_db()
    assert draft.body == "surer"


def test_muting_from_ones_own_draft_explains_instead_of_failing(
    member: Callable[..., User], category: Category
) -> None:
    author = member()
    topic = make_topic(member(), category)
    draft = _draft_reply(author, topic)
    client = _client(author)
    response = client.post(f"/posts/{draft.pk}/mute-author/", follow=True)
    assert response.status_code == 200
    assert "You cannot mute yourself." in response.content.decode()
    opening = _draft_topic(author, category)
    assert client.post(f"/posts/{opening.pk}/mute-author/").status_code == 302


def test_muting_the_author_of_a_circle_post_returns_to_it(
    member: Callable[..., User], category: Category
) -> None:
    starter, friend = member(), member(pseudonym="Plover")
    circle = services.create_circle(user=starter, community=category.community, name="Close")
    services.add_to_circle(user=starter, circle=circle, pseudonym="Plover")
    topic = services.create_topic(
        author=starter,
        community=category.community,
        category=category,
        title="Just us",
        body="Only for you.",
        visibility=Visibility.CIRCLE,
        circle=circle,
    )
    post = topic.posts.get()
    response = _client(friend).post(f"/posts/{post.pk}/mute-author/")
    assert response.status_code == 302
    assert response["Location"] == f"/topics/{topic.pk}/#post-{post.pk}"


def test_editing_ones_held_reply_returns_to_its_outcome(
    member: Callable[..., User], category: Category
) -> None:
    author = member()
    post = reply(author, make_topic(member(), category))
    Post.objects.filter(pk=post.pk).update(moderation_state=ModerationState.HELD)
    response = _client(author).post(f"/posts/{post.pk}/edit/", {"body": "calmer words"})
    assert response.status_code == 302
    assert response["Location"] == f"/moderation/posts/{post.pk}/outcome/"


def test_muting_the_author_of_a_reply_under_a_deleted_opening_post(
    member: Callable[..., User], category: Category
) -> None:
    starter, writer = member(), member()
    topic = make_topic(starter, category)
    services.delete_post(user=starter, post=topic.posts.get(is_opening=True))
    post = reply(writer, topic)
    response = _client(starter).post(f"/posts/{post.pk}/mute-author/")
    assert response.status_code == 302
    assert response["Location"] == f"/topics/{topic.pk}/#post-{post.pk}"


def test_a_published_post_without_a_publication_time_links_to_its_topic(
    member: Callable[..., User], category: Category
) -> None:
    """Posts written by code (seeds, benchmark data) may lack ``published_at``."""
    author, other = member(), member()
    topic = make_topic(other, category)
    post = reply(author, topic)
    Post.objects.filter(pk=post.pk).update(published_at=None)
    response = _client(other).post(f"/posts/{post.pk}/mute-author/")
    assert response.status_code == 302
    assert response["Location"] == f"/topics/{topic.pk}/#post-{post.pk}"


def test_a_post_on_a_later_page_links_to_that_page(
    member: Callable[..., User], category: Category
) -> None:
    from tandem.forum.links import POSTS_PER_PAGE

    author = member()
    topic = make_topic(author, category)
    posts = [reply(member(), topic, f"reply {n}") for n in range(POSTS_PER_PAGE)]
    last = posts[-1]
    assert post_page_url(last) == f"/topics/{topic.pk}/?page=2#post-{last.pk}"
    assert post_page_url(posts[0]) == f"/topics/{topic.pk}/#post-{posts[0].pk}"
