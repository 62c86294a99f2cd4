"""A saved copy of every organisation's crisis contacts, for when the database is down.

The crisis page must answer when nothing else does, so the copy lives neither in the database
nor in Redis (either may be the thing that is down): it is a JSON file on this host
(``settings.TANDEM_CRISIS_CACHE_FILE``, replaced atomically) and a copy in each process's
memory.

Kept fresh two ways:

* on change: saving or deleting a ``CrisisContact`` or an ``Organisation`` rewrites the whole
  copy from the database once the transaction commits (``refresh``);
* on read: every successful normal read of an organisation's contacts
  (``selectors.crisis_contacts_for_organisation``) and of the public organisation updates that
  entry when it differs, without any extra query (``remember_organisation``,
  ``remember_public_organisation``). On a deployment with several hosts, a change rewrites the
  file of the host that made it; every other host brings its own file up to date at its next
  successful read of those contacts.

Several processes on one host share the file: writes take an exclusive lock on a lock file
beside it and merge entry by entry (the newest ``saved_at`` wins), and a process that serves a
saved copy first re-reads the file if another process has changed it. Nothing here ever raises
into a page: a copy that cannot be written or read is logged and the process's memory serves.

The copy holds only what the crisis page shows (organisation names and their published crisis
lines), nothing about any person.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from tandem.accounts.models import CrisisContact, Organisation

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
# A writer that cannot get the lock within this time leaves the file alone: the entry stays
# in its memory and the next read that differs tries again. Pages never wait longer.
LOCK_WAIT_SECONDS = 0.5


@dataclass(frozen=True)
class SavedContact:
    """One crisis line, with the fields (and names) of ``CrisisContact`` the page shows."""

    name: str
    phone: str = ""
    text_number: str = ""
    url: str = ""
    description: str = ""
    hours: str = ""

    @classmethod
    def from_contact(cls, contact: CrisisContact) -> SavedContact:
        return cls(
            name=contact.name,
            phone=contact.phone,
            text_number=contact.text_number,
            url=contact.url,
            description=contact.description,
            hours=contact.hours,
        )


@dataclass(frozen=True)
class SavedOrganisation:
    id: int
    name: str
    contacts: tuple[SavedContact, ...]
    saved_at: datetime

    def same_as(self, other: SavedOrganisation | None) -> bool:
        return other is not None and (self.name, self.contacts) == (other.name, other.contacts)


@dataclass(frozen=True)
class CrisisCopy:
    """Everything in the file. ``refreshed_at`` is the last full rewrite from the database:
    an entry older than it that the rewrite left out belonged to a deleted organisation."""

    organisations: Mapping[int, SavedOrganisation] = field(default_factory=dict)
    public_organisation_id: int | None = None
    public_saved_at: datetime | None = None
    refreshed_at: datetime | None = None

    def public_organisation(self) -> SavedOrganisation | None:
        if self.public_organisation_id is None:
            return None
        return self.organisations.get(self.public_organisation_id)


# --- The file ------------------------------------------------------------------------------


def _to_json(copy: CrisisCopy) -> dict[str, Any]:
    return {
        "version": FORMAT_VERSION,
        "refreshed_at": copy.refreshed_at.isoformat() if copy.refreshed_at else None,
        "public_organisation_id": copy.public_organisation_id,
        "public_saved_at": copy.public_saved_at.isoformat() if copy.public_saved_at else None,
        "organisations": {
            str(org.id): {
                "name": org.name,
                "saved_at": org.saved_at.isoformat(),
                "contacts": [contact.__dict__ for contact in org.contacts],
            }
            for org in sorted(copy.organisations.values(), key=lambda org: org.id)
        },
    }


def _when(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def _from_json(data: Any) -> CrisisCopy:
    """The copy in ``data``; raises ValueError (or a KeyError/TypeError) when it is not one."""
    if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
        raise ValueError("not a crisis contacts copy of this version")
    organisations: dict[int, SavedOrganisation] = {}
    for key, entry in data["organisations"].items():
        saved_at = _when(entry["saved_at"])
        if saved_at is None:
            raise ValueError("an organisation without saved_at")
        organisations[int(key)] = SavedOrganisation(
            id=int(key),
            name=str(entry["name"]),
            contacts=tuple(
                SavedContact(**{name: str(value) for name, value in contact.items()})
                for contact in entry["contacts"]
            ),
            saved_at=saved_at,
        )
    public_id = data.get("public_organisation_id")
    return CrisisCopy(
        organisations=organisations,
        public_organisation_id=int(public_id) if public_id is not None else None,
        public_saved_at=_when(data.get("public_saved_at")),
        refreshed_at=_when(data.get("refreshed_at")),
    )


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """What tells one version of the file from another without reading it."""
    try:
        status = path.stat()
    except OSError:
        return None
    return (status.st_mtime_ns, status.st_size, status.st_ino)


def _read_file(path: Path) -> CrisisCopy | None:
    try:
        with path.open(encoding="utf-8") as handle:
            return _from_json(json.load(handle))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        logger.warning("The saved crisis contacts in %s cannot be read; ignoring them", path)
        return None


def _write_file(path: Path, copy: CrisisCopy) -> None:
    """Write to a temporary file beside ``path`` and rename it over: a reader sees the old
    file or the new one, never half of one, even if this process dies mid-write."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(_to_json(copy), handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)  # nothing private in it; readable by the operator's tools
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[bool]:
    """Hold an exclusive lock for a read-modify-write of ``path``; yields False when another
    process held it for longer than LOCK_WAIT_SECONDS (the caller then leaves the file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() > deadline:
                    yield False
                    return
                time.sleep(0.01)
                continue
            try:
                yield True
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
            return


def _merge(older: CrisisCopy, newer: CrisisCopy) -> CrisisCopy:
    """Entry by entry, the most recently saved wins; entries a later full refresh left out
    are dropped (their organisation was deleted)."""
    refreshed_at = max(
        (at for at in (older.refreshed_at, newer.refreshed_at) if at is not None), default=None
    )
    organisations: dict[int, SavedOrganisation] = {}
    for org in (*older.organisations.values(), *newer.organisations.values()):
        kept = organisations.get(org.id)
        if kept is None or org.saved_at >= kept.saved_at:
            organisations[org.id] = org
    latest_full = newer if newer.refreshed_at == refreshed_at else older
    if refreshed_at is not None:
        organisations = {
            org_id: org
            for org_id, org in organisations.items()
            if org.saved_at > refreshed_at or org_id in latest_full.organisations
        }
    public = max(
        (older, newer),
        key=lambda copy: copy.public_saved_at or datetime.min.replace(tzinfo=UTC),
    )
    return CrisisCopy(
        organisations=organisations,
        public_organisation_id=public.public_organisation_id,
        public_saved_at=public.public_saved_at,
        refreshed_at=refreshed_at,
    )


# --- The process's memory ------------------------------------------------------------------


class _Memory:
    """This process's copy, for the file at ``path`` (a test may point the setting elsewhere)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.path: Path | None = None
        self.copy = CrisisCopy()
        self.stamp: tuple[int, int, int] | None = None

    def current(self) -> CrisisCopy:
        """The copy to serve: the file when another process has changed it, merged with what
        this process knows; only memory when the file cannot be read."""
        path = Path(settings.TANDEM_CRISIS_CACHE_FILE)
        with self.lock:
            if path != self.path:
                self.path, self.copy, self.stamp = path, CrisisCopy(), None
            stamp = _stamp(path)
            if stamp is not None and stamp != self.stamp:
                on_disk = _read_file(path)
                if on_disk is not None:
                    self.copy = _merge(on_disk, self.copy)
                self.stamp = stamp
            return self.copy

    def update(self, change: CrisisCopy, *, authoritative: bool = False) -> None:
        """Fold ``change`` into memory and the file. ``authoritative``: ``change`` is a full
        read of the database and replaces everything older than it."""
        path = Path(settings.TANDEM_CRISIS_CACHE_FILE)
        with self.lock:
            if path != self.path:
                self.path, self.copy, self.stamp = path, CrisisCopy(), None
            self.copy = change if authoritative else _merge(self.copy, change)
            try:
                with _file_lock(path) as locked:
                    if not locked:
                        logger.info("Crisis contacts copy busy; %s left for the next read", path)
                        return
                    on_disk = _read_file(path)
                    merged = self.copy if on_disk is None else _merge(on_disk, self.copy)
                    _write_file(path, merged)
                    self.copy, self.stamp = merged, _stamp(path)
            except OSError:
                logger.exception("Could not write the saved crisis contacts to %s", path)


_memory = _Memory()


def saved_copy() -> CrisisCopy:
    """The copy to show when the database cannot be read. Never touches the database."""
    return _memory.current()


def forget_memory() -> None:
    """Drop this process's memory (tests; the file stays)."""
    global _memory
    _memory = _Memory()


# --- Keeping it fresh ----------------------------------------------------------------------


def _saved_organisation(
    organisation: Organisation, contacts: Iterable[CrisisContact], now: datetime
) -> SavedOrganisation:
    return SavedOrganisation(
        id=organisation.pk,
        name=organisation.name,
        contacts=tuple(SavedContact.from_contact(contact) for contact in contacts),
        saved_at=now,
    )


def remember_organisation(organisation: Organisation, contacts: Iterable[CrisisContact]) -> None:
    """A normal read of ``organisation``'s contacts succeeded: keep it if it differs. No query."""
    try:
        saved = _saved_organisation(organisation, contacts, timezone.now())
        if saved.same_as(_memory.current().organisations.get(saved.id)):
            return
        _memory.update(CrisisCopy(organisations={saved.id: saved}))
    except Exception:  # a page must never fail because its contacts could not be kept
        logger.exception("Could not keep the crisis contacts of organisation %s", organisation.pk)


def remember_public_organisation(organisation: Organisation | None) -> None:
    """A normal read of which organisation visitors see succeeded: keep it. No query."""
    try:
        public_id = organisation.pk if organisation is not None else None
        current = _memory.current()
        if current.public_saved_at is not None and current.public_organisation_id == public_id:
            return
        _memory.update(CrisisCopy(public_organisation_id=public_id, public_saved_at=timezone.now()))
    except Exception:
        logger.exception("Could not keep which organisation visitors see")


def refresh() -> CrisisCopy:
    """Rewrite the whole copy from the database (two queries) and return it."""
    # Imported here: the selectors import this module to keep what they read.
    from tandem.accounts.selectors import public_organisation_among

    now = timezone.now()
    by_organisation: dict[int, list[CrisisContact]] = {}
    for contact in CrisisContact.objects.order_by("organisation_id", "position", "id"):
        by_organisation.setdefault(contact.organisation_id, []).append(contact)
    organisations = list(Organisation.objects.order_by("id").only("id", "name"))
    public = public_organisation_among(organisations)
    copy = CrisisCopy(
        organisations={
            org.pk: _saved_organisation(org, by_organisation.get(org.pk, ()), now)
            for org in organisations
        },
        public_organisation_id=public.pk if public is not None else None,
        public_saved_at=now,
        refreshed_at=now,
    )
    _memory.update(copy, authoritative=True)
    return _memory.current()


def _refresh_after_commit() -> None:
    refresh()


def schedule_refresh() -> None:
    """Refresh once the current transaction commits (at once outside one), and only once per
    transaction however many contacts it changed: replacing 20 contacts is 40 signals."""
    connection = transaction.get_connection()
    if any(callback is _refresh_after_commit for _, callback, _ in connection.run_on_commit):
        return
    # robust: a copy that cannot be written is logged; it never undoes or fails the change.
    transaction.on_commit(_refresh_after_commit, robust=True)


@receiver(post_save, sender=CrisisContact, dispatch_uid="crisis_cache_contact_saved")
@receiver(post_delete, sender=CrisisContact, dispatch_uid="crisis_cache_contact_deleted")
@receiver(post_save, sender=Organisation, dispatch_uid="crisis_cache_organisation_saved")
@receiver(post_delete, sender=Organisation, dispatch_uid="crisis_cache_organisation_deleted")
def _contacts_changed(sender: type[Any], **kwargs: Any) -> None:
    schedule_refresh()
