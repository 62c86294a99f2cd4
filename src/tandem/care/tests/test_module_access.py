"""What the one door returns: the owner, and how the viewer got in, so no page asks again."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tandem.accounts.models import User
from tandem.care import access
from tandem.care.models import AccessLogEntry, CareRelationship, Grant, Level, Module
from tandem.care.tests.factories import JointSessionFactory
from tandem.conftest import login_client
from tandem.toolbox.tests.factories import GoalFactory

pytestmark = pytest.mark.django_db

GOALS = Module.GOALS.value


def test_the_owner_reads_their_own_module_with_every_right(
    relationship: CareRelationship,
) -> None:
    owner = relationship.service_user
    seen = access.get_module_access_for_viewer(owner, owner.pk, GOALS)
    assert (seen.owner, seen.relationship, seen.is_owner, seen.may_comment) == (
        owner,
        None,
        True,
        True,
    )
    assert not seen.via_joint_session


@pytest.mark.parametrize(("level", "may_comment"), [(Level.VIEW, False), (Level.COMMENT, True)])
def test_a_provider_reads_through_their_relationship_at_the_granted_level(
    relationship: CareRelationship, grant: Callable[..., Grant], level: int, may_comment: bool
) -> None:
    grant(relationship, GOALS, level)
    seen = access.get_module_access_for_viewer(
        relationship.provider, relationship.service_user_id, GOALS
    )
    assert seen.owner == relationship.service_user
    assert seen.relationship == relationship
    assert (seen.level, seen.may_comment, seen.via_joint_session) == (level, may_comment, False)
    assert AccessLogEntry.objects.count() == 1


def test_a_joint_session_lets_the_provider_see_but_not_comment(
    relationship: CareRelationship,
) -> None:
    JointSessionFactory.create(relationship=relationship, shown_modules=[GOALS])
    seen = access.get_module_access_for_viewer(
        relationship.provider, relationship.service_user_id, GOALS
    )
    assert seen.via_joint_session
    assert not seen.may_comment
    assert seen.level == Level.NONE


def test_the_shared_goal_page_checks_the_grant_once(
    relationship: CareRelationship, grant: Callable[..., Grant], client: Client
) -> None:
    grant(relationship, GOALS, Level.COMMENT)
    goal = GoalFactory.create(owner=relationship.service_user)
    login_client(client, relationship.provider)
    path = f"/people/{relationship.service_user_id}/goals/{goal.pk}/"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    assert response.context["can_comment"] is True
    grant_reads = [q for q in queries if 'FROM "care_grant"' in q["sql"]]
    relationship_reads = [q for q in queries if 'FROM "care_carerelationship"' in q["sql"]]
    assert len(grant_reads) == 1
    assert len(relationship_reads) == 1


def test_the_owner_opening_their_shared_page_may_answer_comments(
    service_user: User, client: Client
) -> None:
    goal = GoalFactory.create(owner=service_user)
    login_client(client, service_user)
    response = client.get(f"/people/{service_user.pk}/goals/{goal.pk}/")
    assert response.status_code == 200
    assert response.context["can_comment"] is True
