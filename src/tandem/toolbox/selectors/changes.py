"""When something last changed in each module, for the provider's caseload
(registered with ``care.modules`` in ``ToolboxConfig.ready()``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.db.models import Max, Model

from tandem.accounts.models import User
from tandem.care.models import Module, RelationshipStatus
from tandem.toolbox.models import (
    Activity,
    CrisisPlan,
    ExercisePractice,
    Goal,
    JournalShare,
    Medication,
    NetworkMember,
    StatusRating,
)


def _merge(
    into: dict[int, dict[str, datetime]],
    module: str,
    rows: Iterable[tuple[int, datetime | None]],
) -> None:
    for owner_id, changed_at in rows:
        if changed_at is None:
            continue
        current = into[owner_id].get(module)
        if current is None or changed_at > current:
            into[owner_id][module] = changed_at


def _latest_by_owner(
    model: type[Model], time_field: str, owner_ids: list[int]
) -> list[tuple[int, datetime | None]]:
    rows = (
        model._default_manager.filter(owner_id__in=owner_ids)
        .values_list("owner_id")
        .annotate(latest=Max(time_field))
        .order_by()
    )
    return [(int(owner_id), latest) for owner_id, latest in rows]


def latest_changes(
    owner_ids: list[int], *, provider: User | None = None
) -> dict[int, dict[str, datetime]]:
    """Per owner, per ``care.Module`` value, when something in that module last changed.

    Owners or modules with nothing in them are left out. Eight queries, whatever the number
    of owners. For the journal only shared entries count (the time of sharing or of the last
    edit); pass ``provider`` to count only entries shared with that provider, so nobody learns
    of entries shared with someone else. The caller decides which modules a viewer may see.
    """
    if not owner_ids:
        return {}
    found: dict[int, dict[str, datetime]] = defaultdict(dict)
    sources: list[tuple[str, type[Model], str]] = [
        (Module.STATUS, StatusRating, "created_at"),
        (Module.GOALS, Goal, "updated_at"),
        (Module.GOALS, Activity, "updated_at"),
        (Module.MEDICATIONS, Medication, "updated_at"),
        (Module.NETWORK, NetworkMember, "updated_at"),
        (Module.CRISIS_PLAN, CrisisPlan, "updated_at"),
        (Module.EXERCISES, ExercisePractice, "practised_at"),
    ]
    for module, model, time_field in sources:
        _merge(found, module, _latest_by_owner(model, time_field, owner_ids))
    shares = JournalShare.objects.filter(
        entry__owner_id__in=owner_ids, relationship__status=RelationshipStatus.ACTIVE
    )
    if provider is not None:
        shares = shares.filter(relationship__provider=provider)
    journal = (
        shares.values_list("entry__owner_id")
        .annotate(shared=Max("shared_at"), edited=Max("entry__updated_at"))
        .order_by()
    )
    _merge(
        found,
        Module.JOURNAL,
        [(int(owner_id), max(shared, edited)) for owner_id, shared, edited in journal],
    )
    return dict(found)
