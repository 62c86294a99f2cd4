"""The FHIR download: a valid R4(B) Bundle of the person's own responses and scores."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client
from fhir.resources.R4B.bundle import Bundle

from tandem.accounts.models import Role, User
from tandem.questionnaires.tests.factories import make_response

pytestmark = pytest.mark.django_db


def test_fhir_export_is_a_valid_bundle_of_own_responses(
    service_user: User, make_member: Callable[..., User], logged_in: Callable[[User], Client]
) -> None:
    make_response(service_user, "phq9", value=2)
    make_response(service_user, "who5", value=3)
    make_response(service_user, "gad7", {"1": 1})  # incomplete: exported, not scored
    make_response(make_member(Role.SERVICE_USER), "gad7", value=3)
    response = logged_in(service_user).get("/questionnaires/export/fhir/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    data = json.loads(response.content)
    Bundle.model_validate(data)
    kinds = [entry["resource"]["resourceType"] for entry in data["entry"]]
    assert kinds.count("Questionnaire") == 3
    assert kinds.count("QuestionnaireResponse") == 3
    assert kinds.count("Observation") == 2
    scores = {
        e["resource"]["code"]["text"]: e["resource"]["valueInteger"]
        for e in data["entry"]
        if e["resource"]["resourceType"] == "Observation"
    }
    assert scores == {"PHQ-9 score": 18, "WHO-5 score": 60}
    phq9 = next(
        e["resource"]
        for e in data["entry"]
        if e["resource"]["resourceType"] == "QuestionnaireResponse"
        and "phq9" in e["resource"]["questionnaire"]
    )
    assert phq9["item"][0]["answer"][0]["valueCoding"]["display"] == "More than half the days"


def test_fhir_export_is_only_for_service_users(
    provider: User, logged_in: Callable[[User], Client]
) -> None:
    assert logged_in(provider).get("/questionnaires/export/fhir/").status_code == 404
