"""Writing the access record: one line per visit for an allowed read, one security event per
refused request. ``care.access`` (and messaging's thread gate) call ``record_access``; nothing
else writes these tables. docs/security-access-record.md describes the record.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone

from tandem.accounts.models import User
from tandem.care.models import (
    AccessAction,
    AccessLogEntry,
    AccessVisit,
    Outcome,
    SecurityEvent,
)
from tandem.core.request_id import current_request


@dataclass(frozen=True)
class ItemRef:
    """One item of a module that was read: its kind, as the app holding it registered it with
    ``care.access_log`` ("goal", "journal_entry"), and its id. Never its text."""

    kind: str
    id: int


def visit_length() -> timedelta:
    return timedelta(minutes=settings.TANDEM_ACCESS_VISIT_MINUTES)


def _starting_visits(
    viewer_id: int,
    owner_ids: list[int],
    what: str,
    action: str,
    item: ItemRef | None,
    now: datetime,
) -> set[int]:
    """Claim a new visit of ``viewer_id`` to each owner's item (or module page); the owners for
    whom this read starts one: there was none, or the last began at least ``visit_length()`` ago.

    One statement for all of them (an upsert that only rewrites a visit old enough, and returns
    a row only when it inserted or rewrote), so two loads at the same moment cannot both start a
    visit: the unique constraint and the row lock decide, on SQLite and PostgreSQL alike. The
    ORM has no conditional upsert; the statement is the same on both databases.
    """
    table = connection.ops.quote_name(AccessVisit._meta.db_table)
    columns = "viewer_id, owner_id, module, action, item_kind, item_id"
    rows = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(owner_ids))
    sql = (
        f"INSERT INTO {table} ({columns}, started_at) VALUES {rows} "  # noqa: S608 - the table name is ours; values are parameters
        f"ON CONFLICT ({columns}) DO UPDATE SET started_at = excluded.started_at "
        f"WHERE {table}.started_at <= %s RETURNING owner_id"
    )
    started_at = connection.ops.adapt_datetimefield_value(now)
    params: list[int | str | datetime | None] = []
    for owner_id in owner_ids:
        params += [
            viewer_id,
            owner_id,
            what,
            action,
            item.kind if item else "",
            item.id if item else 0,
            started_at,
        ]
    params.append(connection.ops.adapt_datetimefield_value(now - visit_length()))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {owner_id for (owner_id,) in cursor.fetchall()}


def record_access(
    viewer: User | AnonymousUser,
    owner_id: int | Collection[int] | None,
    what: str,
    outcome: str,
    *,
    action: str = AccessAction.VIEW,
    item: ItemRef | None = None,
) -> None:
    """Write what a gate decided: ``viewer`` read (or was refused) ``owner_id``'s ``what`` (an
    ``AccessedData`` value), and for a page of one item, which ``item``.

    A person's reads of their own data, and anonymous requests, are not recorded. An allowed
    read goes to the owner's access log once per visit: reading the same item (or module page)
    again the same way within ``settings.TANDEM_ACCESS_VISIT_MINUTES`` of its line adds none. A
    refused one becomes a ``SecurityEvent`` for the organisation admins, once per request.
    ``owner_id`` is None when the object asked for does not exist. An allowed read of one
    module of several people on one page (the caseload's summaries) gives all their ids: two
    statements for any number of them. The request id and path come from ``core.request_id``
    (blank outside a request).
    """
    if not viewer.is_authenticated:
        return
    assert isinstance(viewer, User)  # noqa: S101 - authenticated above
    if owner_id is not None and not isinstance(owner_id, int):
        owners = sorted({owner for owner in owner_id if owner != viewer.pk})
        assert outcome == Outcome.ALLOWED  # noqa: S101 - a refusal is about one object asked for
    elif owner_id == viewer.pk:
        return
    else:
        owners = [] if owner_id is None else [owner_id]
    context = current_request()
    request_id = context.request_id if context else ""
    if outcome == Outcome.ALLOWED:
        assert owner_id is not None  # noqa: S101 - an allowed read always has an owner
        if not owners:
            return
        now = timezone.now()
        # The visit and its line commit together: a visit claimed without its line would hide
        # the read. No savepoint: a failure here fails the request's transaction anyway.
        with transaction.atomic(savepoint=False):
            starting = _starting_visits(viewer.pk, owners, what, action, item, now)
            AccessLogEntry.objects.bulk_create(
                AccessLogEntry(
                    owner_id=owner,
                    viewer=viewer,
                    module=what,
                    item_kind=item.kind if item else "",
                    item_id=item.id if item else None,
                    action=action,
                    outcome=Outcome.ALLOWED,
                    request_id=request_id,
                    created_at=now,
                )
                for owner in owners
                if owner in starting
            )
        return
    assert not isinstance(owner_id, Collection)  # noqa: S101 - a single object, as above
    if context is not None:
        if context.refusal_recorded:
            return
        context.refusal_recorded = True
    SecurityEvent.objects.create(
        viewer=viewer,
        owner_id=owner_id,
        what=what,
        path=context.path if context else "",
        request_id=request_id,
    )


def refuse(viewer: User | AnonymousUser, owner_id: int | None, what: str) -> Http404:
    """Record a refused read and return the Http404 to raise: ``raise refuse(...)``."""
    record_access(viewer, owner_id, what, Outcome.REFUSED)
    return Http404()
