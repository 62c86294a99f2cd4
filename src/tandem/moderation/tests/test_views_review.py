"""HTTP flows: a held post and the moderator's review, hiding, and reports."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from tandem.accounts.models import CrisisContact, Organisation, User
from tandem.forum.models import Category, Community, ModerationState, Post, Topic
from tandem.forum.tests.conftest import make_topic, reply
from tandem.messaging.models import Message, Participant
from tandem.moderation.models import AuditAction, AuditEntry, ReviewItem
from tandem.moderation.tests.conftest import trusted
from tandem.moderation.tests.helpers_views import RISKY, _client
from tandem.notifications.models import Notification

pytestmark = pytest.mark.django_db


# The topic these flows always had; the conftest's ("Tonight") is the escalation tests'.
@pytest.fixture
def topic(skylark: User, category: Category) -> Topic:
    return make_topic(skylark, category, title="Hard nights", body="Nights are the worst.")


def test_held_post_flow_otter_mo_and_the_outcome(
    otter: User,
    skylark: User,
    mo: User,
    topic: Topic,
    community: Community,
    organisation: Organisation,
    crisis_line: CrisisContact,
) -> None:
    mo_client = _client(mo)
    assert (
        mo_client.post(
            f"/moderation/organisations/{organisation.pk}/duty/", {"on_duty": "1"}
        ).status_code
        == 302
    )

    # Otter posts; the screen holds it and Otter sees the supportive page at once.
    otter_client = _client(otter)
    response = otter_client.post(
        f"/topics/{topic.pk}/reply/", {"body": RISKY, "action": "publish"}, follow=True
    )
    post = Post.objects.get(author=otter)
    assert response.redirect_chain[-1][0] == f"/moderation/posts/{post.pk}/outcome/"
    page = response.content.decode()
    assert "Thank you for telling us how you feel" in page
    assert "Northside crisis line" in page and 'href="tel:08001234567"' in page
    assert 'href="/toolbox/crisis-plan/"' in page
    assert post.moderation_state == ModerationState.HELD
    # Skylark does not see it.
    assert RISKY not in _client(skylark).get(f"/topics/{topic.pk}/").content.decode()
    # Otter sees it, marked as waiting.
    assert "Waiting for a moderator" in otter_client.get(f"/topics/{topic.pk}/").content.decode()

    # Mo is told, opens the queue and the item.
    item = ReviewItem.objects.get(post=post)
    notifications = mo_client.get("/notifications/").content.decode()
    assert "Urgent: a post in Young people is held for review" in notifications
    queue = mo_client.get(f"/moderation/communities/{community.pk}/queue/").content.decode()
    assert f'data-queue-item="{item.pk}"' in queue and "Otter" in queue
    detail = mo_client.get(f"/moderation/items/{item.pk}/").content.decode()
    assert "Talks about ending their life now or soon" in detail
    assert "Nights are the worst." in detail  # the post in context

    # Mo reaches out privately.
    response = mo_client.post(
        f"/moderation/items/{item.pk}/reach-out/",
        {"body": "Hi Otter, I'm Mo. How are you now?", "client_key": str(uuid.uuid4())},
    )
    assert response.status_code == 302
    note = Notification.objects.get(recipient=otter, kind="messaging.message")
    assert "How are you" not in note.title
    assert "How are you now?" in otter_client.get(note.url).content.decode()
    participant = Participant.objects.get(user=otter)

    # Mo approves with a reason; Otter sees the outcome, Skylark the post.
    response = mo_client.post(
        f"/moderation/items/{item.pk}/act/",
        {"action": "approve", "reason": "Otter is safe and has support tonight."},
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.last_read_message_id == Message.objects.get().pk
    outcome = otter_client.get(f"/moderation/posts/{post.pk}/outcome/").content.decode()
    assert 'data-outcome="visible"' in outcome
    assert RISKY.split(".")[0] in _client(skylark).get(f"/topics/{topic.pk}/").content.decode()
    entry = AuditEntry.objects.get(action=AuditAction.APPROVE)
    assert (entry.actor, entry.reason) == (mo, "Otter is safe and has support tonight.")


def test_hiding_tells_the_author_why_and_others_see_a_placeholder(
    otter: User, skylark: User, mo: User, topic: Topic
) -> None:
    post = reply(otter, topic, "I took a load of pills and it was awful")
    item = ReviewItem.objects.get(post=post)
    response = _client(mo).post(
        f"/moderation/items/{item.pk}/act/",
        {"action": "hide", "reason": "It describes a method, which can put others at risk."},
    )
    assert response.status_code == 302
    otter_client = _client(otter)
    outcome = otter_client.get(f"/moderation/posts/{post.pk}/outcome/").content.decode()
    assert 'data-outcome="hidden"' in outcome
    assert "It describes a method" in outcome
    assert Notification.objects.filter(recipient=otter, kind="moderation.outcome").exists()
    # The author sees the reason on the topic page; others see only that it was hidden.
    assert "It describes a method" in otter_client.get(f"/topics/{topic.pk}/").content.decode()
    others = _client(skylark).get(f"/topics/{topic.pk}/").content.decode()
    assert "This post was hidden by a moderator." in others
    assert "load of pills" not in others


def test_reports_from_skylark_and_others_land_in_the_queue_and_merge(
    otter: User,
    skylark: User,
    mo: User,
    member: Callable[..., User],
    topic: Topic,
    community: Community,
) -> None:
    post = reply(otter, topic, "You are all pathetic.")
    skylark_client = _client(skylark)
    assert skylark_client.get(f"/moderation/posts/{post.pk}/report/").status_code == 200
    response = skylark_client.post(
        f"/moderation/posts/{post.pk}/report/",
        {"reason": "harassment", "text": "Name-calling"},
        follow=True,
    )
    assert "Thank you for telling us" in response.content.decode()
    _client(member()).post(f"/moderation/posts/{post.pk}/report/", {"reason": "harmful"})
    response = skylark_client.post(
        f"/moderation/posts/{post.pk}/report/", {"reason": "harassment"}, follow=True
    )
    assert "already reported this post" in response.content.decode()
    item = ReviewItem.objects.get()
    assert item.reports.count() == 2
    queue = _client(mo).get(f"/moderation/communities/{community.pk}/queue/").content.decode()
    assert 'data-report-count="2"' in queue


def test_a_circle_post_can_be_reported_by_a_circle_member(
    otter: User, skylark: User, community: Community, category: Category
) -> None:
    from tandem.forum import services as forum_services

    trusted(otter, community)
    circle = forum_services.create_circle(user=otter, community=community, name="Night owls")
    forum_services.add_to_circle(user=otter, circle=circle, pseudonym="Skylark")
    topic = forum_services.create_topic(
        author=otter,
        community=community,
        category=category,
        title="Private",
        body="Hello",
        visibility="circle",
        circle=circle,
    )
    post = Post.objects.get(topic=topic)
    response = _client(skylark).post(f"/moderation/posts/{post.pk}/report/", {"reason": "spam"})
    assert response.status_code == 302
    assert ReviewItem.objects.filter(post=post).exists()
