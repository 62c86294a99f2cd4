"""The live socket for messaging: new messages in open threads and the unread count.

Authentication comes from the session cookie (``AuthMiddlewareStack`` in ``tandem.asgi``); the
client never names a user. A client subscribes to a thread with the last message id it has;
the thread gate runs before joining, and every read after that repeats the participant check.
Events on the channel layer carry ids only; this consumer reads the messages itself.

Frames are small JSON objects (at most ``MAX_FRAME_CHARS`` characters, nested at most
``MAX_FRAME_DEPTH`` deep, checked before parsing). Anything else gets an ``error`` frame and the
socket stays open.

Each socket also checks the database itself: without a channel layer shared between processes
(the in-memory default, where pages are served by another process) every ``POLL_SECONDS``; with
Redis every ``SAFETY_POLL_SECONDS`` or so (a safety net for an event that never came), every
``POLL_SECONDS`` while Redis does not answer, and at once when it is back (``layer.LayerWatch``:
events published meanwhile were lost, so each socket catches up by the last id it sent). A
socket opened while Redis is away is accepted all the same (``layer.RedisLayer``).

One person holds at most ``settings.TANDEM_WS_MAX_SOCKETS_PER_PERSON`` sockets on one process
(one per open tab); another is accepted and closed at once with ``CLOSE_TOO_MANY`` (4429),
which leaves everyone else's sockets alone.

One event reaches every socket of a thread (or of a person) in this process at about the same
time; ``SharedReads`` lets them share one database read per event instead of one each, and
each socket still checks its own right to read against what that read returned. That sharing
is for care threads, where a participant row is the right to read; a thread of another kind
(``messaging.kinds``) has few readers, and each socket reads with that kind's rule.

When a thread is closed, each socket watching it sends its person the reason (``closed``
frames are about the socket itself; this one is ``thread_closed``).

A socket lives no longer than the session it was opened with: it closes when that session ends
(logout, "log out everywhere", password change, a switched-off account), reaches the idle or
absolute time limit, or when the person's roles require two-step verification they have not
set up.

The consumer is put together from one class per topic, each building on ``outbound``:

    outbound.py      the socket's state and everything it sends
    polling.py       its own reads of the database (the poll and the catch-up)
    connection.py    connecting, the session behind the socket, closing; sockets per person
    inbound.py       frames from the client
    layer_events.py  events from the channel layer and the layer watch
"""

from __future__ import annotations

from tandem.messaging.consumers.connection import CLOSE_TOO_MANY, ConnectionConsumer
from tandem.messaging.consumers.inbound import InboundConsumer
from tandem.messaging.consumers.layer_events import LayerEventsConsumer
from tandem.messaging.shared_reads import SharedReads
from tandem.messaging.socket_session import (
    CLOSE_TWO_STEP_REQUIRED,
    CLOSE_UNAUTHENTICATED,
    CLOSE_UNVERIFIED,
)

__all__ = [
    "CLOSE_TOO_MANY",
    "CLOSE_TWO_STEP_REQUIRED",
    "CLOSE_UNAUTHENTICATED",
    "CLOSE_UNVERIFIED",
    "MessagingConsumer",
    "SharedReads",
]


class MessagingConsumer(InboundConsumer, LayerEventsConsumer, ConnectionConsumer):
    """The live socket of ``/ws/messaging/`` (``messaging.routing``)."""
