"""The provider's side of care: the caseload (who, what each person shares, what changed since
the provider's last visit, what registered apps summarise) and the overview of one person."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from tandem.accounts.models import User
from tandem.care import modules
from tandem.care.access_record import record_access
from tandem.care.models import (
    Agreement,
    CareRelationship,
    Grant,
    JointSession,
    Outcome,
    RelationshipStatus,
)
from tandem.care.selectors import (
    MODULE_LABELS,
    Share,
    StrOrPromise,
    module_url,
    shares_of,
    with_grants,
)


@dataclass(frozen=True)
class Change:
    owner_id: int
    module: str
    label: StrOrPromise
    changed_at: datetime

    @property
    def url(self) -> str:
        return module_url(self.owner_id, self.module)


@dataclass(frozen=True)
class ModuleLines:
    """What an app said about one shared module on a caseload row (``care.modules``)."""

    owner_id: int
    module: str
    label: StrOrPromise
    lines: list[str]

    @property
    def url(self) -> str:
        return module_url(self.owner_id, self.module)


@dataclass(frozen=True)
class CaseloadEntry:
    relationship: CareRelationship
    shares: list[Share]
    # Changes in shared modules since the provider last opened this person's overview.
    changes: list[Change] = field(default_factory=list)
    # Summaries of shared modules (the latest questionnaire scores): ``with_module_summaries``.
    summaries: list[ModuleLines] = field(default_factory=list)

    @property
    def person(self) -> User:
        return self.relationship.service_user


def _changes_since(
    shares: list[Share], latest: dict[str, datetime], since: datetime | None
) -> list[Change]:
    # Only modules the provider may see: a change elsewhere is the person's business.
    return [
        Change(
            owner_id=share.owner_id,
            module=share.module,
            label=share.label,
            changed_at=latest[share.module],
        )
        for share in shares
        if share.module in latest and (since is None or latest[share.module] > since)
    ]


@dataclass(frozen=True)
class Caseload:
    entries: list[CaseloadEntry]
    # False when no app registered a module source (care.modules); the page says so.
    changes_available: bool


def caseload_for_provider(provider: User) -> Caseload:
    """The people ``provider`` works with, what each shares, and what changed since the
    provider's last visit (two queries here, plus the registered module sources')."""
    relationships = list(
        with_grants(
            CareRelationship.objects.filter(provider=provider, status=RelationshipStatus.ACTIVE)
            .select_related("service_user")
            .order_by("service_user__full_name", "service_user__pseudonym", "id")
        )
    )
    changes = modules.latest_changes([r.service_user_id for r in relationships], viewer=provider)
    latest = changes or {}
    entries = []
    for relationship in relationships:
        shares = shares_of(relationship.service_user_id, list(relationship.grants.all()))
        entries.append(
            CaseloadEntry(
                relationship=relationship,
                shares=shares,
                changes=_changes_since(
                    shares,
                    latest.get(relationship.service_user_id, {}),
                    relationship.provider_last_seen_at,
                ),
            )
        )
    return Caseload(entries=entries, changes_available=changes is not None)


def with_module_summaries(provider: User, entries: list[CaseloadEntry]) -> list[CaseloadEntry]:
    """``entries`` with what the registered module summaries (``care.modules``) say about each
    module the person shares with ``provider`` (any level above none). A summary shown is a
    read of that module, so it is written to the person's access log like a module page
    (``record_access``, once per visit). Queries: each summary's own, only when someone shares
    its module, and the access record's two (for everyone with something shown at once)."""
    found = entries
    for summary in modules.module_summaries():
        owners = [
            entry.relationship.service_user_id
            for entry in found
            if any(share.module == summary.module for share in entry.shares)
        ]
        said = summary.summarise(owners) if owners else {}
        if not said:
            continue
        updated = []
        shown_to = []
        for entry in found:
            owner_id = entry.relationship.service_user_id
            lines = said.get(owner_id) if owner_id in owners else None
            if lines:
                shown_to.append(owner_id)
                shown = ModuleLines(owner_id, summary.module, MODULE_LABELS[summary.module], lines)
                entry = replace(entry, summaries=[*entry.summaries, shown])
            updated.append(entry)
        # Each summary shown is a read of that person's module, written for all of them at once.
        record_access(provider, shown_to, summary.module, Outcome.ALLOWED)
        found = updated
    return found


@dataclass(frozen=True)
class PersonOverview:
    relationship: CareRelationship
    shares: list[Share]
    changes: list[Change]
    changes_available: bool
    agreement: Agreement | None
    open_session: JointSession | None


def person_overview(relationship: CareRelationship) -> PersonOverview:
    """What the provider's overview of one person shows; changes are counted since the
    previous visit, so call this before marking the visit."""
    grants = list(Grant.objects.filter(relationship=relationship))
    shares = shares_of(relationship.service_user_id, grants)
    changes = modules.latest_changes([relationship.service_user_id], viewer=relationship.provider)
    latest = (changes or {}).get(relationship.service_user_id, {})
    open_session = (
        JointSession.objects.filter(relationship=relationship, ended_at__isnull=True)
        .order_by("-started_at")
        .first()
    )
    return PersonOverview(
        relationship=relationship,
        shares=shares,
        changes=_changes_since(shares, latest, relationship.provider_last_seen_at),
        changes_available=changes is not None,
        agreement=Agreement.objects.filter(relationship=relationship).first(),
        open_session=open_session if open_session and open_session.is_open else None,
    )
