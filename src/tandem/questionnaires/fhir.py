"""A person's questionnaire answers as FHIR: one Questionnaire per instrument answered and a
QuestionnaireResponse per submitted response (with its total as an Observation), in a
``collection`` Bundle validated by fhir.resources as it is built.

fhir.resources 8 models FHIR R4B (4.3), whose Questionnaire, QuestionnaireResponse and
Observation are those of R4 (4.0.1) for every element used here; ``meta.tag`` says so, as in
the data export (datarights/fhir.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from tandem.questionnaires.instruments import Instrument
from tandem.questionnaires.selectors import ScoredResponse

SYSTEM = "urn:tandem:questionnaire"
LOINC = "http://loinc.org"
# The LOINC codes of the totals that have one (issue 16): a receiving system files the score
# under the measure it knows. Other totals (WHO-5, QPR-15, the portal's own questionnaires) keep
# a text code only: we name no code we have not checked.
LOINC_TOTALS = {
    "phq9": ("44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]"),
    "gad7": ("70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]"),
}


def _total_code(instrument: Instrument) -> dict[str, Any]:
    """``Observation.code`` for ``instrument``'s total: the LOINC coding where one exists (never
    for a custom instrument, whatever its key), and always the text."""
    code: dict[str, Any] = {"text": f"{instrument.title} score"}
    loinc = None if instrument.custom else LOINC_TOTALS.get(instrument.key)
    if loinc is not None:
        code["coding"] = [{"system": LOINC, "code": loinc[0], "display": loinc[1]}]
    return code


def _questionnaire(instrument: Instrument) -> dict[str, Any]:
    return {
        "resourceType": "Questionnaire",
        "id": f"{instrument.key}-v{instrument.version}",
        "url": f"{SYSTEM}:{instrument.key}",
        "version": str(instrument.version),
        "name": instrument.key.upper().replace("-", "_"),  # FHIR names: letters, digits, _
        "title": instrument.name,
        "status": "active",
        "copyright": instrument.attribution,
        "item": [
            {
                "linkId": item.key,
                "text": item.text,
                "type": "choice",
                "required": item.scored,
                "answerOption": [
                    {
                        "valueCoding": {
                            "system": f"{SYSTEM}:{instrument.key}:answer",
                            "code": str(option.value),
                            "display": option.label,
                        }
                    }
                    for option in item.options
                ],
            }
            for item in instrument.items
        ],
    }


def _response(item: ScoredResponse) -> list[dict[str, Any]]:
    instrument, answers = item.instrument, item.response.answers
    assert item.submitted_at is not None  # noqa: S101 - only submitted responses are exported
    options = {i.key: {o.value: o.label for o in i.options} for i in instrument.items}
    response_id = f"response-{item.pk}"
    resources: list[dict[str, Any]] = [
        {
            "resourceType": "QuestionnaireResponse",
            "id": response_id,
            "questionnaire": f"{SYSTEM}:{instrument.key}|{instrument.version}",
            "status": "completed",
            "authored": item.submitted_at.isoformat(),
            "item": [
                {
                    "linkId": key,
                    "answer": [
                        {
                            "valueCoding": {
                                "system": f"{SYSTEM}:{instrument.key}:answer",
                                "code": str(value),
                                "display": options[key][value],
                            }
                        }
                    ],
                }
                for key, value in sorted(answers.items(), key=lambda pair: int(pair[0]))
                if key in options and value in options[key]
            ],
        }
    ]
    if item.score.value is not None:
        resources.append(
            {
                "resourceType": "Observation",
                "id": f"score-{item.pk}",
                "status": "final",
                "code": _total_code(instrument),
                "effectiveDateTime": item.submitted_at.isoformat(),
                "valueInteger": item.score.value,
                "derivedFrom": [{"reference": f"QuestionnaireResponse/{response_id}"}],
                **(
                    {"interpretation": [{"text": item.score.band.label}]} if item.score.band else {}
                ),
            }
        )
    return resources


def build_bundle(history: Sequence[ScoredResponse]) -> dict[str, Any]:
    """The Bundle of ``history`` (all of a person's responses, or one) as JSON values, with
    the Questionnaire of each instrument answered; raise ``pydantic.ValidationError`` if it is
    invalid."""
    instruments = {item.instrument.key: item.instrument for item in history}
    resources = [_questionnaire(instrument) for instrument in instruments.values()]
    for item in history:
        resources.extend(_response(item))
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "meta": {"tag": [{"system": "urn:tandem:fhir-version", "code": "4.0.1"}]},
        "entry": [
            {"fullUrl": f"{SYSTEM}:{r['resourceType']}/{r['id']}", "resource": r} for r in resources
        ],
    }
    # Validation is the point: an invalid resource stops the export rather than ship it.
    validated = Bundle.model_validate(bundle)
    result: dict[str, Any] = json.loads(validated.model_dump_json(exclude_none=True))
    return result
