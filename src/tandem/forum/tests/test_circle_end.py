"""Ending a circle (issue 19, item 4): only the person who started it, after confirming. The
circle and its topics go for good, as when the last one leaves; everyone else in it is told
once, in the community; the moderation queue's items about its posts go with them."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client

from tandem.accounts.models import Role, User
from tandem.conftest import login_client
from tandem.forum import access, services
from tandem.forum.models import (
    Category,
    Circle,
    CircleMember,
    ModerationState,
    Post,
    Topic,
    Visibility,
)
from tandem.forum.services.circles import end_circle
from tandem.forum.tests.conftest import reply
from tandem.moderation import services as moderation_services
from tandem.moderation.models import ReviewItem
from tandem.notifications.models import Notification
from tandem.notifications.selectors import notifications_for_user

pytestmark = pytest.mark.django_db

YES = {"confirm": "yes"}
KIND = "forum.circle_ended"


def _page(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined,no-any-return]


def _circle(
    member: Callable[..., User], category: Category, *others: str
) -> tuple[User, list[User], Circle]:
    """A circle started by a new member, with ``others`` (display names) added to it."""
    starter = member()
    people = [member(pseudonym=name) for name in others]
    circle = services.create_circle(user=starter, community=category.community, name="Pair")
    for name in others:
        services.add_to_circle(user=starter, circle=circle, pseudonym=name)
    return starter, people, circle


def _circle_topic(author: User, category: Category, circle: Circle) -> Topic:
    return services.create_topic(
        author=author,
        community=category.community,
        category=category,
        title="Just us",
        body="Hello, just the two of us.",
        visibility=Visibility.CIRCLE,
        circle=circle,
    )


# ---------------------------------------------------------------------------------------------
# The service


def test_the_starter_ends_the_circle_and_its_topics_go(
    member: Callable[..., User], category: Category
) -> None:
    starter, (kite,), circle = _circle(member, category, "Kite")
    topic = _circle_topic(starter, category, circle)
    answer = reply(kite, topic, "Glad we have this.")
    end_circle(user=starter, circle=circle)
    assert not Circle.objects.filter(pk=circle.pk).exists()
    assert not CircleMember.objects.filter(circle_id=circle.pk).exists()
    assert not Topic.objects.filter(pk=topic.pk).exists()
    assert not Post.objects.filter(pk=answer.pk).exists()


def test_everyone_else_in_it_is_told_once_and_the_starter_is_not(
    member: Callable[..., User],
    category: Category,
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[object]],
) -> None:
    starter, (kite, wren), circle = _circle(member, category, "Kite", "Wren")
    Notification.objects.all().delete()  # "added you to the circle"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        end_circle(user=starter, circle=circle)
    told = Notification.objects.filter(kind=KIND)
    assert sorted(n.recipient_id for n in told) == sorted([kite.pk, wren.pk])
    notice = told.get(recipient=kite)
    assert notice.title == f"{starter.pseudonym} ended the circle “Pair”"
    assert notice.actor_id == starter.pk
    assert notice.url == f"/communities/{category.community_id}/circles/"
    # Scoped to the community, so it stays visible once the circle is gone.
    assert list(notifications_for_user(kite)) == [notice]
    # The email says nothing of the circle.
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert "Pair" not in message.body and "Pair" not in message.subject
        assert starter.pseudonym not in message.body


def test_a_circle_ended_twice_tells_nobody_twice(
    member: Callable[..., User], category: Category
) -> None:
    starter, (kite,), circle = _circle(member, category, "Kite")
    end_circle(user=starter, circle=circle)
    end_circle(user=starter, circle=circle)  # a second submit of the same page
    assert Notification.objects.filter(kind=KIND, recipient=kite).count() == 1


def test_nobody_else_may_end_a_circle(member: Callable[..., User], category: Category) -> None:
    _starter, (kite,), circle = _circle(member, category, "Kite")
    with pytest.raises(PermissionDenied):
        end_circle(user=kite, circle=circle)
    assert Circle.objects.filter(pk=circle.pk).exists()
    assert not Notification.objects.filter(kind=KIND).exists()


def test_a_starter_who_left_may_not_end_it_for_the_others(
    member: Callable[..., User], category: Category
) -> None:
    starter, (_kite,), circle = _circle(member, category, "Kite")
    services.leave_circle(user=starter, circle=circle)
    with pytest.raises(PermissionDenied):
        end_circle(user=starter, circle=circle)
    assert Circle.objects.filter(pk=circle.pk).exists()


def test_a_starter_alone_ends_it_and_nobody_is_told(
    member: Callable[..., User], category: Category
) -> None:
    starter, _people, circle = _circle(member, category)
    end_circle(user=starter, circle=circle)
    assert not Circle.objects.filter(pk=circle.pk).exists()
    assert not Notification.objects.filter(kind=KIND).exists()


def test_the_queue_items_of_its_posts_go_with_them_and_the_queue_still_loads(
    member: Callable[..., User], make_member: Callable[..., User], category: Category
) -> None:
    starter, (kite,), circle = _circle(member, category, "Kite")
    topic = _circle_topic(starter, category, circle)
    answer = reply(kite, topic, "Something to report.")
    answer.topic = access.get_topic_access(starter, topic.pk).topic
    moderation_services.report_post(reporter=starter, post=answer, reason="spam")
    assert ReviewItem.objects.filter(post=answer).exists()
    end_circle(user=starter, circle=circle)
    assert not ReviewItem.objects.filter(post_id=answer.pk).exists()
    mo = make_member(Role.MODERATOR, totp=True, pseudonym="Mo")
    client = login_client(Client(), mo)
    queue = client.get(f"/moderation/communities/{category.community_id}/queue/")
    assert queue.status_code == 200
    assert "Something to report." not in _page(queue)


# ---------------------------------------------------------------------------------------------
# The gate


def test_the_gate_returns_the_circle_and_what_it_decided_for_its_starter(
    member: Callable[..., User], category: Category
) -> None:
    starter, _people, circle = _circle(member, category, "Kite")
    found = access.get_circle_for_starter(starter, circle.pk)
    assert found.circle == circle
    assert found.member.community.pk == category.community_id
    assert not found.member.is_moderator


def test_the_gate_refuses_everyone_but_the_starter_alike(
    member: Callable[..., User], make_member: Callable[..., User], category: Category
) -> None:
    starter, (kite,), circle = _circle(member, category, "Kite")
    outsider = member(pseudonym="Outsider")
    moderator = make_member(Role.MODERATOR, pseudonym="Mo")
    for person in (kite, outsider, moderator):
        with pytest.raises(Http404):
            access.get_circle_for_starter(person, circle.pk)
    with pytest.raises(Http404):
        access.get_circle_for_starter(starter, circle.pk + 1000)


def test_the_gate_refuses_a_starter_no_longer_in_the_community(
    member: Callable[..., User], category: Category
) -> None:
    starter, _people, circle = _circle(member, category)
    starter.community_memberships.all().delete()
    with pytest.raises(Http404):
        access.get_circle_for_starter(starter, circle.pk)


# ---------------------------------------------------------------------------------------------
# The pages


def test_only_the_starter_sees_the_end_link(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    starter, (kite,), circle = _circle(member, category, "Kite")
    link = f'href="/circles/{circle.pk}/end/"'
    assert link in _page(login_client(client, starter).get(f"/circles/{circle.pk}/"))
    assert link not in _page(login_client(Client(), kite).get(f"/circles/{circle.pk}/"))


def test_ending_a_circle_asks_first_and_a_get_changes_nothing(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    starter, _people, circle = _circle(member, category, "Kite")
    login_client(client, starter)
    response = client.get(f"/circles/{circle.pk}/end/")
    assert response.status_code == 200
    page = _page(response)
    assert "End the circle “Pair”?" in page
    assert "The circle and its topics are deleted for good" in page
    assert "Everyone else in it is told that a circle they were in has ended." in page
    assert "This cannot be undone." in page
    assert 'name="confirm" value="yes"' in page
    assert f'href="/circles/{circle.pk}/"' in page  # "No, go back"
    assert Circle.objects.filter(pk=circle.pk).exists()
    assert not Notification.objects.filter(kind=KIND).exists()


def test_a_starter_alone_is_not_told_others_will_be_told(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    starter, _people, circle = _circle(member, category)
    page = _page(login_client(client, starter).get(f"/circles/{circle.pk}/end/"))
    assert "Everyone else in it is told" not in page


def test_ending_without_confirm_shows_the_question_again_and_changes_nothing(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    starter, _people, circle = _circle(member, category, "Kite")
    login_client(client, starter)
    for data in ({}, {"confirm": "no"}):
        response = client.post(f"/circles/{circle.pk}/end/", data)
        assert response.status_code == 200
        assert "End the circle “Pair”?" in _page(response)
    assert Circle.objects.filter(pk=circle.pk).exists()
    assert not Notification.objects.filter(kind=KIND).exists()


def test_ending_with_confirm_ends_it(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    starter, (kite,), circle = _circle(member, category, "Kite")
    topic = _circle_topic(starter, category, circle)
    login_client(client, starter)
    response = client.post(f"/circles/{circle.pk}/end/", YES, follow=True)
    assert response.redirect_chain == [(f"/communities/{category.community_id}/circles/", 302)]
    assert "The circle has ended." in _page(response)
    assert not Circle.objects.filter(pk=circle.pk).exists()
    assert not Topic.objects.filter(pk=topic.pk).exists()
    assert Notification.objects.filter(kind=KIND, recipient=kite).count() == 1
    # Replayed: the circle is gone, nothing happens twice.
    assert client.post(f"/circles/{circle.pk}/end/", YES).status_code == 404
    assert Notification.objects.filter(kind=KIND).count() == 1


def test_another_member_and_a_non_member_get_404(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    _starter, (kite,), circle = _circle(member, category, "Kite")
    for person in (kite, member(pseudonym="Outsider")):
        other = login_client(Client(), person)
        assert other.get(f"/circles/{circle.pk}/end/").status_code == 404
        assert other.post(f"/circles/{circle.pk}/end/", YES).status_code == 404
    assert Circle.objects.filter(pk=circle.pk).exists()
    assert not Notification.objects.filter(kind=KIND).exists()


# ---------------------------------------------------------------------------------------------
# A post waiting for a moderator keeps the circle


def _hold(post: Post) -> None:
    # As the screen holds a post someone may be in danger in (moderation's hook sets it).
    Post.objects.filter(pk=post.pk).update(moderation_state=ModerationState.HELD)


def test_a_circle_with_a_held_post_cannot_end_and_says_why(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    starter, (kite,), circle = _circle(member, category, "Kite")
    topic = _circle_topic(starter, category, circle)
    _hold(reply(kite, topic, "It is too much tonight."))
    with pytest.raises(ValidationError):
        end_circle(user=starter, circle=circle)
    login_client(client, starter)
    response = client.post(f"/circles/{circle.pk}/end/", YES, follow=True)
    assert response.redirect_chain == [(f"/circles/{circle.pk}/", 302)]
    assert "waiting for a moderator" in _page(response)
    assert Circle.objects.filter(pk=circle.pk).exists()
    assert not Notification.objects.filter(kind=KIND).exists()


def test_the_last_one_out_of_a_circle_with_a_held_post_leaves_it_for_the_moderators(
    member: Callable[..., User], category: Category
) -> None:
    starter, (kite,), circle = _circle(member, category, "Kite")
    topic = _circle_topic(starter, category, circle)
    held = reply(kite, topic, "It is too much tonight.")
    _hold(held)
    services.leave_circle(user=kite, circle=circle)
    services.leave_circle(user=starter, circle=circle)
    assert not CircleMember.objects.filter(circle=circle).exists()  # leaving always works
    assert Post.objects.filter(pk=held.pk).exists()  # the held post waits for a moderator
    # Once nothing waits, the last one out deletes the circle as before.
    other, _, empty = _circle(member, category)
    services.leave_circle(user=other, circle=empty)
    assert not Circle.objects.filter(pk=empty.pk).exists()
