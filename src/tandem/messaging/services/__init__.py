"""Every change in messaging: start a thread, send, edit, withdraw, read, be away; open and
close threads of other kinds (``messaging.kinds``). One module per topic, re-exported here for
the views, the live consumers, the API and the apps that send on a person's behalf
(``services.send_message``).

Each write happens in one transaction; live events and notifications are queued with
``transaction.on_commit``, so they are sent only for what was stored.
"""

from tandem.messaging.services.away import clear_away, set_away
from tandem.messaging.services.editing import edit_message, withdraw_message
from tandem.messaging.services.reading import mark_thread_read
from tandem.messaging.services.sending import (
    NOTIFICATION_KIND,
    SendingLimitError,
    SendResult,
    send_message,
)
from tandem.messaging.services.threads import (
    close_thread,
    open_thread,
    start_thread,
    start_thread_from_form,
)

__all__ = [
    "NOTIFICATION_KIND",
    "SendResult",
    "SendingLimitError",
    "clear_away",
    "close_thread",
    "edit_message",
    "mark_thread_read",
    "open_thread",
    "send_message",
    "set_away",
    "start_thread",
    "start_thread_from_form",
    "withdraw_message",
]
