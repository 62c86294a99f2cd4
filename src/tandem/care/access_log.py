"""The service user's access log as plain sentences: "Pat viewed your goal “Sleep better” on
3 Dec at 14:02."

A line of the record (``AccessLogEntry``) names a module and, for a page of one item, the
item's kind and id: never its text. The title is looked up when the page is shown, so it is
the item's title today, and an item deleted since is said to be so. Care does not hold the
items (but for the joint sessions' notes): an app that does registers an ``ItemKind`` from its
``AppConfig.ready()``:

    register_item_kind(ItemKind(kind="goal", module=Module.GOALS, named=..., titles=...))

A kind nobody registered is shown as an item that cannot be named (the module is still said).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import User
from tandem.care.models import AccessAction, AccessedData, AccessLogEntry, JointSession

StrOrPromise = str | Promise


@dataclass(frozen=True)
class ItemKind:
    """Items of one kind that an app holds and lets care name in the access log.

    ``named`` is the phrase for one item with its title, "your goal “%(title)s”" (lazily
    translated). ``titles(owner_id, ids)`` returns, in one query, the title of each of ``ids``
    that still exists and is ``owner_id``'s; the others are left out.
    """

    kind: str
    module: str
    named: StrOrPromise
    titles: Callable[[int, list[int]], dict[int, str]]


_kinds: dict[str, ItemKind] = {}


def register_item_kind(kind: ItemKind) -> None:
    """Make ``kind`` known to the access log. Call from ``AppConfig.ready()``.

    Registering the same kind again is harmless; a different one under a name already taken is
    refused, so one app cannot silently rename another's items.
    """
    existing = _kinds.get(kind.kind)
    if existing is not None and existing != kind:
        raise ImproperlyConfigured(f"Two different access-log item kinds are named {kind.kind!r}.")
    _kinds[kind.kind] = kind


# Care's own item: the notes of one joint session, named by the day it began.
JOINT_SESSION = "joint_session"


def joint_session_days(owner_id: int, ids: list[int]) -> dict[int, str]:
    """The day each of ``owner_id``'s joint sessions among ``ids`` began, in the current time
    zone (one query)."""
    sessions = JointSession.objects.filter(relationship__service_user_id=owner_id, pk__in=ids).only(
        "pk", "started_at"
    )
    return {
        session.pk: date_format(timezone.localtime(session.started_at), "j M Y")
        for session in sessions
    }


JOINT_SESSION_KIND = ItemKind(
    kind=JOINT_SESSION,
    module=AccessedData.SESSION_NOTES,
    named=_("your notes from the joint session of %(title)s"),
    titles=joint_session_days,
)

# What was read, as the sentence says it to the person whose data it is.
WHAT: dict[str, StrOrPromise] = {
    AccessedData.STATUS: _("your status"),
    AccessedData.GOALS: _("your goals and activities"),
    AccessedData.MEDICATIONS: _("your medications"),
    AccessedData.NETWORK: _("your network map"),
    AccessedData.CRISIS_PLAN: _("your crisis plan"),
    AccessedData.EXERCISES: _("your exercises"),
    AccessedData.JOURNAL: _("your shared journal entries"),
    AccessedData.QUESTIONNAIRES: _("your questionnaire answers"),
    AccessedData.OVERVIEW: _("the overview of what you share"),
    AccessedData.RELATIONSHIP: _("your care relationship and agreement"),
    AccessedData.SESSION_NOTES: _("your joint session notes"),
    AccessedData.MESSAGES: _("your messages"),
}
DELETED_ITEM = _("an item that has since been deleted")
UNNAMED_ITEM = _("one item of %(what)s")
# A viewer whose account was deleted: named as deletion names them everywhere that stays
# (messages, forum, the record of changes), never by a name or pseudonym (docs/data-rights.md).
DELETED_PERSON = _("A former member")
SENTENCES: dict[str, StrOrPromise] = {
    AccessAction.VIEW: _("%(who)s viewed %(what)s on %(day)s at %(time)s."),
    AccessAction.JOINT_SESSION: _(
        "%(who)s viewed %(what)s with you in a joint session on %(day)s at %(time)s."
    ),
    AccessAction.EXPORT: _("%(who)s exported %(what)s on %(day)s at %(time)s."),
}


@dataclass(frozen=True)
class AccessLogLine:
    """One line of the page: the entry and its sentence, in the request's language and the
    person's time zone."""

    entry: AccessLogEntry
    sentence: str
    profession: str


def _when(entry: AccessLogEntry) -> tuple[str, str]:
    """The day and time of ``entry`` in the current time zone (the person's): "3 Dec", with the
    year when it is not this year's."""
    local = timezone.localtime(entry.created_at)
    this_year = timezone.localtime().year == local.year
    return date_format(local, "j M" if this_year else "j M Y"), time_format(local, "H:i")


def _item_titles(owner: User, entries: Sequence[AccessLogEntry]) -> dict[tuple[str, int], str]:
    """The titles of the items the entries name: one query per kind on the page."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        if entry.item_kind and entry.item_id is not None:
            wanted[entry.item_kind].add(entry.item_id)
    found: dict[tuple[str, int], str] = {}
    for name, ids in wanted.items():
        kind = _kinds.get(name)
        if kind is None:
            continue
        for item_id, title in kind.titles(owner.pk, sorted(ids)).items():
            found[(name, item_id)] = title
    return found


def _what(entry: AccessLogEntry, titles: dict[tuple[str, int], str]) -> str:
    module = str(WHAT.get(entry.module, entry.get_module_display()))
    if not entry.item_kind or entry.item_id is None:
        return module
    kind = _kinds.get(entry.item_kind)
    if kind is None:
        return str(UNNAMED_ITEM) % {"what": module}
    title = titles.get((entry.item_kind, entry.item_id))
    if title is None:
        return str(DELETED_ITEM)
    return str(kind.named) % {"title": title}


def lines_for_owner(owner: User, entries: Iterable[AccessLogEntry]) -> list[AccessLogLine]:
    """The sentences for ``entries`` of ``owner``'s access log (their viewers already joined):
    one query per item kind on the page, whatever the number of entries."""
    entries = list(entries)
    titles = _item_titles(owner, entries)
    lines = []
    for entry in entries:
        viewer = entry.viewer
        day, time = _when(entry)
        sentence = str(SENTENCES.get(entry.action, SENTENCES[AccessAction.VIEW])) % {
            "who": viewer.get_full_name() if viewer else str(DELETED_PERSON),
            "what": _what(entry, titles),
            "day": day,
            "time": time,
        }
        profession = viewer.profession if viewer else ""
        lines.append(AccessLogLine(entry=entry, sentence=sentence, profession=profession))
    return lines
