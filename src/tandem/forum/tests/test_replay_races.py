"""Two submits of one form really racing, on PostgreSQL (SQLite runs one writing transaction
at a time, so they cannot race there): one post, screened once, whichever wins."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from tandem.accounts.models import User
from tandem.forum import replays, services
from tandem.forum.models import Category, Post, Topic, Visibility
from tandem.forum.tests.conftest import make_topic
from tandem.moderation import posting

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="races need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def _race(monkeypatch: pytest.MonkeyPatch, meet_before: str, job: Callable[[], Any]) -> int:
    """Run ``job`` in two threads that meet just before ``meet_before`` (a function of
    ``replays``), past their first look for a stored post; return how many posts were
    screened."""
    meeting = threading.Barrier(2, timeout=10)
    meet = getattr(replays, meet_before)

    def met(*args: Any, **kwargs: Any) -> Any:
        meeting.wait()
        return meet(*args, **kwargs)

    monkeypatch.setattr(replays, meet_before, met)
    screen = posting.screen_published_post
    screened: list[int] = []

    def counted(**kwargs: Any) -> Any:
        screened.append(kwargs["post"].pk)
        return screen(**kwargs)

    monkeypatch.setattr(posting, "screen_published_post", counted)
    results: list[Any] = []

    def run() -> None:
        try:
            results.append(job())
        except Exception as error:  # reported by the assertions below
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results) == 2
    assert results[0] == results[1], results
    return len(screened)


@pytest.mark.parametrize("with_draft", [False, True], ids=["new", "from a draft"])
def test_two_replies_with_one_key_racing(
    member: Callable[..., User],
    category: Category,
    monkeypatch: pytest.MonkeyPatch,
    with_draft: bool,
) -> None:
    author = member()
    topic = make_topic(member(), category)
    if with_draft:
        services.save_reply_draft(author=author, topic=topic, body="typing")
    key = uuid.uuid4()

    def reply() -> Post:
        fresh = Topic.objects.select_related("community").get(pk=topic.pk)
        return services.reply_to_topic(author=author, topic=fresh, body="Hi", client_key=key)

    assert _race(monkeypatch, "lock_draft_reply", reply) == 1
    assert Post.objects.filter(topic=topic, is_opening=False).count() == 1
    assert Topic.objects.get(pk=topic.pk).reply_count == 1


@pytest.mark.parametrize("with_draft", [False, True], ids=["new", "from a draft"])
def test_two_new_topics_with_one_key_racing(
    member: Callable[..., User],
    category: Category,
    monkeypatch: pytest.MonkeyPatch,
    with_draft: bool,
) -> None:
    author = member()
    community = category.community
    draft = None
    if with_draft:
        draft = services.save_topic_draft(
            author=author, community=community, category=category, title="Sleep", body="b"
        )
    key = uuid.uuid4()

    def publish() -> Topic:
        return services.create_topic(
            author=author,
            community=community,
            category=category,
            title="Sleep",
            body="Awake again.",
            draft=Topic.objects.get(pk=draft.pk) if draft else None,
            client_key=key,
        )

    # From a draft, the two meet before the lock on it; new topics meet before storing.
    meet_before = "lock_draft_topic" if with_draft else "save_once"
    assert _race(monkeypatch, meet_before, publish) == 1
    assert Topic.objects.get().visibility == Visibility.COMMUNITY
    assert Post.objects.count() == 1
