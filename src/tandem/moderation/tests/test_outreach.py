"""Reaching out is a conversation: a moderator writes to a post's author, the author answers
on the outcome page or in their messages, and it closes when the review is resolved.

Through the test client as real requests: the gate's role matrix, idempotent sending on both
sides, pseudonyms only, unread counts, the closed state and the old one-way message links.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client

from tandem.accounts.models import Membership, Role, User
from tandem.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tandem.conftest import TOTP_SECRET, login_client
from tandem.forum.models import Category, Community, Post
from tandem.forum.tests.conftest import make_topic, reply
from tandem.messaging import access as messaging_access
from tandem.messaging import selectors as messaging_selectors
from tandem.messaging.models import Message, Participant, Thread
from tandem.messaging.tests.factories import MessageFactory
from tandem.moderation import services
from tandem.moderation.models import (
    AuditAction,
    AuditEntry,
    CommunitySettings,
    PreModeration,
    ReportReason,
    ReviewItem,
)
from tandem.moderation.outreach.threads import KIND, legacy_client_key
from tandem.notifications.models import Notification

pytestmark = pytest.mark.django_db

HELLO = "Hi Otter, I'm Mo. How are you doing tonight?"
ANSWER = "Thanks for asking. I'm a bit better now."
REAL_NAME = "Alex Real"  # Otter's real name: never shown to moderators through the thread.


@pytest.fixture
def post(otter: User, skylark: User, category: Category) -> Post:
    topic = make_topic(skylark, category, title="Hard nights", body="Nights are the worst.")
    return reply(otter, topic, "Everyone here is useless and so am I.")


@pytest.fixture
def item(post: Post, skylark: User) -> ReviewItem:
    services.report_post(reporter=skylark, post=post, reason=ReportReason.HARASSMENT)
    return ReviewItem.objects.select_related("community", "post", "post__author").get(post=post)


@pytest.fixture
def wren(make_member: Callable[..., User]) -> User:
    """Another moderator of the same organisation, not (yet) in the conversation."""
    return make_member(Role.MODERATOR, totp=True, pseudonym="Wren", email="wren@example.org")


@pytest.fixture
def moss() -> User:
    """A moderator of another organisation."""
    elsewhere = OrganisationFactory.create(name="Elsewhere", slug="elsewhere")
    user: User = UserFactory.create(pseudonym="Moss", email="moss@example.org")
    MembershipFactory.create(user=user, organisation=elsewhere, role=Role.MODERATOR)
    TOTP.activate(user, TOTP_SECRET)
    return user


def _client(user: User) -> Client:
    return login_client(Client(), user)


def _reach_out(client: Client, item: ReviewItem, body: str = HELLO, key: str = "") -> Any:
    return client.post(
        f"/moderation/items/{item.pk}/reach-out/",
        {"body": body, "client_key": key or str(uuid.uuid4())},
    )


def _answer(client: Client, thread: Thread, post: Post, body: str = ANSWER, key: str = "") -> Any:
    return client.post(
        f"/messages/{thread.pk}/reply/",
        {
            "body": body,
            "client_key": key or str(uuid.uuid4()),
            "next": f"/moderation/posts/{post.pk}/outcome/",
        },
    )


def _start(item: ReviewItem, mo: User) -> Thread:
    result = services.reach_out(moderator=mo, item=item, body=HELLO, client_key=uuid.uuid4())
    return Thread.objects.select_related("service_user").get(pk=result.message.thread_id)


# --- The conversation -------------------------------------------------------------------------


def test_the_author_answers_on_the_outcome_page_and_the_moderator_reads_it_on_the_item_page(
    otter: User, mo: User, item: ReviewItem, post: Post
) -> None:
    mo_client, otter_client = _client(mo), _client(otter)
    response = _reach_out(mo_client, item)
    assert response.status_code == 302
    thread = Thread.objects.get(kind=KIND, context_id=item.pk)
    assert thread.service_user == otter
    note = Notification.objects.get(recipient=otter)
    assert note.title == "A moderator of Young people sent you a message."
    assert note.url == f"/messages/{thread.pk}/" and HELLO not in note.title
    assert AuditEntry.objects.filter(action=AuditAction.REACH_OUT, actor=mo).count() == 1

    outcome = otter_client.get(f"/moderation/posts/{post.pk}/outcome/").content.decode()
    assert f'data-outreach-thread="{thread.pk}"' in outcome
    assert "How are you doing tonight?" in outcome and "Moderator Mo" in outcome
    assert "data-outreach-reply-form" in outcome
    assert f'action="/messages/{thread.pk}/reply/"' in outcome
    # Reading it on the outcome page reads it: nothing unread any more.
    assert messaging_selectors.unread_message_count(otter) == 0

    response = _answer(otter_client, thread, post)
    assert response.status_code == 302
    answer = Message.objects.get(sender=otter)
    assert response["Location"] == (f"/moderation/posts/{post.pk}/outcome/#message-{answer.pk}")
    assert messaging_selectors.unread_message_count(mo) == 1
    told = Notification.objects.get(recipient=mo, kind="messaging.message")
    assert told.title == "Otter replied to the moderators of Young people."

    page = mo_client.get(f"/moderation/items/{item.pk}/").content.decode()
    assert "a bit better now" in page and 'data-outreach-thread="' in page
    assert "data-outreach-reply-form" in page and "data-reach-out-form" in page
    assert messaging_selectors.unread_message_count(mo) == 0
    # Mo answers again from the item page: the same conversation.
    assert _reach_out(mo_client, item, "Glad to hear it.").status_code == 302
    assert Thread.objects.filter(kind=KIND).count() == 1
    assert Message.objects.filter(thread=thread).count() == 3


def test_a_double_submit_stores_one_message_on_both_sides(
    otter: User, mo: User, item: ReviewItem, post: Post
) -> None:
    mo_client, otter_client = _client(mo), _client(otter)
    key = str(uuid.uuid4())
    assert _reach_out(mo_client, item, key=key).status_code == 302
    assert _reach_out(mo_client, item, key=key).status_code == 302
    assert Message.objects.filter(sender=mo).count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.REACH_OUT).count() == 1
    assert Notification.objects.filter(recipient=otter).count() == 1
    thread = Thread.objects.get(kind=KIND)
    key = str(uuid.uuid4())
    first = _answer(otter_client, thread, post, key=key)
    second = _answer(otter_client, thread, post, key=key)
    assert first["Location"] == second["Location"]
    assert Message.objects.filter(sender=otter).count() == 1


def test_moderators_see_pseudonyms_and_the_author_sees_moderator_names(
    otter: User, mo: User, item: ReviewItem, post: Post
) -> None:
    thread = _start(item, mo)
    mo_client = _client(mo)
    _answer(_client(otter), thread, post)
    for path in (
        f"/messages/{thread.pk}/",
        "/messages/",
        f"/moderation/items/{item.pk}/",
        "/notifications/",
    ):
        page = mo_client.get(path).content.decode()
        assert REAL_NAME not in page, path
    assert "Otter" in mo_client.get(f"/messages/{thread.pk}/").content.decode()
    page = _client(otter).get(f"/messages/{thread.pk}/").content.decode()
    assert "Moderator Mo" in page and mo.full_name not in page
    assert "They see your display name, Otter, not your real name." in page


def test_a_held_post_without_a_conversation_says_a_moderator_may_write(
    otter: User, skylark: User, category: Category, community: Community
) -> None:
    CommunitySettings.objects.filter(community=community).update(
        premoderation=PreModeration.EVERY_POST
    )
    topic = make_topic(skylark, category)
    post = reply(otter, topic, "My first post here.")
    page = _client(otter).get(f"/moderation/posts/{post.pk}/outcome/").content.decode()
    assert "A moderator may write to you here about your post." in page
    assert "data-outreach-thread" not in page and "data-outreach-reply-form" not in page


# --- Closing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["approve", "hide", "edit"])
def test_resolving_the_item_closes_the_conversation_for_both_sides(
    otter: User, mo: User, item: ReviewItem, post: Post, action: str
) -> None:
    thread = _start(item, mo)
    mo_client, otter_client = _client(mo), _client(otter)
    response = mo_client.post(
        f"/moderation/items/{item.pk}/act/",
        {"action": action, "reason": "Checked with Otter.", "body": "Everyone here is kind."},
    )
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.closed_at is not None

    # The author: 403 with the reason, the words given back, no form anywhere.
    response = _answer(otter_client, thread, post, body="One more thing")
    assert response.status_code == 403
    page = response.content.decode()
    assert "the moderators have finished looking at your post" in page
    assert "One more thing" in page and "data-unsent" in page
    outcome = otter_client.get(f"/moderation/posts/{post.pk}/outcome/").content.decode()
    assert "data-outreach-closed" in outcome and "data-outreach-reply-form" not in outcome
    assert "How are you doing tonight?" in outcome  # still readable
    assert "If you need help now, do not wait:" in outcome and 'href="/crisis/"' in outcome
    thread_page = otter_client.get(f"/messages/{thread.pk}/").content.decode()
    assert "data-reply-form" not in thread_page and "data-read-only" in thread_page

    # The moderator: 403 with the reason, from the item page and from their messages.
    response = _reach_out(mo_client, item, "Are you still there?")
    assert response.status_code == 403
    page = response.content.decode()
    assert "the review of this post is resolved" in page
    assert "data-outreach-closed" in page and "data-outreach-reply-form" not in page
    response = mo_client.post(
        f"/messages/{thread.pk}/reply/", {"body": "Hello?", "client_key": str(uuid.uuid4())}
    )
    assert response.status_code == 403
    assert Message.objects.count() == 1
    assert b"data-outreach-closed" in mo_client.get(f"/moderation/items/{item.pk}/").content


def test_a_resolved_item_without_a_conversation_cannot_start_one(
    mo: User, item: ReviewItem
) -> None:
    services.approve_item(moderator=mo, item=item, reason="Fine")
    with pytest.raises(PermissionDenied):
        services.reach_out(moderator=mo, item=item, body=HELLO, client_key=uuid.uuid4())
    page = _client(mo).get(f"/moderation/items/{item.pk}/").content.decode()
    assert "data-outreach-none" in page and "data-outreach-reply-form" not in page
    assert not Thread.objects.exists()


# --- Who reads and writes ---------------------------------------------------------------------


MATRIX = [
    # who, reads, writes while open
    ("otter", True, True),  # the author
    ("mo", True, True),  # the moderator who wrote
    ("wren", True, True),  # another moderator of the organisation
    ("ada", False, False),  # the organisation's admin (may read the queue, not this)
    ("skylark", False, False),  # another service user, in the same community
    ("provider", False, False),
    ("rita", False, False),  # researcher
    ("moss", False, False),  # a moderator of another organisation
]


@pytest.mark.parametrize(("who", "reads", "writes"), MATRIX)
def test_the_gate_role_matrix(
    request: pytest.FixtureRequest,
    mo: User,
    item: ReviewItem,
    who: str,
    reads: bool,
    writes: bool,
) -> None:
    thread = _start(item, mo)
    user = request.getfixturevalue(who)
    assert messaging_access.may_read(user, thread) is reads
    if reads:
        assert messaging_access.get_thread_for_user(user, thread.pk) == thread
    else:
        with pytest.raises(Http404):
            messaging_access.get_thread_for_user(user, thread.pk)
    assert (messaging_access.read_only_reason(user, thread) == "") is writes
    assert (
        thread.pk in set(messaging_selectors.thread_ids_for_user(user).values_list("pk", flat=True))
    ) is reads
    services.approve_item(moderator=mo, item=item, reason="Resolved")
    thread.refresh_from_db()
    assert messaging_access.may_read(user, thread) is reads
    assert messaging_access.read_only_reason(user, thread) != ""


@pytest.mark.parametrize(("who", "reads", "writes"), MATRIX)
def test_the_role_matrix_over_http(
    request: pytest.FixtureRequest,
    otter: User,
    mo: User,
    item: ReviewItem,
    post: Post,
    who: str,
    reads: bool,
    writes: bool,
) -> None:
    thread = _start(item, mo)
    user = request.getfixturevalue(who)
    client = _client(user)
    page = client.get(f"/messages/{thread.pk}/")
    assert page.status_code == (200 if reads else 404)
    assert (b"How are you doing tonight?" in page.content) is reads
    response = client.post(
        f"/messages/{thread.pk}/reply/", {"body": "Hello", "client_key": str(uuid.uuid4())}
    )
    assert response.status_code == (302 if writes else 404)
    assert Message.objects.filter(sender=user).exists() is writes
    inbox = client.get("/messages/").content.decode()
    assert ("About a post in Young people" in inbox) is reads
    if who == "wren":
        # Writing made Wren a participant: their unread count and live events include it.
        assert Participant.objects.filter(thread=thread, user=user, side="care_team").exists()


def test_anonymous_never_reaches_the_thread(mo: User, item: ReviewItem, post: Post) -> None:
    from django.contrib.auth.models import AnonymousUser

    thread = _start(item, mo)
    with pytest.raises(Http404):
        messaging_access.get_thread_for_user(AnonymousUser(), thread.pk)
    client = Client()
    for path in (f"/messages/{thread.pk}/", f"/moderation/posts/{post.pk}/outcome/"):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(
        f"/messages/{thread.pk}/reply/", {"body": "x", "client_key": str(uuid.uuid4())}
    )
    assert response.status_code == 302 and Message.objects.count() == 1


def test_a_moderator_who_loses_the_role_loses_the_thread(
    otter: User, mo: User, item: ReviewItem, post: Post
) -> None:
    thread = _start(item, mo)
    _answer(_client(otter), thread, post)
    assert messaging_selectors.unread_message_count(mo) == 1
    assert [t.pk for t in messaging_selectors.inbox_threads(mo)] == [thread.pk]
    Membership.objects.filter(user=mo, role=Role.MODERATOR).delete()
    assert messaging_selectors.unread_message_count(mo) == 0
    assert list(messaging_selectors.inbox_threads(mo)) == []
    with pytest.raises(Http404):
        messaging_access.get_thread_for_user(mo, thread.pk)


# --- Old links and the "Moderation and me" page -----------------------------------------------


def test_old_message_links_lead_to_the_conversation(
    otter: User, skylark: User, mo: User, item: ReviewItem
) -> None:
    thread = _start(item, mo)
    moved = MessageFactory.create(thread=thread, sender=mo, client_key=legacy_client_key(41))
    response = _client(otter).get("/moderation/messages/41/")
    assert response.status_code == 302
    assert response["Location"] == f"/messages/{thread.pk}/#message-{moved.pk}"
    assert _client(skylark).get("/moderation/messages/41/").status_code == 404
    assert _client(otter).get("/moderation/messages/42/").status_code == 404


def test_moderation_and_me_lists_the_conversations(otter: User, mo: User, item: ReviewItem) -> None:
    thread = _start(item, mo)
    page = _client(otter).get("/moderation/about-me/").content.decode()
    assert f'href="/messages/{thread.pk}/"' in page and "Young people" in page
