"""A member's page in a community, its key, and @mentions as links to it (issue 19)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from tandem.accounts.models import Organisation, Role, User
from tandem.conftest import login_client
from tandem.forum import hooks, services
from tandem.forum.mentions import render_post_html
from tandem.forum.models import Category, Community, ModerationState, Post, Visibility
from tandem.forum.profiles import KEY_LENGTH, profile_key, profile_url, user_id_from_key
from tandem.forum.selectors.profiles import RECENT_POSTS
from tandem.forum.tests.conftest import join, make_topic, reply
from tandem.forum.tests.factories import CategoryFactory, CommunityFactory
from tandem.moderation.forum_hooks import ForumTrustRules

pytestmark = pytest.mark.django_db


def _page(client: Client, community: Community, person: User) -> str:
    return profile_url(community_id=community.pk, user_id=person.pk)


# The key ------------------------------------------------------------------------------------


def test_key_names_the_person_only_in_its_own_community() -> None:
    key = profile_key(community_id=7, user_id=42)
    assert len(key) == KEY_LENGTH
    assert "42" not in key
    assert user_id_from_key(community_id=7, key=key) == 42
    assert user_id_from_key(community_id=8, key=key) is None
    assert profile_key(community_id=8, user_id=42) != key


@pytest.mark.parametrize(
    "key", ["", "a" * KEY_LENGTH, "a" * (KEY_LENGTH + 1), "0" * KEY_LENGTH, "é" * KEY_LENGTH]
)
def test_malformed_or_made_up_keys_name_nobody(key: str) -> None:
    assert user_id_from_key(community_id=7, key=key) is None


def test_keys_keep_working_while_the_old_secret_is_a_fallback() -> None:
    with override_settings(SECRET_KEY="old-secret-" * 6):
        key = profile_key(community_id=3, user_id=9)
    with override_settings(SECRET_KEY="new-secret-" * 6, SECRET_KEY_FALLBACKS=["old-secret-" * 6]):
        assert user_id_from_key(community_id=3, key=key) == 9
    with override_settings(SECRET_KEY="new-secret-" * 6, SECRET_KEY_FALLBACKS=[]):
        assert user_id_from_key(community_id=3, key=key) is None


# Mentions -----------------------------------------------------------------------------------


def test_a_mention_of_a_member_links_to_their_page_here(
    member: Callable[..., User], category: Category
) -> None:
    writer, wren = member(), member(pseudonym="Wren Hollow")
    topic = make_topic(writer, category, body="Hello @wren hollow, and @Wren.")
    post = Post.objects.get(topic=topic, is_opening=True)
    url = profile_url(community_id=category.community_id, user_id=wren.pk)
    assert f'<a href="{url}" class="mention" rel="nofollow ugc noopener">@wren hollow</a>' in (
        post.body_html
    )
    assert str(wren.pk) not in url.rsplit("/", 2)[-2]
    assert "@Wren." in post.body_html  # nobody is called just "Wren"


def test_a_mention_at_the_end_of_a_sentence_is_linked(
    member: Callable[..., User], category: Category
) -> None:
    writer, wren = member(), member(pseudonym="Wren")
    topic = make_topic(writer, category, body="I walked with @Wren. Then @Wren's dog came.")
    html = Post.objects.get(topic=topic, is_opening=True).body_html
    url = profile_url(community_id=category.community_id, user_id=wren.pk)
    assert html.count(f'<a href="{url}" class="mention"') == 2
    assert "</a>. Then" in html


def test_mentions_of_people_outside_the_community_stay_plain_text(
    member: Callable[..., User], make_member: Callable[..., User], category: Category
) -> None:
    writer = member()
    make_member(pseudonym="Outsider")  # in the organisation, not in the community
    left = member(pseudonym="Gone Away")
    services.leave_community(user=left, community=category.community)
    topic = make_topic(writer, category, body="@Outsider and @Gone Away and @Nobody")
    html = Post.objects.get(topic=topic, is_opening=True).body_html
    assert "<a" not in html
    assert "@Outsider and @Gone Away and @Nobody" in html


def test_mentions_in_code_and_links_and_drafts_are_not_linked(
    member: Callable[..., User], category: Category
) -> None:
    writer, _wren = member(), member(pseudonym="Wren")
    topic = make_topic(writer, category, body="`@Wren`")
    assert 'class="mention"' not in Post.objects.get(topic=topic, is_opening=True).body_html
    # New members may not post links yet: render a link as a trusted member's post would be.
    linked = Post(topic=topic, author=writer, body="[@Wren](https://example.org) a@Wren")
    assert 'class="mention"' not in render_post_html(linked)
    draft = services.save_reply_draft(author=writer, topic=topic, body="@Wren")
    assert 'class="mention"' not in draft.body_html
    published = reply(writer, topic, "@Wren")
    assert 'class="mention"' in published.body_html


def test_an_edit_links_new_mentions(member: Callable[..., User], category: Category) -> None:
    writer, wren = member(), member(pseudonym="Wren")
    post = reply(writer, make_topic(member(), category), "Hello")
    post.topic.community = category.community
    services.edit_post(editor=writer, post=post, body="Hello @Wren")
    post.refresh_from_db()
    assert profile_url(community_id=category.community_id, user_id=wren.pk) in post.body_html


# The gate -----------------------------------------------------------------------------------


@pytest.fixture
def wren(member: Callable[..., User]) -> User:
    return member(pseudonym="Wren", email="wren.real@example.org", full_name="Jenny Realname")


def _status(client_factory: Callable[[], Client], user: User | None, path: str) -> int:
    client = client_factory()
    if user is not None:
        login_client(client, user)
    return client.get(path).status_code


def test_profile_gate_role_matrix(
    client_factory: Callable[[], Client],
    member: Callable[..., User],
    make_member: Callable[..., User],
    community: Community,
    wren: User,
) -> None:
    path = _page(client_factory(), community, wren)
    assert _status(client_factory, member(), path) == 200
    assert _status(client_factory, wren, path) == 200
    assert _status(client_factory, member(Role.MODERATOR, totp=True), path) == 200
    assert _status(client_factory, member(Role.PROVIDER, totp=True), path) == 200
    # In the organisation, not in the community: a moderator too.
    assert _status(client_factory, make_member(), path) == 404
    assert _status(client_factory, make_member(Role.MODERATOR, totp=True), path) == 404
    assert _status(client_factory, make_member(Role.ORG_ADMIN, totp=True), path) == 404
    anonymous = client_factory().get(path)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")


def test_profile_is_404_for_other_communities_people_who_left_and_made_up_keys(
    client_factory: Callable[[], Client],
    member: Callable[..., User],
    organisation: Organisation,
    community: Community,
    wren: User,
) -> None:
    reader = member()
    other = CommunityFactory.create(organisation=organisation)
    join(wren, other)
    join(reader, other)
    # Wren's key in the other community does not open a page here, nor the reverse.
    other_key = profile_key(community_id=other.pk, user_id=wren.pk)
    assert _status(client_factory, reader, f"/communities/{community.pk}/people/{other_key}/") == (
        404
    )
    assert _status(client_factory, reader, _page(client_factory(), other, wren)) == 200
    # Someone in the organisation who never joined this community.
    stranger = User.objects.create_user("stranger@example.org", pseudonym="Stranger")
    assert _status(client_factory, reader, _page(client_factory(), community, stranger)) == 404
    for key in ["a" * KEY_LENGTH, "not-a-key", "x" * 300]:
        assert _status(client_factory, reader, f"/communities/{community.pk}/people/{key}/") == 404
    path = _page(client_factory(), community, wren)
    services.leave_community(user=wren, community=community)
    assert _status(client_factory, reader, path) == 404
    # A community that does not exist.
    missing = profile_url(community_id=community.pk + 1000, user_id=wren.pk)
    assert _status(client_factory, reader, missing) == 404


def test_profile_shows_name_avatar_and_month_never_level_email_or_real_name(
    client: Client,
    client_factory: Callable[[], Client],
    member: Callable[..., User],
    community: Community,
    wren: User,
) -> None:
    hooks.register_trust_rules(ForumTrustRules())  # the conftest puts it back afterwards
    login_client(client, member())
    response = client.get(_page(client, community, wren))
    page = response.content.decode()
    assert "Wren" in page
    assert "<svg" in page
    # A level lowered by a sanction would tell other members about it: only Wren sees hers.
    assert "Trust level" not in page and "New member" not in page
    own_client = login_client(client_factory(), wren)
    own = own_client.get(_page(own_client, community, wren)).content.decode()
    assert "Trust level" in own and "New member" in own
    joined = wren.community_memberships.get(community=community).joined_at
    assert joined.strftime("%B %Y") in page
    assert "wren.real@example.org" not in page
    assert "Realname" not in page


def test_profile_lists_only_posts_the_reader_may_already_read(
    client_factory: Callable[[], Client],
    member: Callable[..., User],
    organisation: Organisation,
    category: Category,
    wren: User,
) -> None:
    community = category.community
    friend, outsider = member(), member()
    make_topic(wren, category, title="Open to all")
    circle = services.create_circle(user=wren, community=community, name="Close")
    services.add_to_circle(user=wren, circle=circle, pseudonym=friend.pseudonym)
    services.create_topic(
        author=wren,
        community=community,
        category=category,
        title="Only the circle",
        body="Circle words",
        visibility=Visibility.CIRCLE,
        circle=circle,
    )
    held = make_topic(wren, category, title="Held topic")
    Post.objects.filter(topic=held).update(moderation_state=ModerationState.HELD)
    hidden = reply(wren, make_topic(friend, category, title="Friend's topic"), "Hidden words")
    services.hide_post(post=hidden, note="")
    deleted = reply(wren, held, "Deleted words")
    Post.objects.filter(pk=deleted.pk).update(deleted_at=deleted.published_at)
    services.save_topic_draft(
        author=wren,
        community=community,
        category=category,
        title="Unfinished thoughts",
        body="Draft words",
    )
    elsewhere = CommunityFactory.create(organisation=organisation)
    join(wren, elsewhere)
    join(outsider, elsewhere)
    make_topic(wren, CategoryFactory.create(community=elsewhere), title="Another community")

    def titles(reader: User) -> str:
        client = client_factory()
        login_client(client, reader)
        response = client.get(_page(client, community, wren))
        assert response.status_code == 200
        return response.content.decode()

    for_outsider = titles(outsider)
    assert "Open to all" in for_outsider
    for hidden_text in [
        "Only the circle",
        "Held topic",
        "Hidden words",
        "Deleted words",
        "Unfinished thoughts",
        "Draft words",
        "Another community",
    ]:
        assert hidden_text not in for_outsider
    for_friend = titles(friend)
    assert "Only the circle" in for_friend
    assert "Circle words" in for_friend
    assert "Held topic" not in for_friend


def test_profile_links_each_post_to_its_page(
    client: Client, member: Callable[..., User], category: Category, wren: User
) -> None:
    post = reply(wren, make_topic(member(), category), "Walking helps")
    login_client(client, member())
    page = client.get(_page(client, category.community, wren)).content.decode()
    assert f'href="/topics/{post.topic_id}/#post-{post.pk}"' in page


def test_a_new_code_of_conduct_is_asked_for_first(
    client: Client, member: Callable[..., User], community: Community, wren: User
) -> None:
    reader = member()
    Community.objects.filter(pk=community.pk).update(code_of_conduct_version=2)
    login_client(client, reader)
    response = client.get(_page(client, community, wren))
    assert response.status_code == 302
    assert f"/communities/{community.pk}/join/" in response["Location"]


def test_profile_answers_get_only(
    client: Client, member: Callable[..., User], community: Community, wren: User
) -> None:
    login_client(client, member())
    assert client.post(_page(client, community, wren)).status_code == 405


# Queries ------------------------------------------------------------------------------------


def _count(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def test_profile_page_runs_as_many_queries_with_many_posts_as_with_few(
    client: Client, member: Callable[..., User], category: Category, wren: User
) -> None:
    hooks.register_trust_rules(ForumTrustRules())
    reader, other = member(), member()
    topic = make_topic(wren, category)
    reply(wren, topic, "One")
    login_client(client, reader)
    path = _page(client, category.community, wren)
    client.get(path)
    small = _count(client, path)
    for n in range(RECENT_POSTS + 5):
        reply(wren, make_topic(other, category, title=f"Topic {n}") if n % 3 else topic, f"{n}")
    large = _count(client, path)
    assert large == small
    assert small <= 16
