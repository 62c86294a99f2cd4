"""The forum through the API: the topic page's role matrix (the cases of
``forum/tests/test_access.py``) on every read, replies through the posting service (screen,
code of conduct, locks), and publishing once per client key."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tandem.accounts.models import Role, User
from tandem.accounts.tests.factories import MembershipFactory, OrganisationFactory
from tandem.api.tests.conftest import ApiClient, token_for
from tandem.forum import services
from tandem.forum.models import Category, Community, ModerationState, Post
from tandem.forum.tests import test_access as forum_pages
from tandem.forum.tests.conftest import make_topic

pytestmark = pytest.mark.django_db

# (who, expected status) of the pages' matrix, read from its parametrize mark.
FORUM_CASES = next(
    mark
    for mark in forum_pages.test_topic_page_role_matrix.pytestmark
    if mark.name == "parametrize"
).args[1]


def _reply(client: ApiClient, topic_id: int, body: str = "Same here.", key: str = "") -> Any:
    return client.post_json(
        f"/api/v1/forum/topics/{topic_id}/replies",
        {"body": body, "client_key": key or str(uuid.uuid4())},
    )


@pytest.mark.parametrize(("who", "expected"), FORUM_CASES)
def test_topic_role_matrix_over_the_api(
    who: str,
    expected: int,
    member: Callable[..., User],
    make_member: Callable[..., User],
    category: Category,
) -> None:
    author = member()
    topic = make_topic(author, category, title="Sleep", body="I can't sleep.")
    people: dict[str, Callable[[], User]] = {
        "author": lambda: author,
        "fellow_member": member,
        "member_provider": lambda: member(Role.PROVIDER, totp=True),
        "member_moderator": lambda: member(Role.MODERATOR, totp=True),
        "org_service_user_not_joined": make_member,
        "org_provider_not_joined": lambda: make_member(Role.PROVIDER, totp=True),
        "researcher": lambda: make_member(Role.RESEARCHER, totp=True),
        "other_organisation_member": lambda: (
            MembershipFactory.create(
                organisation=OrganisationFactory.create(), role=Role.SERVICE_USER
            ).user
        ),
    }
    client = ApiClient(token_for(people[who]()))
    for path in (
        f"/api/v1/forum/topics/{topic.pk}",
        f"/api/v1/forum/communities/{category.community_id}/categories",
        f"/api/v1/forum/categories/{category.pk}/topics",
    ):
        response = client.get(path)
        assert response.status_code == expected, path
        assert ("I can't sleep" in response.content.decode()) is (
            expected == 200 and "topics/" in path and "categories" not in path
        )
    replied = _reply(client, topic.pk)
    assert replied.status_code == (201 if expected == 200 else 404)
    listed = [c["id"] for c in client.get("/api/v1/forum/communities").json()]
    if expected == 200:
        assert listed == [category.community_id]


def test_a_reply_is_published_once_per_key_and_shown_in_the_topic(
    member: Callable[..., User], category: Category
) -> None:
    topic = make_topic(member(), category)
    writer = member(pseudonym="Wren")
    client = ApiClient(token_for(writer))
    key = str(uuid.uuid4())
    first, again = (
        _reply(client, topic.pk, "Me **too**", key),
        _reply(client, topic.pk, "Me **too**", key),
    )
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert first.json()["state"] == "visible"
    assert Post.objects.filter(author=writer).count() == 1
    posts = client.get(f"/api/v1/forum/topics/{topic.pk}").json()["posts"]["items"]
    assert [(p["author"], p["body_html"]) for p in posts][-1] == (
        "Wren",
        "<p>Me <strong>too</strong></p>\n",
    )


def test_the_screen_holds_a_risky_reply_as_for_the_pages(
    member: Callable[..., User], category: Category
) -> None:
    topic = make_topic(member(), category)
    writer = member()
    reply = _reply(ApiClient(token_for(writer)), topic.pk, "I want to kill myself tonight")
    assert reply.status_code == 201
    post = Post.objects.get(pk=reply.json()["id"])
    assert post.moderation_state == ModerationState.HELD
    assert reply.json()["state"] == "held"
    # Held: another member does not see it.
    other = ApiClient(token_for(member())).get(f"/api/v1/forum/topics/{topic.pk}").json()
    assert post.pk not in [p["id"] for p in other["posts"]["items"]]


def test_blank_and_invisible_replies_are_400_and_nothing_is_stored(
    member: Callable[..., User], category: Category
) -> None:
    topic = make_topic(member(), category)
    client = ApiClient(token_for(member()))
    for body in ("", "   ", "\u200b\u2060"):
        response = _reply(client, topic.pk, body)
        assert response.status_code == 400, body
        assert "body" in response.json()["fields"]
    assert Post.objects.count() == 1


def test_a_locked_community_refuses_replies_with_403(
    member: Callable[..., User], category: Category, community: Community
) -> None:
    topic = make_topic(member(), category)
    community.is_locked = True
    community.save()
    response = _reply(ApiClient(token_for(member())), topic.pk)
    assert response.status_code == 403
    assert Post.objects.count() == 1


def test_a_new_code_of_conduct_must_be_accepted_in_tandem_first(
    member: Callable[..., User], category: Category, community: Community
) -> None:
    topic = make_topic(member(), category)
    client = ApiClient(token_for(member()))
    services.publish_code_of_conduct(community=community, text="Be kind, always.")
    response = client.get(f"/api/v1/forum/topics/{topic.pk}")
    assert response.status_code == 403
    assert response.json()["code"] == "conduct_not_accepted"
    assert _reply(client, topic.pk).status_code == 403
