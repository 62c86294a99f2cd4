"""Questionnaires through the API: answering with the pages' checks, the safety follow-up, and
that they exist only for service users."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tandem.accounts.models import Role, User
from tandem.api.tests.conftest import ApiClient, token_for
from tandem.questionnaires.models import FollowUpShown, Response

pytestmark = pytest.mark.django_db

PHQ9_ITEM9 = {str(n): 0 for n in range(1, 10)} | {"9": 1}


def _answer(client: ApiClient, answers: dict[str, int], version: int = 1, key: str = "") -> Any:
    return client.post_json(
        "/api/v1/questionnaires/phq9/responses",
        {"version": version, "answers": answers, "client_key": key or str(uuid.uuid4())},
    )


def test_the_list_and_an_instruments_questions(service_user: User) -> None:
    client = ApiClient(token_for(service_user))
    listed = client.get("/api/v1/questionnaires").json()
    assert {"phq9", "gad7", "who5"} <= {q["key"] for q in listed}
    phq9 = client.get("/api/v1/questionnaires/phq9").json()
    assert phq9["version"] == 1 and len(phq9["items"]) == 10
    assert client.get("/api/v1/questionnaires/nope").status_code == 404


def test_item_9_answered_gives_the_follow_up_once(service_user: User) -> None:
    client = ApiClient(token_for(service_user))
    key = str(uuid.uuid4())
    sent = _answer(client, PHQ9_ITEM9, key=key)
    assert sent.status_code == 201
    body = sent.json()
    assert (body["score"]["total"], body["follow_up"]) == (1, True)
    assert _answer(client, PHQ9_ITEM9, key=key).json()["id"] == body["id"]
    assert Response.objects.count() == 1
    assert FollowUpShown.objects.get().reasons == "self_harm_thoughts"
    again = client.get(f"/api/v1/questionnaires/responses/{body['id']}")
    assert again.json()["follow_up"] is True
    assert FollowUpShown.objects.count() == 1


@pytest.mark.parametrize(
    ("answers", "version", "field"),
    [
        ({str(n): 0 for n in range(1, 9)}, 1, "item_9"),  # item 9 missing
        (PHQ9_ITEM9 | {"3": 7}, 1, "item_3"),  # an answer not offered
        (PHQ9_ITEM9, 2, "version"),  # a version that is not the one in use
    ],
)
def test_bad_answers_are_400_with_the_item_named(
    answers: dict[str, int], version: int, field: str, service_user: User
) -> None:
    response = _answer(ApiClient(token_for(service_user)), answers, version)
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Response.objects.filter(submitted_at__isnull=False).exists()


def test_someone_elses_response_is_404(
    service_user: User, make_member: Callable[..., User]
) -> None:
    mine = _answer(ApiClient(token_for(service_user)), PHQ9_ITEM9).json()
    other = ApiClient(token_for(make_member(Role.SERVICE_USER)))
    assert other.get(f"/api/v1/questionnaires/responses/{mine['id']}").status_code == 404


def test_questionnaires_do_not_exist_for_people_who_are_not_service_users(provider: User) -> None:
    client = ApiClient(token_for(provider))
    assert client.get("/api/v1/questionnaires").status_code == 404
    assert _answer(client, PHQ9_ITEM9).status_code == 404
    assert not Response.objects.exists()
