"""Live events over the channel layer, sent only after the data they announce is committed.

Events carry ids, never content: each socket reads what it may see from the database after the
event arrives, so nothing about a message passes through Redis, and a lost event loses nothing
(the next event, a poll or a reconnect asks for everything after the last id seen).
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def thread_group(thread_id: int) -> str:
    return f"messaging.thread.{thread_id}"


def user_group(user_id: int) -> str:
    return f"messaging.user.{user_id}"


def _send(group: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except Exception:
        # The message is stored already; sockets catch up on their next event or reconnect.
        logger.warning("Could not publish a live messaging event", exc_info=True)


def publish_thread_changed(
    *, thread_id: int, message_id: int, user_ids: list[int], changed: bool = False
) -> None:
    """After commit: tell sockets watching the thread that a message is new (or changed), and
    each person's sockets that their unread count may have changed."""

    def send() -> None:
        _send(
            thread_group(thread_id),
            {
                "type": "thread.changed",
                "thread": thread_id,
                "message": message_id,
                "changed": changed,
            },
        )
        for user_id in user_ids:
            _send(user_group(user_id), {"type": "unread.changed"})

    transaction.on_commit(send)


def publish_unread_changed(*, user_id: int) -> None:
    """After commit: the person's unread count changed (they read something elsewhere)."""
    transaction.on_commit(lambda: _send(user_group(user_id), {"type": "unread.changed"}))
