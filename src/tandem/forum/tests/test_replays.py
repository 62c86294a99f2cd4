"""A replayed reply or new topic (a double submit, a retry after a dropped connection) is
published once: the form's client key finds the stored post (``forum/replays.py``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import IntegrityError
from django.test import Client

from tandem.accounts.models import User
from tandem.conftest import login_client
from tandem.forum import replays, services
from tandem.forum.models import Category, Community, Post, Topic, Visibility
from tandem.forum.tests.conftest import make_topic
from tandem.moderation import posting
from tandem.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def hooks(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """Count the moderation hooks each publish runs (they still do their work)."""
    calls = {"check_before_publish": 0, "screen_published_post": 0}
    for name in calls:
        real = getattr(posting, name)

        def counted(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            calls[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(posting, name, counted)
    yield calls


def _key(response: Any, form: str) -> str:
    return str(response.context[form]["client_key"].value())


def _fresh(topic: Topic) -> Topic:
    return Topic.objects.select_related("community").get(pk=topic.pk)


def test_each_form_shown_carries_a_fresh_key_without_javascript(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    topic = make_topic(member(), category)
    login_client(client, member())
    first = client.get(f"/topics/{topic.pk}/")
    second = client.get(f"/topics/{topic.pk}/")
    assert _key(first, "reply_form") != _key(second, "reply_form")
    assert f'name="client_key" value="{_key(first, "reply_form")}"' in first.content.decode()
    create = client.get(f"/communities/{category.community_id}/topics/create/")
    assert 'type="hidden" name="client_key"' in create.content.decode()


def test_replaying_a_reply_stores_it_once_and_sends_both_to_it(
    client: Client, member: Callable[..., User], category: Category, hooks: dict[str, int]
) -> None:
    writer, watcher = member(), member()
    topic = make_topic(watcher, category)
    login_client(client, writer)
    key = _key(client.get(f"/topics/{topic.pk}/"), "reply_form")
    data = {"body": "Same here, most nights.", "client_key": key, "action": "publish"}
    calls_before = dict(hooks)
    first = client.post(f"/topics/{topic.pk}/reply/", data)
    second = client.post(f"/topics/{topic.pk}/reply/", data)
    post = Post.objects.get(topic=topic, is_opening=False)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/topics/{topic.pk}/#post-{post.pk}"
    assert post.client_key == uuid.UUID(key)
    topic.refresh_from_db()
    assert topic.reply_count == 1
    assert Notification.objects.filter(recipient=watcher, kind="forum.reply").count() == 1
    # The replay ran no moderation hook: no rate limit counted it, no screening again.
    assert hooks["check_before_publish"] == calls_before["check_before_publish"] + 1
    assert hooks["screen_published_post"] == calls_before["screen_published_post"] + 1


def test_replaying_the_publish_of_a_draft_reply_stores_it_once(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    author = member()
    topic = make_topic(member(), category)
    login_client(client, author)
    client.post(f"/topics/{topic.pk}/draft/", {"body": "typing…"})
    key = _key(client.get(f"/topics/{topic.pk}/"), "reply_form")
    data = {"body": "Typed, and sent.", "client_key": key, "action": "publish"}
    first = client.post(f"/topics/{topic.pk}/reply/", data)
    second = client.post(f"/topics/{topic.pk}/reply/", data)
    assert first["Location"] == second["Location"]
    mine = Post.objects.get(topic=topic, author=author)
    assert (mine.is_draft, mine.body) == (False, "Typed, and sent.")
    assert _fresh(topic).reply_count == 1


def test_replaying_a_new_topic_stores_it_once_and_sends_both_to_it(
    client: Client, member: Callable[..., User], category: Category, hooks: dict[str, int]
) -> None:
    login_client(client, member())
    path = f"/communities/{category.community_id}/topics/create/"
    key = _key(client.get(path), "form")
    data = {
        "category": str(category.pk),
        "title": "Bad nights",
        "body": "Three nights awake.",
        "client_key": key,
        "action": "publish",
    }
    first = client.post(path, data)
    second = client.post(path, data)
    topic = Topic.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/topics/{topic.pk}/"
    assert topic.posts.get().client_key == uuid.UUID(key)
    assert hooks == {"check_before_publish": 1, "screen_published_post": 1}


def test_replaying_the_publish_of_a_draft_topic_stores_it_once(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    login_client(client, member())
    path = f"/communities/{category.community_id}/topics/create/"
    data = {"category": str(category.pk), "title": "Half", "body": "a thought", "action": "draft"}
    draft_page = client.get(client.post(path, data)["Location"])
    draft = Topic.objects.get()
    data.update(
        title="Whole",
        draft=str(draft.pk),
        client_key=_key(draft_page, "form"),
        action="publish",
    )
    first = client.post(path, data)
    second = client.post(path, data)  # the draft is no draft any more
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/topics/{draft.pk}/"
    assert Topic.objects.get().visibility == Visibility.COMMUNITY
    # Without the key that published it, a published draft is not found.
    data["client_key"] = str(uuid.uuid4())
    assert client.post(path, data).status_code == 404


def test_a_key_is_its_authors_own(
    client_factory: Callable[[], Client], member: Callable[..., User], category: Category
) -> None:
    topic = make_topic(member(), category)
    key = str(uuid.uuid4())
    for person in (member(), member()):
        client = login_client(client_factory(), person)
        response = client.post(f"/topics/{topic.pk}/reply/", {"body": "Me too.", "client_key": key})
        assert response.status_code == 302
    assert Post.objects.filter(topic=topic, client_key=key).count() == 2


def test_a_form_without_a_key_still_posts(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    """Pages shown before keys existed (and seeds, benchmark data) have none."""
    topic = make_topic(member(), category)
    login_client(client, member())
    for _ in range(2):
        assert client.post(f"/topics/{topic.pk}/reply/", {"body": "Hi"}).status_code == 302
    assert Post.objects.filter(topic=topic, is_opening=False, client_key=None).count() == 2


# --- Two submits racing past the first look (service level) --------------------------------


def first_look_misses(monkeypatch: pytest.MonkeyPatch) -> None:
    """The second submit's first look finds nothing, as when both submits ask at once: only
    the unique constraint can stop it."""
    real = replays.stored_post
    looks: list[uuid.UUID | None] = []

    def missing_once(author: User, client_key: uuid.UUID | None) -> Post | None:
        looks.append(client_key)
        return None if len(looks) == 1 else real(author, client_key)

    monkeypatch.setattr(replays, "stored_post", missing_once)


def test_a_reply_racing_its_twin_returns_the_stored_post(
    member: Callable[..., User],
    category: Category,
    monkeypatch: pytest.MonkeyPatch,
    hooks: dict[str, int],
) -> None:
    author, watcher = member(), member()
    topic = make_topic(watcher, category)
    key = uuid.uuid4()
    stored = services.reply_to_topic(author=author, topic=_fresh(topic), body="Hi", client_key=key)
    screened = hooks["screen_published_post"]
    first_look_misses(monkeypatch)
    again = services.reply_to_topic(author=author, topic=_fresh(topic), body="Hi", client_key=key)
    assert again == stored
    assert Post.objects.filter(topic=topic, is_opening=False).count() == 1
    assert _fresh(topic).reply_count == 1
    assert hooks["screen_published_post"] == screened
    assert Notification.objects.filter(recipient=watcher, kind="forum.reply").count() == 1


def test_a_new_topic_racing_its_twin_returns_the_stored_topic(
    member: Callable[..., User], category: Category, monkeypatch: pytest.MonkeyPatch
) -> None:
    author = member()
    key = uuid.uuid4()
    community = Community.objects.get(pk=category.community_id)

    def publish() -> Topic:
        return services.create_topic(
            author=author,
            community=community,
            category=category,
            title="Sleep",
            body="Awake again.",
            client_key=key,
        )

    stored = publish()
    first_look_misses(monkeypatch)
    assert publish() == stored
    assert Topic.objects.count() == 1  # the second topic's rows were rolled back
    assert Post.objects.count() == 1


def test_save_once_lets_other_integrity_errors_through(member: Callable[..., User]) -> None:
    def broken() -> Post:
        raise IntegrityError("not about the key")

    with pytest.raises(IntegrityError):
        replays.save_once(member(), uuid.uuid4(), broken)
    with pytest.raises(IntegrityError):
        replays.save_once(member(), None, broken)
