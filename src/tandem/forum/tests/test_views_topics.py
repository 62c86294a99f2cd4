"""Forum flows through the test client: starting and reading topics, replies and quotes, bad
input, names and the professional badge, reactions; real requests, then the database."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tandem.accounts.models import Role, User
from tandem.conftest import login_client
from tandem.forum import services
from tandem.forum.models import (
    POST_MAX_LENGTH,
    Category,
    Community,
    Post,
    Reaction,
    ReactionKind,
    Topic,
)
from tandem.forum.tests.conftest import make_topic, reply
from tandem.forum.tests.helpers_views import _create

pytestmark = pytest.mark.django_db


def test_member_starts_a_topic_and_reads_it(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    login_client(client, member())
    response = _create(client, category, title="Bad nights", body="**Three** nights awake.")
    topic = Topic.objects.get(title="Bad nights")
    assert response.status_code == 302
    assert response["Location"] == f"/topics/{topic.pk}/"
    page = client.get(f"/topics/{topic.pk}/").content.decode()
    assert "<strong>Three</strong> nights awake." in page
    post = topic.posts.get()
    assert post.body_html == "<p><strong>Three</strong> nights awake.</p>\n"


def test_markdown_cannot_inject_script(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    login_client(client, member())
    _create(client, category, title="<b>x</b>", body="<script>alert(1)</script> [a](javascript:x)")
    topic = Topic.objects.get()
    page = client.get(f"/topics/{topic.pk}/").content.decode()
    assert "<script>alert" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page
    assert 'href="javascript' not in page


@pytest.mark.parametrize(
    ("title", "body", "message"),
    [
        ("", "Some words", "Enter a title."),
        ("A title", "   ", "Write your message."),
        ("A title", "x" * (POST_MAX_LENGTH + 1), "the limit is 20000"),
    ],
)
def test_bad_topic_input_is_explained_and_what_was_typed_is_kept(
    client: Client,
    member: Callable[..., User],
    category: Category,
    title: str,
    body: str,
    message: str,
) -> None:
    login_client(client, member())
    response = _create(client, category, title=title, body=body)
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert message in page
    if title:
        assert f'value="{title}"' in page
    if body.strip():
        assert body[:50] in page
    assert not Topic.objects.exists()


def test_posting_in_a_locked_community_is_refused_and_text_kept(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    person = member()
    topic = make_topic(member(), category)
    Community.objects.filter(pk=category.community_id).update(is_locked=True)
    login_client(client, person)
    response = _create(client, category, title="Hello", body="My careful words")
    assert response.status_code == 403
    assert "My careful words" in response.content.decode()
    assert "locked" in response.content.decode()
    response = client.post(f"/topics/{topic.pk}/reply/", {"body": "A reply I wrote"})
    assert response.status_code == 403
    assert "A reply I wrote" in response.content.decode()
    assert topic.posts.count() == 1


def test_reply_with_a_quote(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    author = member(pseudonym="Heron")
    topic = make_topic(author, category, body="The nights are long.")
    opening = topic.posts.get()
    login_client(client, member())
    page = client.get(f"/topics/{topic.pk}/?quote={opening.pk}").content.decode()
    assert "&gt; **Heron** wrote:" in page
    assert "&gt; The nights are long." in page
    response = client.post(
        f"/topics/{topic.pk}/reply/",
        {"body": "> The nights are long.\n\nThey are.", "quoted_post": str(opening.pk)},
    )
    assert response.status_code == 302
    post = topic.posts.get(is_opening=False)
    assert post.quoted_post == opening
    assert "In reply to Heron" in client.get(f"/topics/{topic.pk}/").content.decode()


def test_empty_reply_is_refused_with_a_message(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    topic = make_topic(member(), category)
    login_client(client, member())
    response = client.post(f"/topics/{topic.pk}/reply/", {"body": " "})
    assert response.status_code == 400
    assert "Write your message." in response.content.decode()


def test_topic_pages_never_show_real_names_or_emails(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    people = [
        member(full_name="Jane Realname", email="jane.real@example.org", pseudonym="Lark"),
        member(
            Role.PROVIDER,
            totp=True,
            full_name="Doctor Truename",
            email="truename@nhs.example",
            pseudonym="NurseBee",
            profession="Mental health nurse",
        ),
        member(full_name="Sam Surname", email="sam.surname@example.org", pseudonym="Finch"),
    ]
    topic = make_topic(people[0], category, body="Hello @NurseBee and @Finch")
    topic.community = category.community
    services.reply_to_topic(author=people[1], topic=topic, body="Hi", as_professional=True)
    reply(people[2], topic, "Thanks @Lark")
    login_client(client, people[2])
    pages = [
        f"/topics/{topic.pk}/",
        f"/categories/{category.pk}/",
        f"/communities/{category.community_id}/",
        "/communities/search/?q=hello",
        "/notifications/",
    ]
    for path in pages:
        page = client.get(path).content.decode()
        for person in people:
            assert person.full_name not in page, path
            assert person.email not in page, path
    page = client.get(f"/topics/{topic.pk}/").content.decode()
    assert "Lark" in page
    assert "Professional · Mental health nurse" in page


def test_provider_chooses_per_post_whether_to_write_as_professional(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    provider = member(Role.PROVIDER, totp=True, profession="Psychologist")
    topic = make_topic(member(), category)
    login_client(client, provider)
    page = client.get(f"/topics/{topic.pk}/").content.decode()
    assert "Write as a professional" in page
    client.post(f"/topics/{topic.pk}/reply/", {"body": "As a peer"})
    client.post(f"/topics/{topic.pk}/reply/", {"body": "As a pro", "as_professional": "on"})
    titles = dict(Post.objects.filter(topic=topic).values_list("body", "professional_title"))
    assert titles["As a peer"] == ""
    assert titles["As a pro"] == "Psychologist"


def test_service_user_cannot_claim_the_professional_badge(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    topic = make_topic(member(), category)
    login_client(client, member())
    assert "Write as a professional" not in client.get(f"/topics/{topic.pk}/").content.decode()
    client.post(f"/topics/{topic.pk}/reply/", {"body": "Hi", "as_professional": "on"})
    assert topic.posts.get(is_opening=False).professional_title == ""


def test_reactions_toggle_and_show_counts(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    topic = make_topic(member(), category)
    post = topic.posts.get()
    login_client(client, member())
    client.post(f"/posts/{post.pk}/react/", {"kind": ReactionKind.HEAR_YOU})
    client.post(f"/posts/{post.pk}/react/", {"kind": ReactionKind.ME_TOO})
    assert set(Reaction.objects.values_list("kind", flat=True)) == {"hear_you", "me_too"}
    page = client.get(f"/topics/{topic.pk}/").content.decode()
    assert 'aria-pressed="true">I hear you <span class="count">1</span>' in page
    client.post(f"/posts/{post.pk}/react/", {"kind": ReactionKind.ME_TOO})
    assert list(Reaction.objects.values_list("kind", flat=True)) == ["hear_you"]
    assert client.post(f"/posts/{post.pk}/react/", {"kind": "downvote"}).status_code == 400
