"""Migration 0004 moves the old one-way moderator messages into moderation threads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tandem.accounts.models import User
from tandem.forum.models import Category, Post
from tandem.forum.tests.conftest import make_topic, reply
from tandem.messaging.models import Message, Participant, Thread
from tandem.moderation import services
from tandem.moderation.models import ReportReason, ReviewItem
from tandem.moderation.outreach.threads import KIND, legacy_client_key

# Requested by name so that the flush after the test may clear the append-only audit log.
pytestmark = pytest.mark.usefixtures("transactional_db")

BEFORE = [("moderation", "0003_escalation")]


def _migrate(targets: list[tuple[str, str]] | None = None) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor


def test_old_messages_become_threads_one_per_review_item(
    otter: User, skylark: User, mo: User, category: Category
) -> None:
    topic = make_topic(skylark, category, title="Hard nights")
    open_post: Post = reply(otter, topic, "Everyone here is useless.")
    resolved_post: Post = reply(otter, topic, "Nobody listens.")
    for post in (open_post, resolved_post):
        services.report_post(reporter=skylark, post=post, reason=ReportReason.HARASSMENT)
    open_item = ReviewItem.objects.get(post=open_post)
    resolved_item = ReviewItem.objects.get(post=resolved_post)
    services.approve_item(moderator=mo, item=resolved_item, reason="Fine")

    executor = _migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("moderation", "ModeratorMessage")
    now = timezone.now()
    first = old.objects.create(
        community_id=category.community_id,
        recipient_id=otter.pk,
        sender_id=mo.pk,
        post_id=open_post.pk,
        body="How are you?",
        created_at=now,
        read_at=now,
    )
    second = old.objects.create(
        community_id=category.community_id,
        recipient_id=otter.pk,
        sender_id=mo.pk,
        post_id=open_post.pk,
        body="Still here if you want to talk.",
        created_at=now + timedelta(minutes=1),
    )
    about_resolved = old.objects.create(
        community_id=category.community_id,
        recipient_id=otter.pk,
        sender_id=mo.pk,
        post_id=resolved_post.pk,
        body="Thanks for changing it.",
        created_at=now,
    )
    _migrate()

    open_thread = Thread.objects.get(kind=KIND, context_id=open_item.pk)
    assert open_thread.service_user_id == otter.pk and open_thread.closed_at is None
    messages = list(Message.objects.filter(thread=open_thread).order_by("pk"))
    assert [m.body for m in messages] == ["How are you?", "Still here if you want to talk."]
    assert [m.client_key for m in messages] == [
        legacy_client_key(first.pk),
        legacy_client_key(second.pk),
    ]
    # Encrypted at rest, like every messaging body.
    with connection.cursor() as cursor:
        table = Message._meta.db_table
        cursor.execute(f"SELECT body FROM {table} WHERE id = %s", [messages[0].pk])  # noqa: S608
        assert "How are you" not in cursor.fetchone()[0]
    readers = dict(
        Participant.objects.filter(thread=open_thread).values_list(
            "user_id", "last_read_message_id"
        )
    )
    # Otter had read the first message; Mo joined by writing.
    assert readers == {otter.pk: messages[0].pk, mo.pk: messages[1].pk}

    closed = Thread.objects.get(kind=KIND, context_id=resolved_item.pk)
    assert closed.closed_at is not None
    assert Message.objects.get(thread=closed).client_key == legacy_client_key(about_resolved.pk)
