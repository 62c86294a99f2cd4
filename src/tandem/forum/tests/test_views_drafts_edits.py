"""Forum flows through the test client: drafts and autosave, editing and deleting posts, and
muting; real requests, then the database."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tandem.accounts.models import User
from tandem.conftest import login_client
from tandem.forum.models import Category, Post, Topic, Visibility
from tandem.forum.tests.conftest import make_topic
from tandem.forum.tests.helpers_views import _create
from tandem.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_drafts_survive_logout_and_are_private(
    client_factory: Callable[[], Client], member: Callable[..., User], category: Category
) -> None:
    author, other = member(), member()
    client = login_client(client_factory(), author)
    response = _create(
        client, category, title="Half a thought", body="I am not sure", action="draft"
    )
    assert response.status_code == 302
    draft = Topic.objects.get(title="Half a thought")
    assert draft.visibility == Visibility.DRAFT
    client.post("/accounts/logout/")
    client = login_client(client_factory(), author)
    page = client.get("/communities/drafts/").content.decode()
    assert "Half a thought" in page
    form = client.get(response["Location"]).content.decode()
    assert "I am not sure" in form
    other_client = login_client(client_factory(), other)
    assert "Half a thought" not in other_client.get(f"/categories/{category.pk}/").content.decode()
    assert "Half a thought" not in other_client.get("/communities/drafts/").content.decode()
    response = _create(
        client, category, title="A whole thought", body="Now I am", draft=str(draft.pk)
    )
    draft.refresh_from_db()
    assert draft.visibility == Visibility.COMMUNITY
    assert draft.title == "A whole thought"
    assert Topic.objects.count() == 1


def test_autosave_endpoints_keep_a_reply_draft_and_a_topic_draft(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    author = member()
    topic = make_topic(member(), category)
    login_client(client, author)
    response = client.post(f"/topics/{topic.pk}/draft/", {"body": "typing…"})
    assert response.json() == {"saved": True, "guidance": False}
    client.post(f"/topics/{topic.pk}/draft/", {"body": "typing more"})
    draft = Post.objects.get(topic=topic, author=author, is_draft=True)
    assert draft.body == "typing more"
    assert "typing more" in client.get(f"/topics/{topic.pk}/").content.decode()
    assert (
        "typing more"
        not in login_client(Client(), member()).get(f"/topics/{topic.pk}/").content.decode()
    )
    client.post(f"/topics/{topic.pk}/reply/", {"body": "typing more, done"})
    assert not Post.objects.filter(topic=topic, author=author, is_draft=True).exists()
    response = client.post(
        f"/communities/{category.community_id}/topics/draft/",
        {"category": str(category.pk), "title": "", "body": "first words"},
    )
    data = response.json()
    assert data["saved"] is True
    response = client.post(
        f"/communities/{category.community_id}/topics/draft/",
        {"category": str(category.pk), "title": "T", "body": "more", "draft": str(data["draft"])},
    )
    assert response.json()["draft"] == data["draft"]
    assert Topic.objects.filter(visibility=Visibility.DRAFT).count() == 1


def test_edit_keeps_history_and_delete_is_soft(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    author = member()
    topic = make_topic(author, category, body="first version")
    post = topic.posts.get()
    login_client(client, author)
    response = client.post(f"/posts/{post.pk}/edit/", {"title": "Sleep 2", "body": "revised words"})
    assert response.status_code == 302
    post.refresh_from_db()
    topic.refresh_from_db()
    assert (post.body, topic.title) == ("revised words", "Sleep 2")
    assert post.revisions.get().body == "first version"
    response = client.post(f"/posts/{post.pk}/edit/", {"title": "", "body": "third"})
    assert response.status_code == 400
    assert "third" in response.content.decode()
    client.post(f"/posts/{post.pk}/delete/", {"confirm": "yes"})
    post.refresh_from_db()
    assert post.deleted_at is not None
    page = client.get(f"/topics/{topic.pk}/").content.decode()
    assert "This post was deleted by its author." in page
    assert "revised words" not in page


def test_others_cannot_edit_or_delete_my_post(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    topic = make_topic(member(), category)
    post = topic.posts.get()
    login_client(client, member())
    assert client.get(f"/posts/{post.pk}/edit/").status_code == 404
    assert client.post(f"/posts/{post.pk}/delete/").status_code == 404


def test_muted_person_is_folded_away_and_not_told(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    loud = member(pseudonym="Loud")
    topic = make_topic(loud, category, body="Loud words")
    post = topic.posts.get()
    me = member()
    login_client(client, me)
    client.post(f"/posts/{post.pk}/mute-author/")
    page = client.get(f"/topics/{topic.pk}/").content.decode()
    assert '<details class="muted-post">' in page
    assert "A post from someone you muted" in page
    assert not Notification.objects.filter(recipient=loud).exists()
    assert "Loud" in client.get("/communities/boundaries/").content.decode()
