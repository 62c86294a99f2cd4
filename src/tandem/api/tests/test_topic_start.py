"""Starting a topic through the API: the forum's gate (membership, code of conduct), the
new-topic page's form, and ``create_topic`` with everything moderation adds to it (the risk
screen, pre-moderation, sanctions, locks), as on the pages."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tandem.accounts.models import Role, User
from tandem.api.tests.conftest import ApiClient, token_for
from tandem.forum import services as forum_services
from tandem.forum.models import Category, Community, ModerationState, Post, Topic
from tandem.forum.tests.factories import CategoryFactory, CommunityFactory
from tandem.moderation import services as moderation_services
from tandem.moderation.models import CommunitySettings, PreModeration, ReviewItem

pytestmark = pytest.mark.django_db


def _start(client: ApiClient, community: Community, category: Category, **fields: Any) -> Any:
    body = {
        "category_id": category.pk,
        "title": "Sleep",
        "body": "How do you all manage nights?",
        "client_key": str(uuid.uuid4()),
    }
    return client.post_json(f"/api/v1/forum/communities/{community.pk}/topics", body | fields)


def test_a_member_starts_a_topic_once_per_key_and_others_read_it(
    member: Callable[..., User], community: Community, category: Category
) -> None:
    author = member(pseudonym="Wren")
    client = ApiClient(token_for(author))
    key = str(uuid.uuid4())
    first = _start(client, community, category, client_key=key)
    again = _start(client, community, category, client_key=key)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert first.json()["state"] == "visible"
    topic = Topic.objects.get()
    assert (topic.pk, topic.title, topic.author) == (first.json()["id"], "Sleep", author)
    read = ApiClient(token_for(member())).get(f"/api/v1/forum/topics/{topic.pk}").json()
    assert [p["author"] for p in read["posts"]["items"]] == ["Wren"]


def test_the_screen_holds_a_risky_topic_as_for_the_pages(
    member: Callable[..., User], community: Community, category: Category
) -> None:
    response = _start(
        ApiClient(token_for(member())), community, category, body="I want to kill myself tonight"
    )
    assert response.status_code == 201
    assert response.json()["state"] == "held"
    post = Post.objects.get(pk=response.json()["post_id"])
    assert post.moderation_state == ModerationState.HELD
    assert ReviewItem.objects.filter(post=post).exists()
    listed = ApiClient(token_for(member())).get(f"/api/v1/forum/categories/{category.pk}/topics")
    assert listed.json()["items"] == []


def test_pre_moderation_holds_every_topic(
    member: Callable[..., User], community: Community, category: Category
) -> None:
    CommunitySettings.objects.filter(community=community).update(
        premoderation=PreModeration.EVERY_POST
    )
    response = _start(ApiClient(token_for(member())), community, category)
    assert response.status_code == 201
    assert response.json()["state"] == "held"


def test_a_muted_member_is_refused_with_403_and_a_suspended_one_finds_no_community(
    member: Callable[..., User],
    make_member: Callable[..., User],
    community: Community,
    category: Category,
) -> None:
    moderator = make_member(Role.MODERATOR, totp=True)
    muted, suspended = member(), member()
    moderation_services.mute_person(
        moderator=moderator, community=community, subject=muted, reason="Cool off", hours=2
    )
    moderation_services.suspend_person(
        moderator=moderator, community=community, subject=suspended, reason="Harm", days=None
    )
    refused = _start(ApiClient(token_for(muted)), community, category)
    assert refused.status_code == 403
    assert refused.json()["code"] == "refused"
    assert "paused your posting" in refused.json()["detail"]
    assert _start(ApiClient(token_for(suspended)), community, category).status_code == 404
    assert not Topic.objects.exists()


def test_posting_limits_answer_429(
    member: Callable[..., User], community: Community, category: Category
) -> None:
    CommunitySettings.objects.filter(community=community).update(topics_per_hour=1)
    client = ApiClient(token_for(member()))
    assert _start(client, community, category).status_code == 201
    refused = _start(client, community, category, title="Again")
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert Topic.objects.count() == 1


def test_locks_conduct_and_strangers(
    member: Callable[..., User],
    make_member: Callable[..., User],
    community: Community,
    category: Category,
) -> None:
    client = ApiClient(token_for(member()))
    assert _start(ApiClient(token_for(make_member())), community, category).status_code == 404
    forum_services.publish_code_of_conduct(community=community, text="Be kind, always.")
    conduct = _start(client, community, category)
    assert (conduct.status_code, conduct.json()["code"]) == (403, "conduct_not_accepted")
    locked = ApiClient(token_for(member()))
    community.is_locked = True
    community.save()
    assert _start(locked, community, category).status_code == 403
    assert not Topic.objects.exists()


def test_bad_input_is_400_naming_the_field_sent(
    member: Callable[..., User], community: Community, category: Category
) -> None:
    client = ApiClient(token_for(member()))
    elsewhere = CommunityFactory.create(organisation=community.organisation, name="Other")
    other = CategoryFactory.create(community=elsewhere, name="Elsewhere")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"body": "  \u200b"}, "body"),
        ({"category_id": other.pk}, "category_id"),
        ({"visibility": "circle"}, "circle_id"),
        ({"as_professional": True}, "as_professional"),
    ]
    for fields, name in cases:
        response = _start(client, community, category, **fields)
        assert response.status_code == 400, fields
        assert name in response.json()["fields"], response.json()
    assert _start(client, community, category, visibility="draft").status_code == 422
    assert not Topic.objects.exists()
