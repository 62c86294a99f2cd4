"""Kinds of thread: care conversations (built in) and the kinds other apps register.

A thread's ``kind`` says whose rules apply. Care threads ("care", the default) follow the rules
in ``access``: a service user and their care team. An app above messaging in the dependency
order registers a ``ThreadKind`` in its ``AppConfig.ready()``, as apps register notification
scopes::

    register_kind(ModerationThreads())

Messaging then asks that kind, for its threads only, who may read and write, how people are
named, what notifications say and what to show before writing; ``context_id`` means whatever
the kind says (for "moderation", a review item). Messaging keeps the rest: idempotent sending,
read marks, unread counts, live events, and ``closed_at`` (a closed thread is read-only for
everyone). A thread whose kind nobody registered fails closed: nobody reads or writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tandem.messaging.models import CARE_KIND

if TYPE_CHECKING:
    from tandem.accounts.models import User
    from tandem.messaging.models import Message, Thread

CARE = CARE_KIND


@dataclass(frozen=True)
class Panel:
    """What to show next to the reply form (and under a closed conversation): a template and
    its context, included with ``panel`` (the context) and ``closed`` (True or False)."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


class ThreadKind(Protocol):
    """The rules of one kind of thread. Messaging has checked that the person is logged in and
    active, and that the thread is of this kind, before it asks."""

    name: str

    def readable_ids(self, user: User) -> QuerySet[Any]:
        """Ids of the threads of this kind ``user`` may read, as a one-column query (used as a
        subquery by the inbox, unread counts, notification scopes and live reads)."""
        ...

    def may_read(self, user: User, thread: Thread) -> bool:
        """True when ``user`` may read ``thread`` (the same rule as ``readable_ids``)."""
        ...

    def check_can_post(self, user: User, thread: Thread) -> None:
        """Raise PermissionDenied, with a reason to show, unless ``user`` (who may read the
        open ``thread``) may write in it now."""
        ...

    def closed_reason(self, user: User, thread: Thread) -> str:
        """What ``user`` is told about ``thread`` once it is closed."""
        ...

    def display_name(self, person: User, thread: Thread, viewer: User) -> str:
        """How ``person`` (a participant or a sender) is named to ``viewer``. No queries: the
        live socket calls this for every message it renders."""
        ...

    def waiting_for_name(self, thread: Thread, viewer: User) -> str:
        """Whom ``viewer`` is told the thread waits for ("" to say nothing)."""
        ...

    def notification_title(self, thread: Thread, sender: User, recipient: User) -> str:
        """The in-portal notification's title for ``recipient`` (no message text)."""
        ...

    def panel(self, thread: Thread, viewer: User) -> Panel:
        """What ``viewer`` sees before writing, and under the thread once it is closed."""
        ...

    def message_sent(self, message: Message) -> None:
        """Called in the sending transaction after a new message is stored (not for a repeated
        client key), e.g. to write an audit entry."""
        ...


_KINDS: dict[str, ThreadKind] = {}


def register_kind(kind: ThreadKind) -> None:
    if kind.name == CARE:
        raise ValueError("Care threads are built in.")
    _KINDS[kind.name] = kind


def get_kind(name: str) -> ThreadKind | None:
    """The registered kind called ``name`` (None for care threads and unknown kinds)."""
    return _KINDS.get(name)


def other_kinds() -> list[ThreadKind]:
    """Every registered kind (care threads are not among them)."""
    return list(_KINDS.values())


def display_name(person: User | None, thread: Thread, viewer: User) -> str:
    """How ``person`` is named to ``viewer`` in ``thread``: the full name in care threads, as
    the kind says in others (a pseudonym for an unknown kind)."""
    if person is None:
        return _("A former member")
    if thread.kind == CARE:
        return person.get_full_name()
    kind = get_kind(thread.kind)
    return kind.display_name(person, thread, viewer) if kind else person.pseudonym
