"""Triage on the provider's caseload: who has waited longest for a reply, unread messages,
reply times that have passed, agreements due for review, last contact.

Messages are messaging's, and care never imports messaging: messaging registers a *message
source* from its ``AppConfig.ready()`` (``register_message_source``), as the toolbox registers
its module source (``care.modules``). With no source registered the caseload still works and
says that messages cannot be shown. Agreements are care's own: a review is due at
``Agreement.review_due_at`` (the version's review date, or ``review_every_weeks`` after the
terms were accepted).

Every fact is about the provider's own conversations with people on their active caseload;
the source is asked only about those people.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from tandem.accounts.models import User
from tandem.care.caseload import (
    Caseload,
    CaseloadEntry,
    caseload_for_provider,
    with_module_summaries,
)
from tandem.care.models import Agreement, CareRelationship, RelationshipStatus

# An agreement always sets a reply time; this covers a relationship whose agreement is missing.
DEFAULT_REPLY_DAYS = 2


@dataclass(frozen=True)
class MessageFacts:
    """What a message source knows about one person's conversations with the provider."""

    unread: int = 0
    # When the oldest message still waiting for the care team was sent, and where it is.
    waiting_since: datetime | None = None
    waiting_url: str = ""
    # The last message between the two, from either side.
    last_contact_at: datetime | None = None


@dataclass(frozen=True)
class MessageSource:
    """``facts(provider, owner_ids)`` returns ``MessageFacts`` per owner id (leaving out
    people with nothing to say) in a fixed number of queries; ``new_message_url(owner_id)`` is
    where the provider starts a conversation with that person."""

    name: str
    facts: Callable[[User, list[int]], dict[int, MessageFacts]]
    new_message_url: Callable[[int], str]


_source: dict[str, MessageSource] = {}


def register_message_source(source: MessageSource) -> None:
    """Make ``source`` known to care (from ``AppConfig.ready()``); only one may be registered,
    so another app cannot silently replace messaging's."""
    existing = next(iter(_source.values()), None)
    if existing is not None and existing != source:
        raise ImproperlyConfigured("A message source is already registered.")
    _source[source.name] = source


def add_working_days(start: datetime, days: int) -> datetime:
    """``start`` plus ``days`` working days (Monday to Friday) in the current time zone: the
    agreement promises replies "within N working days"."""
    current = timezone.localtime(start)
    added = 0
    while added < days:
        current += timedelta(days=1)
        if current.weekday() < 5:
            added += 1
    return current


@dataclass(frozen=True)
class TriageRow:
    entry: CaseloadEntry
    facts: MessageFacts
    # When the agreed reply time for the oldest waiting message runs or ran out.
    reply_due_at: datetime | None
    overdue: bool
    review_due_at: datetime | None
    review_due: bool
    message_url: str

    @property
    def person(self) -> User:
        return self.entry.person


@dataclass(frozen=True)
class Counts:
    people: int
    unread: int
    people_with_unread: int
    waiting: int
    overdue: int
    reviews_due: int


SORTS = ("attention", "name", "unread", "waiting", "review", "contact")
_FAR = datetime.max.replace(tzinfo=timezone.get_fixed_timezone(0))
_NEVER = datetime.min.replace(tzinfo=timezone.get_fixed_timezone(0))


def _sort_key(sort: str) -> Callable[[TriageRow], Any]:
    def name(row: TriageRow) -> tuple[str, str, int]:
        return (row.person.full_name.casefold(), row.person.pseudonym.casefold(), row.person.pk)

    keys: dict[str, Callable[[TriageRow], Any]] = {
        # Overdue first (longest wait first), then anyone waiting, then unread, then reviews.
        "attention": lambda r: (
            not r.overdue,
            r.facts.waiting_since or _FAR,
            -r.facts.unread,
            not r.review_due,
            name(r),
        ),
        "name": name,
        "unread": lambda r: (-r.facts.unread, name(r)),
        "waiting": lambda r: (r.facts.waiting_since or _FAR, name(r)),
        "review": lambda r: (r.review_due_at or _FAR, name(r)),
        # Least recent contact first: who has not heard from anyone longest.
        "contact": lambda r: (r.facts.last_contact_at or _NEVER, name(r)),
    }
    return keys[sort]


@dataclass(frozen=True)
class CaseloadTriage:
    caseload: Caseload
    rows: list[TriageRow]
    counts: Counts
    sort: str
    # False when no app registered a message source; the page says messages cannot be shown.
    messages_available: bool


def _rows(
    provider: User, entries: list[CaseloadEntry], agreements: dict[int, Agreement]
) -> tuple[list[TriageRow], bool]:
    source = next(iter(_source.values()), None)
    owner_ids = [entry.relationship.service_user_id for entry in entries]
    facts = source.facts(provider, owner_ids) if source is not None and owner_ids else {}
    now = timezone.now()
    rows = []
    for entry in entries:
        found = facts.get(entry.relationship.service_user_id, MessageFacts())
        agreement = agreements.get(entry.relationship.pk)
        reply_due = None
        if found.waiting_since is not None:
            days = agreement.reply_within_days if agreement else DEFAULT_REPLY_DAYS
            reply_due = add_working_days(found.waiting_since, days)
        review_due = agreement.review_due_at if agreement is not None else None
        rows.append(
            TriageRow(
                entry=entry,
                facts=found,
                reply_due_at=reply_due,
                overdue=reply_due is not None and reply_due <= now,
                review_due_at=review_due,
                review_due=review_due is not None and review_due <= now,
                message_url=source.new_message_url(entry.relationship.service_user_id)
                if source is not None
                else "",
            )
        )
    return rows, source is not None


def caseload_triage(provider: User, *, sort: str = "attention") -> CaseloadTriage:
    """The provider's caseload with each person's triage facts, sorted by ``sort`` (one of
    ``SORTS``; anything else is "attention"). The caseload's queries, one for the agreements
    and the message source's: the same number for 5 people or 500."""
    sort = sort if sort in SORTS else "attention"
    caseload = caseload_for_provider(provider)
    # The caseload page's rows carry the shared modules' summaries (logged as reads).
    caseload = replace(caseload, entries=with_module_summaries(provider, caseload.entries))
    agreements = {
        agreement.relationship_id: agreement
        for agreement in Agreement.objects.filter(
            relationship__provider=provider, relationship__status=RelationshipStatus.ACTIVE
        ).select_related("version")
    }
    rows, available = _rows(provider, caseload.entries, agreements)
    rows.sort(key=_sort_key(sort))
    counts = Counts(
        people=len(rows),
        unread=sum(row.facts.unread for row in rows),
        people_with_unread=sum(1 for row in rows if row.facts.unread),
        waiting=sum(1 for row in rows if row.facts.waiting_since is not None),
        overdue=sum(1 for row in rows if row.overdue),
        reviews_due=sum(1 for row in rows if row.review_due),
    )
    return CaseloadTriage(
        caseload=caseload, rows=rows, counts=counts, sort=sort, messages_available=available
    )


def person_triage(
    relationship: CareRelationship, agreement: Agreement | None
) -> tuple[TriageRow, bool]:
    """The same facts for one person, for their overview page (the source's queries only).
    Return the row and whether messages could be shown."""
    entry = CaseloadEntry(relationship=relationship, shares=[])
    agreements = {relationship.pk: agreement} if agreement is not None else {}
    (row,), available = _rows(relationship.provider, [entry], agreements)
    return row, available
