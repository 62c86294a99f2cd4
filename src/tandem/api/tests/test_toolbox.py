"""The toolbox through the API: the owner's own modules, and a care provider's read through the
care gate, logged like a page read. The role matrix is the care gate's own (``DENIED`` in
``care/tests/helpers_access.py``), run here against every module the API offers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser

from tandem.accounts.models import Role, User
from tandem.api.tests.conftest import ApiClient, token_for
from tandem.care.models import (
    AccessAction,
    AccessLogEntry,
    CareRelationship,
    Grant,
    Level,
    Module,
    SecurityEvent,
)
from tandem.care.tests.factories import JointSessionFactory
from tandem.care.tests.helpers_access import DENIED
from tandem.toolbox.tests.factories import (
    CrisisPlanFactory,
    GoalFactory,
    JournalEntryFactory,
    JournalShareFactory,
    MedicationFactory,
    NetworkMemberFactory,
    StatusRatingFactory,
)

pytestmark = pytest.mark.django_db

# API path (after /api/v1/people/<id>/) → the care module it reads.
MODULE_PATHS = {
    "status": Module.STATUS,
    "goals": Module.GOALS,
    "medications": Module.MEDICATIONS,
    "network": Module.NETWORK,
    "crisis-plan": Module.CRISIS_PLAN,
    "journal": Module.JOURNAL,
}


def _fill(owner: User) -> None:
    StatusRatingFactory.create(owner=owner, rating=7, note="Slept well")
    GoalFactory.create(owner=owner, title="Walk every day")
    MedicationFactory.create(owner=owner, name="Sertraline")
    NetworkMemberFactory.create(owner=owner, name="Robin")
    CrisisPlanFactory.create(owner=owner, warning_signs="Not sleeping")
    JournalEntryFactory.create(owner=owner, title="A good day", body="*Really* good")


def _url(owner_id: int, path: str) -> str:
    return f"/api/v1/people/{owner_id}/{path}"


def test_the_owner_reads_every_module_and_nothing_is_logged(relationship: CareRelationship) -> None:
    owner = relationship.service_user
    _fill(owner)
    client = ApiClient(token_for(owner))
    bodies = {path: client.get(_url(owner.pk, path)) for path in MODULE_PATHS}
    assert {path: r.status_code for path, r in bodies.items()} == dict.fromkeys(MODULE_PATHS, 200)
    assert bodies["status"].json()["items"][0]["note"] == "Slept well"
    assert bodies["goals"].json()["items"][0]["title"] == "Walk every day"
    assert bodies["medications"].json()[0]["name"] == "Sertraline"
    assert bodies["network"].json()["items"][0]["name"] == "Robin"
    sections = {s["key"]: s["text"] for s in bodies["crisis-plan"].json()["sections"]}
    assert sections["warning_signs"] == "Not sleeping"
    entry = bodies["journal"].json()["items"][0]
    assert (entry["title"], entry["body_html"]) == ("A good day", "<p><em>Really</em> good</p>\n")
    assert not AccessLogEntry.objects.exists()


@pytest.mark.parametrize("path", MODULE_PATHS)
def test_a_provider_with_a_grant_reads_the_module_and_the_read_is_logged(
    path: str, relationship: CareRelationship, grant: Callable[..., Grant]
) -> None:
    owner, provider = relationship.service_user, relationship.provider
    _fill(owner)
    grant(relationship, MODULE_PATHS[path], Level.VIEW)
    response = ApiClient(token_for(provider)).get(_url(owner.pk, path))
    assert response.status_code == 200
    entry = AccessLogEntry.objects.get()
    assert (entry.owner_id, entry.viewer_id, entry.module, entry.action) == (
        owner.pk,
        provider.pk,
        MODULE_PATHS[path].value,
        AccessAction.VIEW,
    )
    assert entry.request_id == response["X-Request-ID"]


def test_a_provider_reads_only_the_journal_entries_shared_with_them(
    relationship: CareRelationship, grant: Callable[..., Grant]
) -> None:
    owner = relationship.service_user
    shared = JournalEntryFactory.create(owner=owner, title="Shared")
    JournalEntryFactory.create(owner=owner, title="Private")
    JournalShareFactory.create(entry=shared, relationship=relationship)
    grant(relationship, Module.JOURNAL, Level.VIEW)
    response = ApiClient(token_for(relationship.provider)).get(_url(owner.pk, "journal"))
    assert [e["title"] for e in response.json()["items"]] == ["Shared"]


def test_a_joint_session_shows_a_module_without_a_grant(relationship: CareRelationship) -> None:
    owner = relationship.service_user
    _fill(owner)
    JointSessionFactory.create(relationship=relationship, shown_modules=[Module.GOALS.value])
    client = ApiClient(token_for(relationship.provider))
    assert client.get(_url(owner.pk, "goals")).status_code == 200
    assert client.get(_url(owner.pk, "medications")).status_code == 404
    assert AccessLogEntry.objects.get().action == AccessAction.JOINT_SESSION


@pytest.mark.parametrize("case", DENIED)
def test_everyone_else_gets_404_or_401_and_nothing_is_logged(
    case: str,
    relationship: CareRelationship,
    make_member: Callable[..., User],
    grant: Callable[..., Grant],
) -> None:
    owner = relationship.service_user
    _fill(owner)
    viewer = DENIED[case](relationship=relationship, make_member=make_member, grant=grant)
    logged = AccessLogEntry.objects.count()  # a read before a revoke is logged, and stays
    if isinstance(viewer, AnonymousUser):
        client, expected = ApiClient("no-token"), 401
    else:
        client, expected = ApiClient(token_for(viewer)), 401 if not viewer.is_active else 404
    # The matrix is written for goals (a grant for another module is one of its cases).
    response = client.get(_url(owner.pk, "goals"))
    assert response.status_code == expected
    assert "Walk every day" not in response.content.decode()
    assert AccessLogEntry.objects.count() == logged
    if expected == 404:
        assert isinstance(viewer, User)
        # Each refusal is a security event for the organisation's admins, as on the pages.
        assert SecurityEvent.objects.filter(viewer=viewer).exists()


def test_a_grant_for_one_module_opens_only_that_module(
    relationship: CareRelationship, grant: Callable[..., Grant]
) -> None:
    owner = relationship.service_user
    _fill(owner)
    grant(relationship, Module.NETWORK, Level.COMMENT)
    client = ApiClient(token_for(relationship.provider))
    answers = {path: client.get(_url(owner.pk, path)).status_code for path in MODULE_PATHS}
    assert answers == {path: 200 if path == "network" else 404 for path in MODULE_PATHS}
    assert AccessLogEntry.objects.count() == 1


def test_ids_of_nobody_and_of_people_without_a_toolbox_are_404(
    service_user: User, provider: User
) -> None:
    client = ApiClient(token_for(provider))
    assert client.get(_url(provider.pk, "goals")).status_code == 404  # not a service user
    assert client.get(_url(10**12, "goals")).status_code == 404
    assert client.get(_url(2**64, "goals")).status_code == 422  # past a 64-bit id
    assert ApiClient(token_for(service_user)).get(_url(0, "goals")).status_code == 422


def test_a_provider_with_a_service_user_role_reads_their_own_toolbox(
    make_member: Callable[..., User],
) -> None:
    person = make_member(Role.SERVICE_USER)
    GoalFactory.create(owner=person, title="Mine")
    response = ApiClient(token_for(person)).get(_url(person.pk, "goals") + "?page=9")
    assert response.status_code == 200
    assert response.json()["page"] == 1  # past the end: the last page, as on the pages
