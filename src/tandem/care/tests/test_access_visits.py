"""One access-log line per item per visit: reloading or coming back within the visit length
adds nothing; another item, another person, another way of reading, or coming back later
does. Item pages name the item (kind and id), never its text."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, connections
from django.forms.models import model_to_dict
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings

from tandem.accounts.models import Role, User
from tandem.care import access
from tandem.care.access_record import ItemRef, record_access
from tandem.care.models import (
    AccessAction,
    AccessedData,
    AccessLogEntry,
    AccessVisit,
    CareRelationship,
    Grant,
    Level,
    Module,
    Outcome,
)
from tandem.care.tests.factories import JointSessionFactory
from tandem.conftest import login_client
from tandem.toolbox.models import Goal, JournalShare
from tandem.toolbox.tests.factories import GoalFactory, JournalEntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client_factory: Callable[[], Client]) -> Callable[[User], Client]:
    return lambda user: login_client(client_factory(), user)


def _lines() -> list[tuple[str, str, int | None, str]]:
    return list(
        AccessLogEntry.objects.order_by("id").values_list(
            "module", "item_kind", "item_id", "action"
        )
    )


def test_reloading_a_page_within_the_visit_adds_no_line(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    client = as_user(relationship.provider)
    path = f"/people/{relationship.service_user_id}/"
    for _ in range(3):
        assert client.get(path).status_code == 200
    assert _lines() == [(AccessedData.OVERVIEW, "", None, AccessAction.VIEW)]


def test_coming_back_after_the_visit_length_is_a_new_visit(
    relationship: CareRelationship, settings: Settings
) -> None:
    settings.TANDEM_ACCESS_VISIT_MINUTES = 30
    provider, owner_id = relationship.provider, relationship.service_user_id
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        access.get_relationship_for_provider(provider, owner_id)
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        access.get_relationship_for_provider(provider, owner_id)
    assert AccessLogEntry.objects.count() == 1
    # Thirty minutes after the line, not after the last load: a long read is one line per 30.
    with time_machine.travel(start + timedelta(minutes=30), tick=False):
        access.get_relationship_for_provider(provider, owner_id)
    with time_machine.travel(start + timedelta(minutes=45), tick=False):
        access.get_relationship_for_provider(provider, owner_id)
    times = list(AccessLogEntry.objects.order_by("id").values_list("created_at", flat=True))
    assert times == [start, start + timedelta(minutes=30)]


def test_the_visit_length_is_a_setting(relationship: CareRelationship, settings: Settings) -> None:
    settings.TANDEM_ACCESS_VISIT_MINUTES = 5
    provider, owner_id = relationship.provider, relationship.service_user_id
    start = timezone.now()
    for minutes in (0, 4, 6):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            access.get_relationship_for_provider(provider, owner_id)
    assert AccessLogEntry.objects.count() == 2


def test_each_item_another_viewer_and_another_way_of_reading_are_lines_of_their_own(
    relationship: CareRelationship, make_member: Callable[..., User]
) -> None:
    provider, owner_id = relationship.provider, relationship.service_user_id
    colleague = make_member(Role.PROVIDER, totp=True)
    for _ in range(2):
        record_access(provider, owner_id, Module.GOALS, Outcome.ALLOWED, item=ItemRef("goal", 1))
        record_access(provider, owner_id, Module.GOALS, Outcome.ALLOWED, item=ItemRef("goal", 2))
        record_access(provider, owner_id, Module.GOALS, Outcome.ALLOWED)
        record_access(
            provider, owner_id, Module.GOALS, Outcome.ALLOWED, action=AccessAction.JOINT_SESSION
        )
        record_access(colleague, owner_id, Module.GOALS, Outcome.ALLOWED, item=ItemRef("goal", 1))
    assert AccessLogEntry.objects.count() == 5
    assert AccessLogEntry.objects.filter(viewer=colleague).count() == 1


def test_the_owner_and_refusals_start_no_visit(
    relationship: CareRelationship, make_member: Callable[..., User]
) -> None:
    owner = relationship.service_user
    record_access(owner, owner.pk, Module.GOALS, Outcome.ALLOWED)
    record_access(make_member(), owner.pk, Module.GOALS, Outcome.REFUSED)
    assert not AccessVisit.objects.exists()
    assert not AccessLogEntry.objects.exists()


def test_a_goal_page_names_the_goal_by_id_and_kind_never_by_its_text(
    as_user: Callable[[User], Client],
    relationship: CareRelationship,
    grant: Callable[..., Grant],
) -> None:
    grant(relationship, Module.GOALS, Level.COMMENT)
    owner = relationship.service_user
    goal = GoalFactory.create(owner=owner, title="Sleep better")
    client = as_user(relationship.provider)
    path = f"/people/{owner.pk}/goals/{goal.pk}/"
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200
    # Commenting reads the goal again in the same visit: still one line.
    response = client.post(f"{path}comments/", {"body": "How did it go?"})
    assert response.status_code == 302
    assert _lines() == [(Module.GOALS, "goal", goal.pk, AccessAction.VIEW)]
    entry = AccessLogEntry.objects.get()
    assert "Sleep better" not in str(model_to_dict(entry))


def test_a_shared_journal_entry_page_names_the_entry(
    as_user: Callable[[User], Client],
    relationship: CareRelationship,
    grant: Callable[..., Grant],
) -> None:
    grant(relationship, Module.JOURNAL, Level.VIEW)
    owner = relationship.service_user
    entry = JournalEntryFactory.create(owner=owner)
    JournalShare.objects.create(entry=entry, relationship=relationship)
    client = as_user(relationship.provider)
    assert client.get(f"/people/{owner.pk}/journal/{entry.pk}/").status_code == 200
    assert _lines() == [(Module.JOURNAL, "journal_entry", entry.pk, AccessAction.VIEW)]


def test_an_item_that_is_not_shown_is_never_named(
    as_user: Callable[[User], Client],
    relationship: CareRelationship,
    grant: Callable[..., Grant],
    make_member: Callable[..., User],
) -> None:
    """Another person's goal, an id that does not exist, an entry not shared with this
    provider: 404, and no line names them."""
    grant(relationship, Module.GOALS, Level.VIEW)
    grant(relationship, Module.JOURNAL, Level.VIEW)
    owner = relationship.service_user
    someone_elses = GoalFactory.create(owner=make_member())
    unshared = JournalEntryFactory.create(owner=owner)
    client = as_user(relationship.provider)
    for path in (
        f"/people/{owner.pk}/goals/{someone_elses.pk}/",
        f"/people/{owner.pk}/goals/999999/",
        f"/people/{owner.pk}/journal/{unshared.pk}/",
    ):
        assert client.get(path).status_code == 404, path
    assert not AccessLogEntry.objects.exists()


def test_a_joint_session_read_of_an_item_is_recorded_as_such(
    relationship: CareRelationship,
) -> None:
    JointSessionFactory.create(relationship=relationship, shown_modules=[Module.GOALS])
    goal = GoalFactory.create(owner=relationship.service_user)
    read = access.get_item_access_for_viewer(
        relationship.provider,
        relationship.service_user_id,
        Module.GOALS,
        kind="goal",
        fetch=lambda owner: Goal.objects.get(owner=owner, pk=goal.pk),
    )
    assert read.item == goal
    assert read.seen.via_joint_session
    assert _lines() == [(Module.GOALS, "goal", goal.pk, AccessAction.JOINT_SESSION)]


def test_the_owner_reading_an_item_leaves_no_line(relationship: CareRelationship) -> None:
    owner = relationship.service_user
    goal = GoalFactory.create(owner=owner)
    read = access.get_item_access_for_viewer(
        owner, owner.pk, Module.GOALS, kind="goal", fetch=lambda _owner: goal
    )
    assert read.seen.is_owner
    assert not AccessLogEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_loads_at_the_same_moment_write_one_line(relationship: CareRelationship) -> None:
    """Two requests, each in its own transaction on its own connection: the second waits for
    the first's visit and then finds it (PostgreSQL's row lock; SQLite's single writer)."""
    provider, owner_id = relationship.provider, relationship.service_user_id
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def load() -> None:
        try:
            barrier.wait(timeout=10)
            access.get_relationship_for_provider(provider, owner_id)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=load) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    if connection.vendor == "sqlite" and errors:
        # SQLite may refuse the second writer outright ("database is locked"); what matters is
        # that it never writes a second line.
        assert all("locked" in str(error) for error in errors), errors
    else:
        assert not errors, errors
    assert AccessLogEntry.objects.filter(module=AccessedData.OVERVIEW).count() == 1


def test_each_joint_sessions_notes_are_an_item_of_their_own(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    first = JointSessionFactory.create(relationship=relationship, ended_at=timezone.now())
    second = JointSessionFactory.create(relationship=relationship)
    client = as_user(relationship.provider)
    for session in (first, second, first, second):
        assert client.get(f"/care/sessions/{session.pk}/").status_code == 200
    assert _lines() == [
        (AccessedData.SESSION_NOTES, "joint_session", first.pk, AccessAction.VIEW),
        (AccessedData.SESSION_NOTES, "joint_session", second.pk, AccessAction.VIEW),
    ]
