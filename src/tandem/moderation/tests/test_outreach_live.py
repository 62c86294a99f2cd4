"""Reaching out, live: the moderation thread on messaging's socket (the same consumer, events
and test helpers as care messaging)."""

from __future__ import annotations

import json
import uuid

import pytest
from channels.db import database_sync_to_async

from tandem.accounts.models import User
from tandem.forum.models import Category, Post
from tandem.forum.tests.conftest import make_topic, reply
from tandem.messaging import services as messaging_services
from tandem.messaging.models import Message, Thread
from tandem.messaging.tests.test_consumers import communicator, receive, run
from tandem.moderation import services
from tandem.moderation.models import ReportReason, ReviewItem

# Requested by name so that the flush after each test may clear the append-only audit log
# (``tandem.conftest._let_flush_clear_the_audit_log``): moderators' messages are audited.
pytestmark = pytest.mark.usefixtures("transactional_db")


@pytest.fixture
def item(otter: User, skylark: User, category: Category) -> ReviewItem:
    topic = make_topic(skylark, category, title="Hard nights", body="Nights are the worst.")
    post: Post = reply(otter, topic, "Everyone here is useless and so am I.")
    services.report_post(reporter=skylark, post=post, reason=ReportReason.HARASSMENT)
    return ReviewItem.objects.select_related("community", "post", "post__author").get(post=post)


def _reach_out(mo: User, item: ReviewItem, body: str) -> Message:
    return services.reach_out(moderator=mo, item=item, body=body, client_key=uuid.uuid4()).message


def _answer(otter: User, thread: Thread, body: str) -> Message:
    return messaging_services.send_message(
        sender=otter, thread=thread, body=body, client_key=uuid.uuid4()
    ).message


def _approve(mo: User, item: ReviewItem) -> None:
    services.approve_item(moderator=mo, item=item, reason="Otter is all right.")


async def _subscribe(socket: object, thread: Thread, after: int = 0) -> None:
    await socket.send_to(  # type: ignore[attr-defined]
        text_data=json.dumps({"type": "subscribe", "thread": thread.pk, "after": after})
    )
    await receive(socket, "subscribed")  # type: ignore[arg-type]


def test_a_moderators_message_reaches_the_authors_socket(
    otter: User, mo: User, item: ReviewItem
) -> None:
    first = _reach_out(mo, item, "Hello Otter.")
    thread = Thread.objects.get(pk=first.thread_id)

    async def scenario() -> None:
        socket = communicator(otter)
        assert (await socket.connect())[0]
        assert (await receive(socket, "unread"))["count"] == 1
        await _subscribe(socket, thread, after=first.pk)
        message = await database_sync_to_async(_reach_out)(mo, item, "Are you safe tonight?")
        frame = await receive(socket, "messages")
        assert [m["id"] for m in frame["messages"]] == [message.pk]
        html = frame["messages"][0]["html"]
        assert "Are you safe tonight?" in html and "Moderator Mo" in html
        assert (await receive(socket, "unread"))["count"] == 2
        await socket.disconnect()

    run(scenario)


def test_the_answer_reaches_the_moderator_by_pseudonym_and_closing_reaches_both(
    otter: User, mo: User, item: ReviewItem
) -> None:
    first = _reach_out(mo, item, "Hello Otter.")
    thread = Thread.objects.get(pk=first.thread_id)

    async def scenario() -> None:
        mo_socket, otter_socket = communicator(mo), communicator(otter)
        assert (await mo_socket.connect())[0] and (await otter_socket.connect())[0]
        await receive(mo_socket, "unread")
        await receive(otter_socket, "unread")
        await _subscribe(mo_socket, thread, after=first.pk)
        await _subscribe(otter_socket, thread, after=first.pk)
        await database_sync_to_async(_answer)(otter, thread, "I'm OK, thank you.")
        html = (await receive(mo_socket, "messages"))["messages"][0]["html"]
        assert "OK, thank you" in html and "Otter" in html and otter.full_name not in html
        await database_sync_to_async(_approve)(mo, item)
        for socket, words in ((otter_socket, "finished looking"), (mo_socket, "resolved")):
            frame = await receive(socket, "thread_closed")
            assert frame["thread"] == thread.pk and words in frame["reason"]
        await mo_socket.disconnect()
        await otter_socket.disconnect()

    run(scenario)


@pytest.mark.parametrize("who", ["skylark", "ada", "provider"])
def test_people_who_may_not_read_cannot_subscribe(
    request: pytest.FixtureRequest, mo: User, item: ReviewItem, who: str
) -> None:
    thread = Thread.objects.get(pk=_reach_out(mo, item, "Private words").thread_id)
    user = request.getfixturevalue(who)

    async def scenario() -> None:
        socket = communicator(user)
        assert (await socket.connect())[0]
        await receive(socket, "unread")
        await socket.send_to(text_data=json.dumps({"type": "subscribe", "thread": thread.pk}))
        frame = await receive(socket)
        assert frame["type"] == "error" and frame["code"] == "not_found"
        await database_sync_to_async(_reach_out)(mo, item, "Still private")
        assert await socket.receive_nothing(timeout=0.5)
        await socket.disconnect()

    run(scenario)
