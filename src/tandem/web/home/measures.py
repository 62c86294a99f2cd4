"""Questionnaire answers as "changes" on the provider's home.

The toolbox tells ``care`` when its modules change (``care.modules``); questionnaires do not
(yet), so the home reads their latest submissions itself, for people who share the module
with this provider, and adds them to the caseload's changes. If questionnaires register a
module source later, the change is already there and is not added twice.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from django.db.models import Max

from tandem.care.caseload import CaseloadEntry, Change
from tandem.care.models import Module
from tandem.care.selectors import MODULE_LABELS
from tandem.questionnaires.models import Response


def _latest_submissions(owner_ids: list[int]) -> dict[int, datetime]:
    """When each owner last submitted a questionnaire (one query)."""
    rows = (
        Response.objects.filter(owner_id__in=owner_ids, submitted_at__isnull=False)
        .values_list("owner_id")
        .annotate(latest=Max("submitted_at"))
        .order_by()
    )
    return {int(owner_id): latest for owner_id, latest in rows if latest is not None}


def with_measures(entries: list[CaseloadEntry]) -> list[CaseloadEntry]:
    """``entries`` with a questionnaires change for each person who shares the module with
    the provider and submitted one since the provider's last visit (one query, none when
    nobody shares it)."""
    module = Module.QUESTIONNAIRES.value
    sharing = {
        e.relationship.service_user_id
        for e in entries
        if any(share.module == module for share in e.shares)
        and not any(change.module == module for change in e.changes)
    }
    if not sharing:
        return entries
    latest = _latest_submissions(sorted(sharing))
    found = []
    for entry in entries:
        owner_id = entry.relationship.service_user_id
        since = entry.relationship.provider_last_seen_at
        changed_at = latest.get(owner_id) if owner_id in sharing else None
        if changed_at is not None and (since is None or changed_at > since):
            change = Change(
                owner_id=owner_id, module=module, label=MODULE_LABELS[module], changed_at=changed_at
            )
            entry = dataclasses.replace(entry, changes=[*entry.changes, change])
        found.append(entry)
    return found
