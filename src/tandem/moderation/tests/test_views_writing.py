"""HTTP flows of what a writer is told: bad input refused with a clear message, a 4xx and the
typed text kept; writing guidance and gentle reminders."""

from __future__ import annotations

import pytest

from tandem.accounts.models import User
from tandem.forum.models import Category, Community, ModerationState, Post, Topic
from tandem.forum.tests.conftest import make_topic, reply
from tandem.moderation.models import CommunitySettings, ReviewItem
from tandem.moderation.tests.helpers_views import _client

pytestmark = pytest.mark.django_db


# The topic these flows always had; the conftest's ("Tonight") is the escalation tests'.
@pytest.fixture
def topic(skylark: User, category: Category) -> Topic:
    return make_topic(skylark, category, title="Hard nights", body="Nights are the worst.")


# --- Bad input: clear message, 4xx, typed text kept ------------------------------------------


def test_a_report_without_a_reason_is_refused_and_the_text_kept(
    otter: User, skylark: User, topic: Topic
) -> None:
    post = reply(otter, topic, "hello")
    response = _client(skylark).post(
        f"/moderation/posts/{post.pk}/report/", {"text": "my careful words"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a reason." in page and "my careful words" in page


def test_an_action_without_a_reason_is_refused_and_the_edit_kept(
    otter: User, mo: User, topic: Topic
) -> None:
    post = reply(otter, topic, "Ring 07700 900123")
    item = ReviewItem.objects.get(post=post)
    response = _client(mo).post(
        f"/moderation/items/{item.pk}/act/",
        {"action": "edit", "body": "Ring (removed)", "reason": ""},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give a reason" in page and "Ring (removed)" in page
    assert Post.objects.get(pk=post.pk).moderation_state == ModerationState.HELD


def test_a_reply_over_the_limit_answers_429_and_keeps_the_text(
    otter: User, topic: Topic, community: Community
) -> None:
    CommunitySettings.objects.filter(community=community).update(replies_per_hour=1)
    client = _client(otter)
    client.post(f"/topics/{topic.pk}/reply/", {"body": "first", "action": "publish"})
    response = client.post(
        f"/topics/{topic.pk}/reply/", {"body": "my second thought", "action": "publish"}
    )
    assert response.status_code == 429
    page = response.content.decode()
    assert "1 replies in the last hour" in page and "my second thought" in page


def test_a_blocked_watched_word_answers_400_and_keeps_the_text(
    otter: User, mo: User, topic: Topic, community: Community
) -> None:
    _client(mo).post(
        f"/moderation/communities/{community.pk}/watched-words/",
        {"word": "grim", "action": "block"},
    )
    response = _client(otter).post(
        f"/topics/{topic.pk}/reply/", {"body": "a grim day", "action": "publish"}
    )
    assert response.status_code == 400
    assert "does not allow “grim”" in response.content.decode()
    assert "a grim day" in response.content.decode()


def test_a_muted_member_gets_403_and_keeps_the_text(
    otter: User, mo: User, topic: Topic, community: Community
) -> None:
    from tandem.moderation import services

    services.mute_person(
        moderator=mo, community=community, subject=otter, reason="Cool off", hours=1
    )
    response = _client(otter).post(
        f"/topics/{topic.pk}/reply/", {"body": "let me", "action": "publish"}
    )
    assert response.status_code == 403
    assert "let me" in response.content.decode()


# --- Writing guidance and gentle reminders ---------------------------------------------------


def test_saving_a_draft_about_self_harm_shows_guidance_without_javascript(
    otter: User, topic: Topic
) -> None:
    client = _client(otter)
    response = client.post(
        f"/topics/{topic.pk}/reply/",
        {"body": "I cut myself last night", "action": "draft"},
        follow=True,
    )
    page = response.content.decode()
    assert "leave out details of methods" in page
    assert (
        "data-safe-messaging role" in page
        and "hidden>" not in page.split("data-safe-messaging")[1][:200]
    )
    plain = client.get(f"/communities/{topic.community_id}/topics/create/").content.decode()
    assert "data-safe-messaging" in plain and "moderation/guidance" in plain


def test_a_lower_risk_reply_is_published_with_a_gentle_reminder(otter: User, topic: Topic) -> None:
    response = _client(otter).post(
        f"/topics/{topic.pk}/reply/",
        {"body": "I used to self-harm, now I walk instead.", "action": "publish"},
        follow=True,
    )
    assert response.status_code == 200
    assert "A gentle reminder" in response.content.decode()
    assert Post.objects.get(author=otter).moderation_state == ModerationState.VISIBLE
