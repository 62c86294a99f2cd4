"""Who reaches which toolbox data: the owner's gates, and the care team's read-only pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.http import Http404
from django.test import Client

from tandem.accounts.models import Membership, Role, User
from tandem.care.models import AccessLogEntry, Level, Module, RelationshipStatus
from tandem.toolbox import access
from tandem.toolbox.tests.factories import (
    ActivityFactory,
    ExercisePracticeFactory,
    GoalFactory,
    GoalStepFactory,
    JournalEntryFactory,
    JournalShareFactory,
    MedicationFactory,
    NetworkMemberFactory,
    PersonalDomainFactory,
    StatusRatingFactory,
    share_with,
)

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- The owner's gates -----------------------------------------------------------------------

GATES: list[tuple[Callable[[User, int], Any], Callable[[User], Any]]] = [
    (access.get_goal_for_owner, lambda u: GoalFactory.create(owner=u)),
    (access.get_step_for_owner, lambda u: GoalStepFactory.create(goal__owner=u)),
    (access.get_activity_for_owner, lambda u: ActivityFactory.create(owner=u)),
    (access.get_rating_for_owner, lambda u: StatusRatingFactory.create(owner=u)),
    (access.get_medication_for_owner, lambda u: MedicationFactory.create(owner=u)),
    (access.get_network_member_for_owner, lambda u: NetworkMemberFactory.create(owner=u)),
    (access.get_practice_for_owner, lambda u: ExercisePracticeFactory.create(owner=u)),
    (access.get_journal_entry_for_owner, lambda u: JournalEntryFactory.create(owner=u)),
    (access.get_personal_domain_for_owner, lambda u: PersonalDomainFactory.create(owner=u)),
    (access.get_domain_for_owner, lambda u: PersonalDomainFactory.create(owner=u)),
]


@pytest.mark.parametrize(("gate", "make"), GATES)
def test_gates_give_the_owner_their_object_and_everyone_else_404(
    gate: Callable[[User, int], Any],
    make: Callable[[User], Any],
    service_user: User,
    provider: User,
    make_member: Callable[..., User],
) -> None:
    obj = make(service_user)
    assert gate(service_user, obj.pk) == obj
    for stranger in (make_member(Role.SERVICE_USER), provider):
        with pytest.raises(Http404):
            gate(stranger, obj.pk)
    with pytest.raises(Http404):
        gate(service_user, obj.pk + 1000)


def test_only_active_service_users_have_a_toolbox(
    service_user: User, provider: User, org_admin: User
) -> None:
    assert access.has_toolbox(service_user)
    assert not access.has_toolbox(provider)
    assert not access.has_toolbox(org_admin)
    service_user.is_active = False
    assert not access.has_toolbox(service_user)


@pytest.mark.parametrize("who", ["provider", "org_admin"])
def test_people_without_a_toolbox_get_a_friendly_404(
    who: str, request: pytest.FixtureRequest
) -> None:
    response = _client(request.getfixturevalue(who)).get("/toolbox/")
    assert response.status_code == 404
    assert b"There is no recovery toolbox here" in response.content


def test_other_peoples_ids_give_404_on_owner_pages(
    service_user: User, make_member: Callable[..., User]
) -> None:
    other = make_member(Role.SERVICE_USER)
    goal = GoalFactory.create(owner=other)
    step = GoalStepFactory.create(goal=goal)
    entry = JournalEntryFactory.create(owner=other)
    client = _client(service_user)
    assert client.get(f"/toolbox/goals/{goal.pk}/").status_code == 404
    assert client.post(f"/toolbox/steps/{step.pk}/toggle/", {"done": "1"}).status_code == 404
    assert client.get(f"/toolbox/journal/{entry.pk}/").status_code == 404
    assert client.post(f"/toolbox/journal/{entry.pk}/delete/").status_code == 404
    step.refresh_from_db()
    assert not step.done


# --- The care team's pages -------------------------------------------------------------------


@pytest.fixture
def owned(service_user: User) -> dict[str, Any]:
    """A little of everything in the service user's toolbox."""
    goal = GoalFactory.create(owner=service_user)
    entry = JournalEntryFactory.create(owner=service_user)
    return {"goal": goal, "entry": entry}


def _module_paths(owner: User, owned: dict[str, Any]) -> list[tuple[str, str]]:
    o = owner.pk
    return [
        (Module.STATUS, f"/people/{o}/status/"),
        (Module.GOALS, f"/people/{o}/goals/"),
        (Module.GOALS, f"/people/{o}/goals/{owned['goal'].pk}/"),
        (Module.GOALS, f"/people/{o}/activities/"),
        (Module.MEDICATIONS, f"/people/{o}/medications/"),
        (Module.NETWORK, f"/people/{o}/network/"),
        (Module.CRISIS_PLAN, f"/people/{o}/crisis_plan/"),
        (Module.EXERCISES, f"/people/{o}/exercises/"),
        (Module.JOURNAL, f"/people/{o}/journal/"),
    ]


def test_every_module_page_404s_without_a_grant_and_logs_nothing(
    service_user: User, provider: User, owned: dict[str, Any]
) -> None:
    share_with(provider, service_user)  # a relationship, but nothing granted
    client = _client(provider)
    for _module, path in _module_paths(service_user, owned):
        assert client.get(path).status_code == 404, path
    assert not AccessLogEntry.objects.exists()


def test_every_module_page_opens_with_a_grant_and_logs_the_read(
    service_user: User, provider: User, owned: dict[str, Any]
) -> None:
    share_with(provider, service_user, *Module.values)
    client = _client(provider)
    for module, path in _module_paths(service_user, owned):
        before = AccessLogEntry.objects.count()
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"Only they can change it" in response.content
        log = AccessLogEntry.objects.order_by("-id").first()
        # The activities are the goals module's page, read already in this visit: one line.
        added = 0 if path.endswith("/activities/") else 1
        assert AccessLogEntry.objects.count() == before + added, path
        assert log is not None
        assert (log.owner, log.viewer, log.module) == (service_user, provider, module)


def test_a_grant_for_one_module_opens_only_that_module(
    service_user: User, provider: User, owned: dict[str, Any]
) -> None:
    share_with(provider, service_user, Module.MEDICATIONS)
    client = _client(provider)
    assert client.get(f"/people/{service_user.pk}/medications/").status_code == 200
    assert client.get(f"/people/{service_user.pk}/goals/").status_code == 404
    assert client.get(f"/people/{service_user.pk}/crisis_plan/").status_code == 404


@pytest.mark.parametrize(
    "who",
    [
        "anonymous",
        "other_service_user",
        "provider_without_relationship",
        "unverified_provider",
        "provider_with_pending_relationship",
        "provider_with_ended_relationship",
        "moderator",
        "researcher",
        "org_admin",
    ],
)
def test_nobody_else_reads_goals(
    who: str,
    service_user: User,
    owned: dict[str, Any],
    make_member: Callable[..., User],
    request: pytest.FixtureRequest,
) -> None:
    path = f"/people/{service_user.pk}/goals/"
    if who == "anonymous":
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        return
    if who == "other_service_user":
        viewer = make_member(Role.SERVICE_USER)
    elif who in {"moderator", "researcher"}:
        viewer = make_member(who, totp=True)
    elif who == "org_admin":
        viewer = request.getfixturevalue("org_admin")
    else:
        viewer = make_member(Role.PROVIDER, totp=True)
        if who != "provider_without_relationship":
            relationship = share_with(viewer, service_user, Module.GOALS)
            if who == "unverified_provider":
                Membership.objects.filter(user=viewer).update(verified_at=None)
            elif who == "provider_with_pending_relationship":
                relationship.status = RelationshipStatus.PENDING
                relationship.save()
            elif who == "provider_with_ended_relationship":
                relationship.status = RelationshipStatus.ENDED
                relationship.save()
    assert _client(viewer).get(path).status_code == 404
    assert not AccessLogEntry.objects.exists()


def test_the_owner_may_open_their_own_shared_view_without_a_log(
    service_user: User, owned: dict[str, Any]
) -> None:
    assert _client(service_user).get(f"/people/{service_user.pk}/goals/").status_code == 200
    assert not AccessLogEntry.objects.exists()


def test_a_provider_reads_only_journal_entries_shared_with_them(
    service_user: User, provider: User, make_member: Callable[..., User]
) -> None:
    relationship = share_with(provider, service_user, Module.JOURNAL)
    other_provider = make_member(Role.PROVIDER, totp=True)
    other_relationship = share_with(other_provider, service_user, Module.JOURNAL)
    shared = JournalEntryFactory.create(owner=service_user, title="Shared with Pat")
    private = JournalEntryFactory.create(owner=service_user, title="Just mine")
    elsewhere = JournalEntryFactory.create(owner=service_user, title="For someone else")
    JournalShareFactory.create(entry=shared, relationship=relationship)
    JournalShareFactory.create(entry=elsewhere, relationship=other_relationship)
    client = _client(provider)
    listing = client.get(f"/people/{service_user.pk}/journal/").content.decode()
    assert "Shared with Pat" in listing
    assert "Just mine" not in listing
    assert "For someone else" not in listing
    base = f"/people/{service_user.pk}/journal"
    assert client.get(f"{base}/{shared.pk}/").status_code == 200
    assert client.get(f"{base}/{private.pk}/").status_code == 404
    assert client.get(f"{base}/{elsewhere.pk}/").status_code == 404


def test_a_shared_entry_stays_closed_without_a_journal_grant(
    service_user: User, provider: User
) -> None:
    relationship = share_with(provider, service_user, Module.GOALS)
    entry = JournalEntryFactory.create(owner=service_user)
    JournalShareFactory.create(entry=entry, relationship=relationship)
    response = _client(provider).get(f"/people/{service_user.pk}/journal/{entry.pk}/")
    assert response.status_code == 404


def test_commenting_needs_a_comment_grant(service_user: User, provider: User) -> None:
    share_with(provider, service_user, Module.GOALS, level=Level.VIEW)
    goal = GoalFactory.create(owner=service_user)
    client = _client(provider)
    page = client.get(f"/people/{service_user.pk}/goals/{goal.pk}/")
    assert b"Add comment" not in page.content
    response = client.post(
        f"/people/{service_user.pk}/goals/{goal.pk}/comments/", {"body": "Well done"}
    )
    assert response.status_code == 404


def test_a_goal_id_of_another_person_404s_even_with_a_grant(
    service_user: User, provider: User, make_member: Callable[..., User]
) -> None:
    share_with(provider, service_user, Module.GOALS, level=Level.COMMENT)
    foreign_goal = GoalFactory.create(owner=make_member(Role.SERVICE_USER))
    client = _client(provider)
    assert client.get(f"/people/{service_user.pk}/goals/{foreign_goal.pk}/").status_code == 404
    response = client.post(
        f"/people/{service_user.pk}/goals/{foreign_goal.pk}/comments/", {"body": "Hi"}
    )
    assert response.status_code == 404
