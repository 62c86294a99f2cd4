"""A study's data for analysis elsewhere: CSV files in a zip, or one JSON document.

Both hold the same things: the events of the people taking part (pseudonym, role, module,
action, hour, reply wait), the aggregate tables with every count from 1 to 4 shown as "< 5",
and a data dictionary. Nothing anyone wrote, no name, no email address, no forum display name
and no id of anything in Tandem is ever read here: the export is built from ``ResearchEvent``
and ``Consent`` columns listed below, and from nothing else.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from tandem.research import selectors
from tandem.research.cells import suppressed
from tandem.research.models import Study

DATA_DICTIONARY: tuple[tuple[str, str, str], ...] = (
    (
        "events",
        "participant",
        "The participant's pseudonym in this study: a keyed hash, the same in every export of the study, different in every other study.",
    ),
    ("events", "role", "service_user or provider, as the person took part."),
    (
        "events",
        "module",
        "The part of Tandem: status, goals, activities, medications, network, crisis_plan, exercises, journal, messaging, forum, questionnaires, courses, care_team, portal.",
    ),
    (
        "events",
        "action",
        "visit, post, reaction, message_sent, message_read, goal_changed, checkin_answered, joint_session, login; unanswered: a service user's message still without their care team's reply when the agreement's reply time ran out (at that hour, once per wait).",
    ),
    ("events", "hour", "When, in UTC, rounded down to the hour (ISO 8601)."),
    (
        "events",
        "wait_hours",
        "For a provider's reply only: hours the service user had waited since their message.",
    ),
    (
        "events",
        "late",
        "For a provider's reply only: true if the wait was longer than the agreement's reply time (working days); empty without an agreement.",
    ),
    ("modules", "module", "As in events."),
    (
        "modules",
        "service_user_visits, provider_visits",
        'Pages of the module opened, per role. Counts from 1 to 4 are shown as "< 5".',
    ),
    (
        "modules",
        "service_user_postings, provider_postings",
        'Things put into the module (posts, messages sent, goal changes, check-ins answered, joint sessions), per role. Counts from 1 to 4 are shown as "< 5".',
    ),
    ("weekly", "week", "The Monday the week starts on."),
    (
        "weekly",
        "service_users, providers",
        'Participants with at least one event that week. Counts from 1 to 4 are shown as "< 5".',
    ),
)

EVENT_FIELDS = ("participant", "role", "module", "action", "hour", "wait_hours", "late")
MODULE_FIELDS = (
    "module",
    "service_user_visits",
    "provider_visits",
    "service_user_postings",
    "provider_postings",
)
WEEK_FIELDS = ("week", "service_users", "providers")


@dataclass(frozen=True)
class StudyExport:
    study: Study
    exported_at: datetime
    participants: int
    events: list[dict[str, Any]]
    modules: list[dict[str, Any]]
    weeks: list[dict[str, Any]]


def _event_rows(study: Study) -> Iterator[dict[str, Any]]:
    rows = (
        selectors.events_of_participants(study)
        .order_by("hour", "pseudonym", "id")
        .values_list("pseudonym", "role", "module", "action", "hour", "wait_hours", "late")
    )
    for pseudonym, role, module, action, hour, wait_hours, late in rows.iterator(chunk_size=2000):
        yield {
            "participant": pseudonym,
            "role": role,
            "module": module,
            "action": action,
            "hour": hour.astimezone(UTC).strftime("%Y-%m-%dT%H:00Z"),
            "wait_hours": wait_hours,
            "late": late,
        }


def build_export(study: Study) -> StudyExport:
    """Everything one export holds, read in four queries."""
    return StudyExport(
        study=study,
        exported_at=timezone.now(),
        participants=selectors.consents_taking_part(study).count(),
        events=list(_event_rows(study)),
        modules=[
            {
                "module": row.module,
                "service_user_visits": suppressed(row.service_user_visits),
                "provider_visits": suppressed(row.provider_visits),
                "service_user_postings": suppressed(row.service_user_postings),
                "provider_postings": suppressed(row.provider_postings),
            }
            for row in selectors.module_table(study)
        ],
        weeks=[
            {
                "week": row.week.isoformat(),
                "service_users": suppressed(row.service_users),
                "providers": suppressed(row.providers),
            }
            for row in selectors.weekly_participation(study)
        ],
    )


def _about(export: StudyExport) -> dict[str, Any]:
    study = export.study
    return {
        "title": study.title,
        "ethics_reference": study.ethics_reference,
        "start_date": study.start_date.isoformat(),
        "end_date": study.end_date.isoformat(),
        "synthetic": study.synthetic,
        "exported_at": export.exported_at.astimezone(UTC).isoformat(),
        "participants": export.participants,
    }


def as_json(export: StudyExport) -> bytes:
    document = {
        "study": _about(export),
        "data_dictionary": [
            {"table": table, "field": field, "meaning": meaning}
            for table, field, meaning in DATA_DICTIONARY
        ],
        "tables": {"modules": export.modules, "weekly": export.weeks},
        "events": export.events,
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def _csv(fields: tuple[str, ...], rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def as_zip(export: StudyExport) -> bytes:
    """events.csv, modules.csv, weekly.csv, data_dictionary.csv and study.json in one zip."""
    dictionary = [
        {"table": table, "field": field, "meaning": meaning}
        for table, field, meaning in DATA_DICTIONARY
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("events.csv", _csv(EVENT_FIELDS, export.events))
        archive.writestr("modules.csv", _csv(MODULE_FIELDS, export.modules))
        archive.writestr("weekly.csv", _csv(WEEK_FIELDS, export.weeks))
        archive.writestr("data_dictionary.csv", _csv(("table", "field", "meaning"), dictionary))
        archive.writestr("study.json", json.dumps(_about(export), indent=1))
    return buffer.getvalue()
