"""Confirm before harm (issue 19, item 4): deleting a post, leaving a community and leaving a
circle ask on a page of their own. A GET shows the question and changes nothing; a POST acts
only with the question page's ``confirm=yes``; a POST without it (the post's delete button, an
old form, a replayed request) shows the question again and changes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tandem.accounts.models import User
from tandem.conftest import login_client
from tandem.forum import services
from tandem.forum.models import Category, Circle, CircleMember, CommunityMember, JoinPolicy, Topic
from tandem.forum.tests.conftest import make_topic, reply

pytestmark = pytest.mark.django_db

YES = {"confirm": "yes"}


def _page(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined,no-any-return]


# ---------------------------------------------------------------------------------------------
# Deleting a post


def test_deleting_a_post_asks_first_and_a_get_changes_nothing(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    author = member()
    post = make_topic(author, category, title="Night worries", body="I lie awake.").posts.get()
    login_client(client, author)
    response = client.get(f"/posts/{post.pk}/delete/")
    assert response.status_code == 200
    page = _page(response)
    assert "Delete this post?" in page
    assert "I lie awake." in page  # which post, in the person's own words
    assert "Night worries" in page and "cannot be undone" in page
    assert 'name="confirm" value="yes"' in page
    assert f'href="/topics/{post.topic_id}/#post-{post.pk}"' in page  # the way back
    post.refresh_from_db()
    assert post.deleted_at is None


def test_the_post_delete_button_without_confirm_shows_the_question_and_keeps_the_post(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    author = member()
    post = make_topic(author, category).posts.get()
    login_client(client, author)
    # What the post's own delete button (a formaction in the post's form) sends.
    response = client.post(f"/posts/{post.pk}/delete/", {"confirm": "no"})
    assert response.status_code == 200
    assert "Delete this post?" in _page(response)
    post.refresh_from_db()
    assert post.deleted_at is None


def test_deleting_a_post_with_confirm_deletes_it(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    author = member()
    topic = make_topic(author, category)
    post = reply(author, topic, body="Words I regret")
    login_client(client, author)
    response = client.post(f"/posts/{post.pk}/delete/", YES)
    assert response.status_code == 302
    assert response["Location"] == f"/topics/{topic.pk}/"
    post.refresh_from_db()
    assert post.deleted_at is not None
    # Replayed: the post is gone from the gate, nothing happens twice.
    assert client.post(f"/posts/{post.pk}/delete/", YES).status_code == 404


def test_nobody_else_sees_the_question_or_deletes(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    post = make_topic(member(), category).posts.get()
    login_client(client, member())
    assert client.get(f"/posts/{post.pk}/delete/").status_code == 404
    assert client.post(f"/posts/{post.pk}/delete/", YES).status_code == 404
    post.refresh_from_db()
    assert post.deleted_at is None


# ---------------------------------------------------------------------------------------------
# Leaving a community


def test_leaving_a_community_asks_first_and_names_the_circles_that_go(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    person = member()
    services.create_circle(user=person, community=category.community, name="Night owls")
    login_client(client, person)
    detail = _page(client.get(f"/communities/{category.community_id}/"))
    assert f'href="/communities/{category.community_id}/leave/"' in detail
    response = client.get(f"/communities/{category.community_id}/leave/")
    assert response.status_code == 200
    page = _page(response)
    assert "Leave Carers?" in page
    assert "You also leave its circles you are in: Night owls." in page
    assert "The circles you started stay" in page
    assert "You can join again later" in page
    assert CommunityMember.objects.filter(user=person, community=category.community).exists()
    assert CircleMember.objects.filter(user=person).exists()


def test_leaving_a_community_without_circles_does_not_mention_them(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    login_client(client, member())
    page = _page(client.get(f"/communities/{category.community_id}/leave/"))
    assert "circles" not in page.split("<main", 1)[1].split("</main>", 1)[0]


def test_leaving_a_closed_community_says_nobody_comes_back_by_themselves(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    category.community.join_policy = JoinPolicy.CLOSED
    category.community.save(update_fields=["join_policy"])
    login_client(client, member())
    page = _page(client.get(f"/communities/{category.community_id}/leave/"))
    assert "you must be added again" in page


def test_leaving_a_community_without_confirm_changes_nothing(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    person = member()
    login_client(client, person)
    response = client.post(f"/communities/{category.community_id}/leave/")
    assert response.status_code == 200
    assert "Leave Carers?" in _page(response)
    assert CommunityMember.objects.filter(user=person, community=category.community).exists()


def test_leaving_a_community_with_confirm_leaves_it_and_its_circles(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    person = member()
    friend = member(pseudonym="Kite")
    circle = services.create_circle(user=friend, community=category.community, name="Pair")
    services.add_to_circle(user=friend, circle=circle, pseudonym=person.pseudonym)
    login_client(client, person)
    response = client.post(f"/communities/{category.community_id}/leave/", YES)
    assert response.status_code == 302
    assert response["Location"] == "/communities/"
    assert not CommunityMember.objects.filter(user=person, community=category.community).exists()
    assert not CircleMember.objects.filter(user=person).exists()
    assert CircleMember.objects.filter(user=friend, circle=circle).exists()


# ---------------------------------------------------------------------------------------------
# Leaving a circle


def _circle_of_two(member: Callable[..., User], category: Category) -> tuple[User, User, Circle]:
    starter = member()
    other = member(pseudonym="Kite")
    circle = services.create_circle(user=starter, community=category.community, name="Pair")
    services.add_to_circle(user=starter, circle=circle, pseudonym="Kite")
    return starter, other, circle


def test_leaving_a_circle_asks_first_and_a_get_changes_nothing(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    _starter, other, circle = _circle_of_two(member, category)
    login_client(client, other)
    detail = _page(client.get(f"/circles/{circle.pk}/"))
    assert f'href="/circles/{circle.pk}/leave/"' in detail
    response = client.get(f"/circles/{circle.pk}/leave/")
    assert response.status_code == 200
    page = _page(response)
    assert "Leave the circle “Pair”?" in page
    assert "the person who started it has to add you again" in page
    assert f'href="/circles/{circle.pk}/"' in page
    assert CircleMember.objects.filter(circle=circle, user=other).exists()


def test_the_starter_is_told_nobody_can_add_anyone_once_they_leave(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    starter, _other, circle = _circle_of_two(member, category)
    login_client(client, starter)
    page = _page(client.get(f"/circles/{circle.pk}/leave/"))
    assert "nobody can add anyone to it any more" in page


def test_the_last_one_out_is_told_the_circle_and_its_topics_go(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    person = member()
    circle = services.create_circle(user=person, community=category.community, name="Solo")
    login_client(client, person)
    page = _page(client.get(f"/circles/{circle.pk}/leave/"))
    assert "the circle and its topics are deleted for good" in page
    assert Circle.objects.filter(pk=circle.pk).exists()


def test_leaving_a_circle_without_confirm_changes_nothing(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    _starter, other, circle = _circle_of_two(member, category)
    login_client(client, other)
    response = client.post(f"/circles/{circle.pk}/leave/")
    assert response.status_code == 200
    assert "Leave the circle “Pair”?" in _page(response)
    assert CircleMember.objects.filter(circle=circle, user=other).exists()


def test_leaving_a_circle_with_confirm_leaves_it(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    starter, other, circle = _circle_of_two(member, category)
    topic = services.create_topic(
        author=starter,
        community=category.community,
        category=category,
        title="Just us",
        body="Hello",
        visibility="circle",
        circle=circle,
    )
    login_client(client, other)
    response = client.post(f"/circles/{circle.pk}/leave/", YES)
    assert response.status_code == 302
    assert not CircleMember.objects.filter(circle=circle, user=other).exists()
    assert Topic.objects.filter(pk=topic.pk).exists()
    assert client.get(f"/circles/{circle.pk}/leave/").status_code == 404


def test_someone_outside_the_circle_gets_404(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    _starter, _other, circle = _circle_of_two(member, category)
    login_client(client, member())
    assert client.get(f"/circles/{circle.pk}/leave/").status_code == 404
    assert client.post(f"/circles/{circle.pk}/leave/", YES).status_code == 404
