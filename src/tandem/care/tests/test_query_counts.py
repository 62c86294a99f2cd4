"""The care pages run a bounded number of SQL queries, whatever the size of the caseload."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tandem.accounts.models import Organisation, Role, User
from tandem.accounts.tests.factories import MembershipFactory
from tandem.care.models import Grant, Level, Module
from tandem.care.tests.factories import (
    AccessLogEntryFactory,
    CareRelationshipFactory,
    JointSessionFactory,
)
from tandem.conftest import login_client

pytestmark = pytest.mark.django_db


def _count(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def _add_people(provider: User, organisation: Organisation, people: int) -> None:
    for _ in range(people):
        person = MembershipFactory.create(organisation=organisation, role=Role.SERVICE_USER).user
        relationship = CareRelationshipFactory.create(
            service_user=person, provider=provider, organisation=organisation
        )
        Grant.objects.bulk_create(
            Grant(relationship=relationship, module=module, level=Level.COMMENT)
            for module in (Module.GOALS, Module.JOURNAL, Module.CRISIS_PLAN)
        )


def test_caseload_queries_do_not_grow_with_the_caseload(
    client: Client, provider: User, organisation: Organisation
) -> None:
    login_client(client, provider)
    _add_people(provider, organisation, 5)
    client.get("/care/caseload/")  # the first visit creates the provider's link code
    small = _count(client, "/care/caseload/")
    _add_people(provider, organisation, 195)
    large = _count(client, "/care/caseload/")
    assert small == large, f"{small} queries with 5 people, {large} with 200"
    # About half are the toolbox's latest_changes (one query per module, whatever the size);
    # the triage adds three (agreements, messaging's two: test_triage_queries.py), and the
    # people asking to join one (care.services.asking).
    assert large <= 23, f"the caseload ran {large} queries"


def test_access_log_queries_do_not_grow_with_the_log(
    client: Client, service_user: User, make_member: Callable[..., User]
) -> None:
    login_client(client, service_user)
    viewers = [make_member(Role.PROVIDER) for _ in range(5)]
    AccessLogEntryFactory.create_batch(5, owner=service_user, viewer=viewers[0])
    small = _count(client, "/care/access-log/")
    for viewer in viewers:
        AccessLogEntryFactory.create_batch(39, owner=service_user, viewer=viewer)
    large = _count(client, "/care/access-log/")
    assert small == large <= 10, (small, large)
    assert _count(client, "/care/access-log/?page=4") == large


@pytest.mark.parametrize("path", ["/care/team/", "/care/sharing/"])
def test_service_user_pages_do_not_grow_with_the_care_team(
    client: Client,
    service_user: User,
    organisation: Organisation,
    make_member: Callable[..., User],
    path: str,
) -> None:
    login_client(client, service_user)

    def add(providers: int) -> None:
        for _ in range(providers):
            CareRelationshipFactory.create(
                service_user=service_user,
                provider=make_member(Role.PROVIDER),
                organisation=organisation,
            )

    add(2)
    small = _count(client, path)
    add(20)
    assert _count(client, path) == small <= 10


def test_relationship_page_does_not_grow_with_past_sessions(
    client: Client, service_user: User, provider: User, organisation: Organisation
) -> None:
    from django.utils import timezone

    relationship = CareRelationshipFactory.create(
        service_user=service_user, provider=provider, organisation=organisation
    )
    login_client(client, service_user)
    path = f"/care/relationships/{relationship.pk}/"
    JointSessionFactory.create(relationship=relationship, ended_at=timezone.now())
    small = _count(client, path)
    JointSessionFactory.create_batch(30, relationship=relationship, ended_at=timezone.now())
    assert _count(client, path) == small <= 12
