"""The service user's "Changes to my data" page: the change record's lines about them, as
sentences; nobody else's; reveal requests kept from the person; bounded queries; in the export."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tandem.accounts.models import Organisation, Role, User
from tandem.care import services as care
from tandem.care.models import CareRelationship, Level, Module
from tandem.care.services.agreements import set_risk_alert
from tandem.care.tests.factories import CareRelationshipFactory
from tandem.core.change_record import ChangeKind, record_change
from tandem.datarights.sources.changes import export
from tandem.moderation.models import AuditAction

pytestmark = pytest.mark.django_db


@pytest.fixture
def relationship(
    service_user: User, provider: User, organisation: Organisation
) -> CareRelationship:
    made: CareRelationship = CareRelationshipFactory.create(
        service_user=service_user, provider=provider, organisation=organisation
    )
    care.start_agreement(relationship=made)
    return made


def _share(service_user: User, relationship: CareRelationship, level: int) -> None:
    care.set_grants(service_user=service_user, levels={relationship.pk: {Module.GOALS: level}})


def test_skylark_reads_what_she_shared_and_what_pat_ended_as_sentences(
    client: Client,
    logged_in: Callable[[User], Client],
    service_user: User,
    provider: User,
    relationship: CareRelationship,
) -> None:
    _share(service_user, relationship, Level.VIEW)
    _share(service_user, relationship, Level.NONE)
    care.end_relationship(actor=provider, relationship=relationship)
    logged_in(service_user)
    response = client.get("/account/data/changes/")
    assert response.status_code == 200
    text = " ".join(response.content.decode().split())
    name = provider.get_full_name()
    assert f"You gave {name} access to Goals and activities: Can view." in text
    assert f"You took away {name}&#x27;s access to Goals and activities (was: Can view)." in text
    assert f"{name} ended their care relationship with you." in text
    assert "3 changes, newest first" in text
    assert b'href="/care/access-log/"' in response.content


def test_nobody_sees_another_persons_changes(
    client: Client,
    logged_in: Callable[[User], Client],
    service_user: User,
    make_member: Callable[..., User],
    relationship: CareRelationship,
) -> None:
    _share(service_user, relationship, Level.VIEW)
    other = make_member(Role.SERVICE_USER, pseudonym="Otter")
    logged_in(other)
    response = client.get("/account/data/changes/")
    assert response.status_code == 200
    assert b"No changes to who may see your information yet." in response.content
    assert b"Goals and activities" not in response.content


def test_the_page_asks_anonymous_visitors_to_log_in(client: Client) -> None:
    response = client.get("/account/data/changes/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_moderators_are_not_named_and_reveal_requests_are_not_shown(
    client: Client,
    logged_in: Callable[[User], Client],
    service_user: User,
    make_member: Callable[..., User],
) -> None:
    mo = make_member(Role.MODERATOR, pseudonym="Mo", full_name="Morgan Real")
    for action in (AuditAction.WARN, AuditAction.REVEAL_REQUEST):
        record_change(
            actor=mo,
            kind=ChangeKind.MODERATOR_ACTION,
            subject_id=service_user.pk,
            after={"action": action},
        )
    logged_in(service_user)
    text = client.get("/account/data/changes/").content.decode()
    assert "A moderator acted: Warned a person." in text
    assert "Morgan" not in text and "reveal" not in text.lower()
    assert [line["after"]["action"] for line in export(service_user)["changes"]] == ["warn"]


@pytest.mark.parametrize("providers", [2, 12])
def test_the_page_runs_the_same_queries_at_any_length(
    client: Client,
    logged_in: Callable[[User], Client],
    service_user: User,
    organisation: Organisation,
    make_member: Callable[..., User],
    django_assert_max_num_queries: Any,
    providers: int,
) -> None:
    """Each provider adds three lines naming a different person: the names come in one query.
    Ten: the session, the person, their roles and the shell's unread counts (every page), then
    the count, the lines and the people they name."""
    for n in range(providers):
        pat = make_member(Role.PROVIDER, pseudonym=f"Provider{n}")
        made = CareRelationshipFactory.create(
            service_user=service_user, provider=pat, organisation=organisation
        )
        for level in (Level.VIEW, Level.COMMENT, Level.NONE):
            _share(service_user, made, level)
    logged_in(service_user)
    with django_assert_max_num_queries(10):
        response = client.get("/account/data/changes/")
    assert response.content.decode().count("<li data-kind=") == min(3 * providers, 50)


def test_the_export_holds_the_lines_with_their_sentences(
    service_user: User, relationship: CareRelationship, provider: User
) -> None:
    _share(service_user, relationship, Level.VIEW)
    lines = export(service_user)["changes"]
    assert len(lines) == 1
    assert lines[0]["kind"] == "grant.created"
    assert lines[0]["after"]["provider"] == provider.pk
    assert lines[0]["sentence"].startswith("You gave")


def test_the_check_in_choice_reads_as_the_persons_choice_not_new_terms(
    client: Client,
    logged_in: Callable[[User], Client],
    service_user: User,
    provider: User,
    relationship: CareRelationship,
) -> None:
    set_risk_alert(actor=service_user, relationship=relationship, on=True)
    set_risk_alert(actor=service_user, relationship=relationship, on=False)
    logged_in(service_user)
    text = " ".join(client.get("/account/data/changes/").content.decode().split())
    name = provider.get_full_name()
    assert f"chose that {name} is told when a check-in needs attention." in text
    assert f"chose that {name} is no longer told about check-ins." in text
    assert "replies within" not in text


def test_the_access_log_and_the_changes_page_link_to_each_other_by_name(
    client: Client, logged_in: Callable[[User], Client], service_user: User
) -> None:
    """Who has seen my information, and who changed who may: two pages, one step apart."""
    logged_in(service_user)
    access_log = client.get("/care/access-log/").content.decode()
    assert '<a href="/account/data/changes/">Who changed access to my information</a>' in access_log
    changes = client.get("/account/data/changes/").content.decode()
    assert '<a href="/care/access-log/">Who has seen my information</a>' in changes
