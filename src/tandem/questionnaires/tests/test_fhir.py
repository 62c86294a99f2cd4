"""The FHIR download: a valid R4(B) Bundle of the person's own responses and scores."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from fhir.resources.R4B.bundle import Bundle

from tandem.accounts.models import Role, User
from tandem.conftest import login_client
from tandem.questionnaires.models import Response
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


def _observations(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "Observation"]


def test_totals_are_coded_with_loinc_where_a_code_exists_and_as_text_otherwise(
    service_user: User, logged_in: Callable[[User], Client]
) -> None:
    for key in ("phq9", "gad7", "who5", "qpr15"):
        make_response(service_user, key, value=1)
    data = json.loads(logged_in(service_user).get("/questionnaires/export/fhir/").content)
    Bundle.model_validate(data)
    codes = {o["code"]["text"]: o["code"].get("coding") for o in _observations(data)}
    assert codes["PHQ-9 score"] == [
        {
            "system": "http://loinc.org",
            "code": "44261-6",
            "display": "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]",
        }
    ]
    assert codes["GAD-7 score"] is not None
    assert [(c["system"], c["code"]) for c in codes["GAD-7 score"]] == [
        ("http://loinc.org", "70274-6")
    ]
    assert codes["WHO-5 score"] is None and codes["QPR-15 score"] is None


def test_one_response_exports_alone_as_a_valid_bundle(
    service_user: User, logged_in: Callable[[User], Client]
) -> None:
    make_response(service_user, "phq9", value=2)
    wanted = make_response(service_user, "gad7", value=3)
    response = logged_in(service_user).get(f"/questionnaires/responses/{wanted.pk}/fhir/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    assert f"questionnaire-response-{wanted.pk}-fhir.json" in response["Content-Disposition"]
    data = json.loads(response.content)
    bundle = Bundle.model_validate(data)
    assert bundle.entry is not None
    kinds = [entry["resource"]["resourceType"] for entry in data["entry"]]
    assert kinds == ["Questionnaire", "QuestionnaireResponse", "Observation"]
    (score,) = _observations(data)
    assert score["valueInteger"] == 21
    assert score["code"]["coding"][0]["code"] == "70274-6"
    assert score["derivedFrom"] == [{"reference": f"QuestionnaireResponse/response-{wanted.pk}"}]


def test_one_response_export_has_the_gate_of_the_response(
    service_user: User,
    provider: User,
    make_member: Callable[..., User],
    client_factory: Callable[[], Client],
) -> None:
    mine = make_response(service_user, "phq9")
    draft = make_response(service_user, "gad7")
    Response.objects.filter(pk=draft.pk).update(submitted_at=None)
    path = f"/questionnaires/responses/{mine.pk}/fhir/"
    assert client_factory().get(path).status_code == 302  # anonymous: to sign in
    for someone in (make_member(Role.SERVICE_USER), provider):
        assert login_client(client_factory(), someone).get(path).status_code == 404
    owner = login_client(client_factory(), service_user)
    assert owner.get(f"/questionnaires/responses/{draft.pk}/fhir/").status_code == 404
    assert owner.get("/questionnaires/responses/999999/fhir/").status_code == 404
    assert owner.get(path).status_code == 200
