"""Forum flows through the test client: real requests, then the database afterwards."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

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
    Visibility,
)
from tandem.forum.tests.conftest import make_topic, reply
from tandem.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _create(client: Client, category: Category, **data: str) -> Any:
    payload = {"category": str(category.pk), "title": "", "body": "", "action": "publish"}
    payload.update(data)
    return client.post(f"/communities/{category.community_id}/topics/create/", payload)


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


def test_drafts_survive_logout_and_are_private(
    client_factory: Callable[[], Client], member: Callable[..., User], category: Category
) -> None:
    author, other = member(), member()
    client = login_client(client_factory(), author)
    response = _create(
        client, category, title="Half a thought", body="I am not sure", action="draft"
    )
    assert response.status_code == 302
    draft = Topic.objects.get(title="Half a thought")
    assert draft.visibility == Visibility.DRAFT
    client.post("/accounts/logout/")
    client = login_client(client_factory(), author)
    page = client.get("/communities/drafts/").content.decode()
    assert "Half a thought" in page
    form = client.get(response["Location"]).content.decode()
    assert "I am not sure" in form
    other_client = login_client(client_factory(), other)
    assert "Half a thought" not in other_client.get(f"/categories/{category.pk}/").content.decode()
    assert "Half a thought" not in other_client.get("/communities/drafts/").content.decode()
    response = _create(
        client, category, title="A whole thought", body="Now I am", draft=str(draft.pk)
    )
    draft.refresh_from_db()
    assert draft.visibility == Visibility.COMMUNITY
    assert draft.title == "A whole thought"
    assert Topic.objects.count() == 1


def test_autosave_endpoints_keep_a_reply_draft_and_a_topic_draft(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    author = member()
    topic = make_topic(member(), category)
    login_client(client, author)
    response = client.post(f"/topics/{topic.pk}/draft/", {"body": "typing…"})
    assert response.json() == {"saved": True, "guidance": False}
    client.post(f"/topics/{topic.pk}/draft/", {"body": "typing more"})
    draft = Post.objects.get(topic=topic, author=author, is_draft=True)
    assert draft.body == "typing more"
    assert "typing more" in client.get(f"/topics/{topic.pk}/").content.decode()
    assert (
        "typing more"
        not in login_client(Client(), member()).get(f"/topics/{topic.pk}/").content.decode()
    )
    client.post(f"/topics/{topic.pk}/reply/", {"body": "typing more, done"})
    assert not Post.objects.filter(topic=topic, author=author, is_draft=True).exists()
    response = client.post(
        f"/communities/{category.community_id}/topics/draft/",
        {"category": str(category.pk), "title": "", "body": "first words"},
    )
    data = response.json()
    assert data["saved"] is True
    response = client.post(
        f"/communities/{category.community_id}/topics/draft/",
        {"category": str(category.pk), "title": "T", "body": "more", "draft": str(data["draft"])},
    )
    assert response.json()["draft"] == data["draft"]
    assert Topic.objects.filter(visibility=Visibility.DRAFT).count() == 1


def test_edit_keeps_history_and_delete_is_soft(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    author = member()
    topic = make_topic(author, category, body="first version")
    post = topic.posts.get()
    login_client(client, author)
    response = client.post(f"/posts/{post.pk}/edit/", {"title": "Sleep 2", "body": "revised words"})
    assert response.status_code == 302
    post.refresh_from_db()
    topic.refresh_from_db()
    assert (post.body, topic.title) == ("revised words", "Sleep 2")
    assert post.revisions.get().body == "first version"
    response = client.post(f"/posts/{post.pk}/edit/", {"title": "", "body": "third"})
    assert response.status_code == 400
    assert "third" in response.content.decode()
    client.post(f"/posts/{post.pk}/delete/", {"confirm": "yes"})
    post.refresh_from_db()
    assert post.deleted_at is not None
    page = client.get(f"/topics/{topic.pk}/").content.decode()
    assert "This post was deleted by its author." in page
    assert "revised words" not in page


def test_others_cannot_edit_or_delete_my_post(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    topic = make_topic(member(), category)
    post = topic.posts.get()
    login_client(client, member())
    assert client.get(f"/posts/{post.pk}/edit/").status_code == 404
    assert client.post(f"/posts/{post.pk}/delete/").status_code == 404


def test_muted_person_is_folded_away_and_not_told(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    loud = member(pseudonym="Loud")
    topic = make_topic(loud, category, body="Loud words")
    post = topic.posts.get()
    me = member()
    login_client(client, me)
    client.post(f"/posts/{post.pk}/mute-author/")
    page = client.get(f"/topics/{topic.pk}/").content.decode()
    assert '<details class="muted-post">' in page
    assert "A post from someone you muted" in page
    assert not Notification.objects.filter(recipient=loud).exists()
    assert "Loud" in client.get("/communities/boundaries/").content.decode()


def test_watching_a_topic_notifies_in_app_and_by_content_free_email(
    client_factory: Callable[[], Client],
    member: Callable[..., User],
    category: Category,
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    author = member(pseudonym="Robin", email="robin@example.org")
    topic = make_topic(author, category, title="Panic on buses", body="It happens a lot")
    replier = member(pseudonym="Kite")
    client = login_client(client_factory(), replier)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        client.post(f"/topics/{topic.pk}/reply/", {"body": "Breathing helps me"})
    notification = Notification.objects.get(recipient=author)
    assert notification.title == "Kite replied to “Panic on buses”"
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["robin@example.org"]
    assert email.subject == "Something new in Tandem"
    for secret in ("Kite", "Panic", "Breathing", category.community.name, "Coping"):
        assert secret not in f"{email.subject} {email.body}"
    robin = login_client(client_factory(), author)
    assert 'Notifications <span class="badge badge-new">1' in robin.get("/").content.decode()
    assert "Kite replied" in robin.get("/notifications/").content.decode()
    response = robin.post(f"/notifications/{notification.pk}/open/")
    assert response["Location"].startswith(f"/topics/{topic.pk}/#post-")
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_notifications_from_a_community_vanish_when_the_person_leaves(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    author = member()
    topic = make_topic(author, category, title="Sleep tips")
    reply(member(pseudonym="Kite"), topic)
    notification = Notification.objects.get(recipient=author)
    login_client(client, author)
    assert "Sleep tips" in client.get("/notifications/").content.decode()
    client.post(f"/communities/{category.community_id}/leave/", {"confirm": "yes"})
    assert "Sleep tips" not in client.get("/notifications/").content.decode()
    assert client.post(f"/notifications/{notification.pk}/open/").status_code == 404


def test_someone_elses_notification_is_404(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    author = member()
    reply(member(), make_topic(author, category))
    notification = Notification.objects.get(recipient=author)
    login_client(client, member())
    assert client.post(f"/notifications/{notification.pk}/open/").status_code == 404


def test_watching_a_category_tells_about_new_topics(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    watcher = member()
    login_client(client, watcher)
    client.post(f"/categories/{category.pk}/watch/")
    make_topic(member(pseudonym="Kite"), category, title="New one")
    assert Notification.objects.get(recipient=watcher).title == "New topic in Coping: “New one”"


def test_unread_markers(client: Client, member: Callable[..., User], category: Category) -> None:
    me = member()
    topic = make_topic(member(), category, title="Marker topic")
    login_client(client, me)
    assert "New since your last visit" in client.get(f"/categories/{category.pk}/").content.decode()
    client.get(f"/topics/{topic.pk}/")
    assert (
        "New since your last visit"
        not in client.get(f"/categories/{category.pk}/").content.decode()
    )
    reply(member(), topic, "Fresh reply")
    assert "New since your last visit" in client.get(f"/categories/{category.pk}/").content.decode()
    page = client.get(f"/topics/{topic.pk}/").content.decode()
    assert page.count("New since your last visit") == 1


def test_facilitator_pins_topic_of_the_week(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    topic = make_topic(member(), category, title="This week: sleep")
    facilitator = member(Role.FACILITATOR)
    login_client(client, facilitator)
    today = timezone.localdate()
    client.post(
        f"/topics/{topic.pk}/feature/",
        {"featured_from": today.isoformat(), "featured_until": today.isoformat()},
    )
    page = client.get(f"/communities/{category.community_id}/").content.decode()
    assert "Topic of the week" in page
    other = login_client(Client(), member())
    assert (
        other.post(
            f"/topics/{topic.pk}/feature/",
            {"featured_from": today.isoformat(), "featured_until": today.isoformat()},
        ).status_code
        == 403
    )


def test_join_asks_for_date_of_birth_for_an_age_group(
    client: Client, make_member: Callable[..., User], community: Community
) -> None:
    Community.objects.filter(pk=community.pk).update(min_age=16, max_age=25)
    person = make_member()
    login_client(client, person)
    response = client.post(f"/communities/{community.pk}/join/", {"version": "1", "accept": "on"})
    assert response.status_code == 400
    assert "we need your date of birth" in response.content.decode()
    too_old = date(timezone.localdate().year - 40, 1, 1).isoformat()
    response = client.post(
        f"/communities/{community.pk}/join/",
        {"version": "1", "accept": "on", "date_of_birth": too_old},
    )
    assert response.status_code == 400
    assert "aged 16 to 25" in response.content.decode()
    ok = date(timezone.localdate().year - 20, 1, 1).isoformat()
    response = client.post(
        f"/communities/{community.pk}/join/",
        {"version": "1", "accept": "on", "date_of_birth": ok},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.date_of_birth is not None


def test_circle_flow(client: Client, member: Callable[..., User], category: Category) -> None:
    starter = member()
    friend = member(pseudonym="Plover")
    login_client(client, starter)
    response = client.post(f"/communities/{category.community_id}/circles/", {"name": "Close"})
    assert response.status_code == 302
    circle_path = response["Location"]
    response = client.post(f"{circle_path}add/", {"pseudonym": "plover"})
    assert response.status_code == 302
    assert Notification.objects.filter(recipient=friend, kind="forum.circle_added").exists()
    response = client.post(f"{circle_path}add/", {"pseudonym": "Nobody Here"})
    assert response.status_code == 400
    assert "Nobody in this community has that display name." in response.content.decode()
