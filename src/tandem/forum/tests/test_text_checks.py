"""Posts nobody could read, and titles that turn the page around, are refused (``core.text``):
with a message beside the field, the typed text kept, and a 4xx, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from tandem.accounts.models import User
from tandem.conftest import login_client
from tandem.forum import services
from tandem.forum.models import Category, Circle, Post, Topic, Visibility
from tandem.forum.search import highlight
from tandem.forum.tests.conftest import make_topic, reply

pytestmark = pytest.mark.django_db

# Zero-width space, word joiner, Hangul filler, byte order mark, a tag character and spaces.
INVISIBLE = "\u200b \u2060\u3164\n\ufeff\U000e0041 \u00ad"
RLO = "\u202e"
NOTHING_TO_POST = "Spaces and invisible characters on their own cannot be posted."
NOTHING_TO_READ = "spaces and invisible characters on their own show nothing"
BIDI = "right-to-left override"


def _create(client: Client, category: Category, **data: str) -> Any:
    payload = {"category": str(category.pk), "title": "", "body": "", "action": "publish"}
    payload.update(data)
    return client.post(f"/communities/{category.community_id}/topics/create/", payload)


def test_invisible_reply_is_refused_with_the_text_kept(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    topic = make_topic(member(), category)
    login_client(client, member())
    response = client.post(f"/topics/{topic.pk}/reply/", {"body": INVISIBLE, "action": "publish"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert NOTHING_TO_POST in page
    assert INVISIBLE in page  # still in the text box
    assert topic.posts.count() == 1


@pytest.mark.parametrize(
    ("title", "body", "message"),
    [
        ("A title", INVISIBLE, NOTHING_TO_POST),
        (INVISIBLE.strip(), "Some words", NOTHING_TO_READ),
        (f"Sleep {RLO}spit", "Some words", BIDI),
        ("\u2067Sleep\u2069", "Some words", BIDI),
    ],
)
def test_invisible_or_reversing_topic_is_refused_with_the_text_kept(
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
    assert message in page
    assert title in page
    assert body in page
    assert not Topic.objects.exists()


def test_invisible_edit_and_reversing_title_are_refused(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    author = member()
    topic = make_topic(author, category, title="Sleep", body="first version")
    post = topic.posts.get()
    login_client(client, author)
    response = client.post(f"/posts/{post.pk}/edit/", {"title": "Sleep", "body": INVISIBLE})
    assert response.status_code == 400
    assert NOTHING_TO_POST in response.content.decode()
    assert INVISIBLE in response.content.decode()
    response = client.post(f"/posts/{post.pk}/edit/", {"title": f"{RLO}Sleep", "body": "fine"})
    assert response.status_code == 400
    assert BIDI in response.content.decode()
    post.refresh_from_db()
    topic.refresh_from_db()
    assert (post.body, topic.title) == ("first version", "Sleep")
    assert not post.revisions.exists()


def test_a_draft_may_be_unfinished_but_is_checked_when_published(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    author = member()
    topic = make_topic(member(), category)
    login_client(client, author)
    # Drafts are private and may hold anything typed so far...
    response = client.post(f"/topics/{topic.pk}/reply/", {"body": INVISIBLE, "action": "draft"})
    assert response.status_code == 302
    response = _create(client, category, title=f"{RLO}x", body=INVISIBLE, action="draft")
    assert response.status_code == 302
    draft = Topic.objects.get(visibility=Visibility.DRAFT)
    # ...publishing them is where the checks apply, through the form or without it.
    response = client.post(f"/topics/{topic.pk}/reply/", {"body": INVISIBLE, "action": "publish"})
    assert response.status_code == 400
    assert Post.objects.get(topic=topic, author=author).is_draft
    response = _create(
        client, category, title=f"{RLO}x", body=INVISIBLE, draft=str(draft.pk), action="publish"
    )
    assert response.status_code == 400
    with pytest.raises(ValidationError) as refused:
        services.change_topic_visibility(user=author, topic=draft, visibility=Visibility.COMMUNITY)
    assert set(refused.value.message_dict) == {"title", "body"}
    draft.refresh_from_db()
    assert draft.visibility == Visibility.DRAFT


@pytest.mark.parametrize(
    ("title", "body", "field"),
    [("Fine", INVISIBLE, "body"), (INVISIBLE, "Fine", "title"), (f"a{RLO}b", "Fine", "title")],
)
def test_services_refuse_the_same_without_a_form(
    member: Callable[..., User], category: Category, title: str, body: str, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        make_topic(member(), category, title=title, body=body)
    assert list(refused.value.message_dict) == [field]
    topic = make_topic(member(), category)
    with pytest.raises(ValidationError):
        reply(member(), topic, INVISIBLE)


def test_circle_names_are_single_lines_people_can_read(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    login_client(client, member())
    path = f"/communities/{category.community_id}/circles/"
    for name, message in [(INVISIBLE.strip(), NOTHING_TO_READ), (f"Close{RLO} friends", BIDI)]:
        response = client.post(path, {"name": name})
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not Circle.objects.exists()


def test_a_post_body_cannot_turn_the_page_around(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    """Bodies may hold direction characters (people writing Arabic or Hebrew need the marks),
    but nothing shown of them carries an override: not the post, not a search excerpt."""
    author = member()
    login_client(client, author)
    body = f"Walking helps {RLO}me, also &#x202E;this and \u2066that"
    response = _create(client, category, title="Walking", body=body)
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.body == body  # stored as typed
    page = client.get(response["Location"]).content.decode()
    for char in (RLO, "\u2066"):
        assert char not in post.body_html
        assert char not in page
        assert char not in highlight(post.body, "walking")
