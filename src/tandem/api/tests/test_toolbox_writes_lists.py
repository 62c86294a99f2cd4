"""Changing one's own medications, network map and crisis plan through the API: the pages'
forms and services, the owner only, the answers as the reads give them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tandem.accounts.models import User
from tandem.api.tests.conftest import ApiClient, token_for
from tandem.care.models import AccessLogEntry, CareRelationship, Grant, Level, Module, SecurityEvent
from tandem.toolbox.models import CrisisPlan, Medication, NetworkMember
from tandem.toolbox.tests.factories import (
    CrisisPlanFactory,
    MedicationFactory,
    NetworkMemberFactory,
)

pytestmark = pytest.mark.django_db


def _url(owner: User, path: str) -> str:
    return f"/api/v1/people/{owner.pk}/{path}"


def _send(client: ApiClient, method: str, path: str, data: object | None = None) -> Any:
    return getattr(client, method)(path, data, content_type="application/json")


def test_the_owner_adds_changes_stops_and_removes_a_medication(service_user: User) -> None:
    client = ApiClient(token_for(service_user))
    today = timezone.localdate()
    made = client.post_json(
        _url(service_user, "medications"),
        {"name": " Sertraline ", "dose": "50 mg", "started_on": str(today - timedelta(days=9))},
    )
    assert made.status_code == 201, made.content
    medication = made.json()
    assert (medication["name"], medication["dose"], medication["current"]) == (
        "Sertraline",
        "50 mg",
        True,
    )
    stopped = _send(
        client,
        "put",
        _url(service_user, f"medications/{medication['id']}"),
        {
            "name": "Sertraline",
            "dose": "100 mg",
            "started_on": str(today - timedelta(days=9)),
            "stopped_on": str(today - timedelta(days=1)),
        },
    )
    assert stopped.status_code == 200, stopped.content
    assert (stopped.json()["dose"], stopped.json()["current"]) == ("100 mg", False)
    listed = client.get(_url(service_user, "medications")).json()
    assert listed == [stopped.json()]  # the read and the answer are the same shape
    gone = client.delete(_url(service_user, f"medications/{medication['id']}"))
    assert gone.status_code == 204
    assert not Medication.objects.exists()


def test_a_stop_before_the_start_is_refused_naming_the_field(service_user: User) -> None:
    client = ApiClient(token_for(service_user))
    today = timezone.localdate()
    refused = client.post_json(
        _url(service_user, "medications"),
        {
            "name": "Lithium",
            "started_on": str(today - timedelta(days=1)),
            "stopped_on": str(today - timedelta(days=5)),
        },
    )
    assert refused.status_code == 400
    assert "stopped_on" in refused.json()["fields"]
    future = client.post_json(
        _url(service_user, "medications"),
        {"name": "Lithium", "started_on": str(today + timedelta(days=3))},
    )
    assert future.status_code == 400 and "started_on" in future.json()["fields"]
    assert client.post_json(_url(service_user, "medications"), {"name": ""}).status_code == 400
    assert not Medication.objects.exists()


def test_the_owner_maps_changes_and_removes_someone_on_the_network(service_user: User) -> None:
    client = ApiClient(token_for(service_user))
    made = client.post_json(
        _url(service_user, "network"), {"name": "Mum", "circle": "inner", "contact": "0123"}
    )
    assert made.status_code == 201, made.content
    member = made.json()
    assert (member["name"], member["circle"], member["quality"]) == ("Mum", "inner", "supportive")
    changed = _send(
        client,
        "put",
        _url(service_user, f"network/{member['id']}"),
        {"name": "Mum", "circle": "middle", "quality": "mixed"},
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["circle"], changed.json()["contact"]) == ("middle", "")
    assert client.get(_url(service_user, "network")).json()["items"] == [changed.json()]
    bad = client.post_json(_url(service_user, "network"), {"name": "X", "circle": "far"})
    assert bad.status_code in (400, 422)
    assert client.delete(_url(service_user, f"network/{member['id']}")).status_code == 204
    assert client.get(_url(service_user, "network")).json()["items"] == []
    # Kept for the toolbox's undo, as on the page.
    assert NetworkMember.all_objects.filter(pk=member["id"]).exists()


def test_the_owner_writes_sections_of_the_crisis_plan_and_the_rest_keep_theirs(
    service_user: User,
) -> None:
    CrisisPlanFactory.create(owner=service_user, warning_signs="Not sleeping")
    client = ApiClient(token_for(service_user))
    path = _url(service_user, "crisis-plan")
    written = _send(client, "patch", path, {"sections": {"coping_alone": " A walk \n Music "}})
    assert written.status_code == 200, written.content
    texts = {s["key"]: s["text"] for s in written.json()["sections"]}
    assert texts["warning_signs"] == "Not sleeping"
    assert texts["coping_alone"] == "A walk \n Music"
    assert client.get(path).json() == written.json()
    unknown = _send(client, "patch", path, {"sections": {"lucky_numbers": "7"}})
    assert unknown.status_code == 400 and "sections" in unknown.json()["fields"]
    too_long = _send(client, "patch", path, {"sections": {"coping_alone": "x" * 3001}})
    assert too_long.status_code in (400, 422)
    assert CrisisPlan.objects.get(owner=service_user).coping_alone == "A walk \n Music"


def test_a_provider_with_every_grant_changes_none_of_it_and_each_try_is_a_security_event(
    relationship: CareRelationship, grant: Callable[..., Grant]
) -> None:
    owner, provider = relationship.service_user, relationship.provider
    for module in (Module.MEDICATIONS, Module.NETWORK, Module.CRISIS_PLAN):
        grant(relationship, module, Level.COMMENT)
    medication = MedicationFactory.create(owner=owner, name="Mine")
    member = NetworkMemberFactory.create(owner=owner, name="Dad")
    client = ApiClient(token_for(provider))
    attempts = [
        client.post_json(_url(owner, "medications"), {"name": "Theirs"}),
        _send(client, "put", _url(owner, f"medications/{medication.pk}"), {"name": "Changed"}),
        client.delete(_url(owner, f"medications/{medication.pk}")),
        client.post_json(_url(owner, "network"), {"name": "Someone"}),
        _send(client, "put", _url(owner, f"network/{member.pk}"), {"name": "Changed"}),
        client.delete(_url(owner, f"network/{member.pk}")),
        _send(
            client, "patch", _url(owner, "crisis-plan"), {"sections": {"reasons_for_living": "x"}}
        ),
    ]
    assert [a.status_code for a in attempts] == [404] * len(attempts)
    medication.refresh_from_db()
    member.refresh_from_db()
    assert (medication.name, member.name) == ("Mine", "Dad")
    assert Medication.objects.count() == 1 and NetworkMember.objects.count() == 1
    assert not CrisisPlan.objects.exists()
    assert SecurityEvent.objects.filter(viewer=provider).count() == len(attempts)
    assert not AccessLogEntry.objects.exists()


def test_other_peoples_items_under_ones_own_toolbox_are_404(
    service_user: User, make_member: Callable[..., User]
) -> None:
    other = make_member()
    their_medication = MedicationFactory.create(owner=other, name="Theirs")
    their_member = NetworkMemberFactory.create(owner=other, name="Theirs")
    client = ApiClient(token_for(service_user))
    answers = [
        _send(
            client, "put", _url(service_user, f"medications/{their_medication.pk}"), {"name": "x"}
        ),
        client.delete(_url(service_user, f"medications/{their_medication.pk}")),
        _send(client, "put", _url(service_user, f"network/{their_member.pk}"), {"name": "x"}),
        client.delete(_url(service_user, f"network/{their_member.pk}")),
    ]
    assert [a.status_code for a in answers] == [404] * len(answers)
    their_medication.refresh_from_db()
    their_member.refresh_from_db()
    assert (their_medication.name, their_member.name) == ("Theirs", "Theirs")
