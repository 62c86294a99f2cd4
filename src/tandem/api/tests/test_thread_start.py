"""Starting a thread through the API: the new-thread page's form and messaging's service (who
may be written to, the sending limit, once per client key)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import override_settings

from tandem.accounts.models import Role, User
from tandem.api.tests.conftest import ApiClient, token_for
from tandem.care.models import CareRelationship
from tandem.messaging.models import Message, Participant, Side, Thread

pytestmark = pytest.mark.django_db


def _start(client: ApiClient, **fields: Any) -> Any:
    body = {"subject": "This week", "body": "Can we talk?", "client_key": str(uuid.uuid4())}
    return client.post_json("/api/v1/threads", body | fields)


def test_a_service_user_starts_a_thread_with_her_care_team_once_per_key(
    relationship: CareRelationship,
) -> None:
    owner, provider = relationship.service_user, relationship.provider
    client = ApiClient(token_for(owner))
    offered = client.get("/api/v1/threads/recipients").json()
    assert offered == {
        "providers": [{"id": provider.pk, "name": provider.get_full_name()}],
        "service_users": [],
    }
    key = str(uuid.uuid4())
    first = _start(client, providers=[provider.pk], client_key=key)
    again = _start(client, providers=[provider.pk], client_key=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert (first.json()["created"], again.json()["created"]) == (True, False)
    thread = Thread.objects.get()
    assert first.json()["thread_id"] == again.json()["thread_id"] == thread.pk
    assert (thread.service_user, thread.subject) == (owner, "This week")
    sides = {(p.user_id, p.side) for p in Participant.objects.filter(thread=thread)}
    assert sides == {(owner.pk, Side.SERVICE_USER), (provider.pk, Side.CARE_TEAM)}
    assert Message.objects.get().body == "Can we talk?"
    # The provider finds it in their inbox.
    inbox = ApiClient(token_for(provider)).get("/api/v1/threads").json()
    assert [t["id"] for t in inbox["items"]] == [thread.pk]


def test_a_provider_outside_the_care_team_cannot_be_written_to(
    relationship: CareRelationship, make_member: Callable[..., User]
) -> None:
    stranger = make_member(Role.PROVIDER, totp=True)
    client = ApiClient(token_for(relationship.service_user))
    response = _start(client, providers=[stranger.pk])
    assert response.status_code == 400
    assert "providers" in response.json()["fields"]
    assert _start(client, providers=[]).status_code == 400
    assert not Thread.objects.exists()


def test_a_provider_starts_a_thread_with_a_person_of_their_caseload_only(
    relationship: CareRelationship, make_member: Callable[..., User]
) -> None:
    client = ApiClient(token_for(relationship.provider))
    other = make_member()
    assert _start(client, service_user=other.pk).status_code == 400
    started = _start(client, service_user=relationship.service_user.pk)
    assert started.status_code == 201
    assert Thread.objects.get().service_user == relationship.service_user


def test_nobody_to_write_to_is_403_with_the_pages_sentence(service_user: User) -> None:
    response = _start(ApiClient(token_for(service_user)), providers=[service_user.pk])
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "You can write to people once you are in a care team together."
    )
    assert not Thread.objects.exists()


def test_a_blank_message_or_subject_is_400_and_nothing_is_stored(
    relationship: CareRelationship,
) -> None:
    client = ApiClient(token_for(relationship.service_user))
    provider = relationship.provider.pk
    for fields in ({"body": " \u200b "}, {"subject": ""}):
        response = _start(client, providers=[provider], **fields)
        assert response.status_code == 400, fields
        assert set(response.json()["fields"]) == set(fields)
    assert not Thread.objects.exists()


@override_settings(TANDEM_MESSAGES_PER_HOUR=1)
def test_the_sending_limit_applies_to_a_new_thread(relationship: CareRelationship) -> None:
    client = ApiClient(token_for(relationship.service_user))
    provider = relationship.provider.pk
    assert _start(client, providers=[provider]).status_code == 201
    refused = _start(client, providers=[provider], subject="Another")
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert Thread.objects.count() == 1
