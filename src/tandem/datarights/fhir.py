"""The part of an export that has a FHIR form: a Bundle of a pseudonymous Patient, Goals and
MedicationStatements, and the questionnaire answers as the questionnaires app's own builder
makes them (``questionnaires.fhir``), validated by fhir.resources as it is built.

fhir.resources 8 models FHIR R4B (4.3), whose Patient, Goal and MedicationStatement are those
of R4 (4.0.1) for every element used here; the Bundle says so in ``meta.tag``.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from tandem.accounts.models import User
from tandem.questionnaires.fhir import build_bundle as questionnaire_bundle
from tandem.questionnaires.selectors import submitted_responses
from tandem.toolbox.models import Goal, GoalStatus, Medication

# Tandem's goal states, as FHIR's Goal.lifecycleStatus.
GOAL_LIFECYCLE: dict[str, str] = {
    GoalStatus.ACTIVE: "active",
    GoalStatus.ACHIEVED: "completed",
    GoalStatus.PAUSED: "on-hold",
    GoalStatus.DROPPED: "cancelled",
}


def _entry(resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": resource}


def _questionnaire_entries(user: User, subject: dict[str, str]) -> list[dict[str, Any]]:
    """The questionnaires app's own FHIR (Questionnaire, QuestionnaireResponse, Observation),
    built by its builder, the answers and scores tied to the export's Patient."""
    entries: list[dict[str, Any]] = questionnaire_bundle(submitted_responses(user)).get("entry", [])
    for entry in entries:
        if entry["resource"]["resourceType"] in {"QuestionnaireResponse", "Observation"}:
            entry["resource"]["subject"] = subject
    return entries


def build_bundle(user: User) -> dict[str, Any]:
    """Return the Bundle as JSON values; raise ``pydantic.ValidationError`` if it is invalid."""
    patient = _entry({"resourceType": "Patient", "active": True})
    subject = {"reference": patient["fullUrl"]}
    entries = [patient]
    for goal in Goal.objects.filter(owner=user).order_by("pk"):
        resource: dict[str, Any] = {
            "resourceType": "Goal",
            "lifecycleStatus": GOAL_LIFECYCLE.get(goal.status, "active"),
            "description": {"text": goal.title},
            "subject": subject,
        }
        if goal.target_date:
            resource["target"] = [{"dueDate": goal.target_date.isoformat()}]
        if goal.why:
            resource["note"] = [{"text": goal.why}]
        entries.append(_entry(resource))
    for medication in Medication.objects.filter(owner=user).order_by("pk"):
        statement: dict[str, Any] = {
            "resourceType": "MedicationStatement",
            "status": "stopped" if medication.stopped_on else "active",
            "medicationCodeableConcept": {"text": medication.name},
            "subject": subject,
        }
        if medication.dose or medication.schedule:
            statement["dosage"] = [
                {"text": " ".join(part for part in (medication.dose, medication.schedule) if part)}
            ]
        if medication.started_on:
            period = {"start": medication.started_on.isoformat()}
            if medication.stopped_on:
                period["end"] = medication.stopped_on.isoformat()
            statement["effectivePeriod"] = period
        entries.append(_entry(statement))
    entries.extend(_questionnaire_entries(user, subject))
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "meta": {"tag": [{"system": "urn:tandem:fhir-version", "code": "4.0.1"}]},
        "entry": entries,
    }
    # Validation is the point: an invalid resource stops the export rather than ship it.
    validated = Bundle.model_validate(bundle)
    result: dict[str, Any] = json.loads(validated.model_dump_json(exclude_none=True))
    return result
