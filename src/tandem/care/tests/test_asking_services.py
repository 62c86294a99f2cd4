"""A service user asks a provider to join her care team (care.services.asking): each
transition, the refusals, idempotent answers, and who is told."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client

from tandem.accounts.models import Role, User
from tandem.accounts.tests.factories import MembershipFactory, OrganisationFactory
from tandem.care import selectors, services
from tandem.care.models import Agreement, CareRelationship, Grant, RelationshipStatus
from tandem.care.services import asking
from tandem.conftest import login_client
from tandem.notifications.selectors import notifications_for_user

pytestmark = pytest.mark.django_db


def _messages(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(error.value.messages)


def test_the_choices_are_the_verified_providers_of_her_organisations(
    service_user: User, provider: User, make_member: Callable[..., User]
) -> None:
    colleague = make_member(Role.PROVIDER, full_name="Aaron Colleague")
    make_member(Role.PROVIDER).memberships.update(verified_at=None)
    elsewhere = MembershipFactory.create(
        organisation=OrganisationFactory.create(), role=Role.PROVIDER
    ).user
    make_member(Role.PROVIDER, is_active=False)
    assert asking.askable_providers(service_user) == sorted(
        [provider, colleague], key=lambda p: p.full_name
    )
    assert elsewhere not in asking.askable_providers(service_user)


def test_asking_waits_for_the_provider_and_tells_them(service_user: User, provider: User) -> None:
    relationship = asking.ask_provider(service_user=service_user, provider_id=provider.pk)
    assert relationship.status == RelationshipStatus.ASKED
    assert relationship.requested_by == service_user
    assert relationship.get_status_display() == "Waiting for the provider"
    (note,) = notifications_for_user(provider)
    assert note.kind == asking.KIND_ASKED
    assert note.title == f"{service_user.get_full_name()} asked you to join their care team"
    assert note.url == "/care/caseload/#asking"
    assert note.actor == service_user
    assert list(notifications_for_user(service_user)) == []
    assert list(asking.asks_waiting_for_provider(provider)) == [relationship]
    assert list(asking.asks_of_service_user(service_user)) == [relationship]


def test_accepting_makes_the_relationship_active_with_no_grants_and_tells_her(
    service_user: User, provider: User
) -> None:
    relationship = asking.ask_provider(service_user=service_user, provider_id=provider.pk)
    accepted = asking.accept_ask(provider=provider, relationship=relationship)
    assert accepted.is_active and accepted.started_at is not None
    assert not Grant.objects.filter(relationship=relationship).exists()
    assert Agreement.objects.filter(relationship=relationship).exists()
    (note,) = notifications_for_user(service_user)
    assert note.kind == asking.KIND_ASK_ACCEPTED
    assert note.title == f"{provider.get_full_name()} accepted and is now in your care team"
    assert note.url == f"/care/relationships/{relationship.pk}/"
    assert list(asking.asks_waiting_for_provider(provider)) == []


def test_accepting_twice_changes_nothing_and_tells_her_once(
    service_user: User, provider: User
) -> None:
    relationship = asking.ask_provider(service_user=service_user, provider_id=provider.pk)
    first = asking.accept_ask(provider=provider, relationship=relationship)
    again = asking.accept_ask(provider=provider, relationship=relationship)
    assert again.started_at == first.started_at
    assert len(notifications_for_user(service_user)) == 1


def test_declining_tells_her_plainly_and_kindly(service_user: User, provider: User) -> None:
    relationship = asking.ask_provider(service_user=service_user, provider_id=provider.pk)
    declined = asking.decline_ask(provider=provider, relationship=relationship)
    assert declined.status == RelationshipStatus.DECLINED
    assert declined.ended_at is not None
    (note,) = notifications_for_user(service_user)
    assert note.kind == asking.KIND_ASK_DECLINED
    assert "declined your request" in note.title
    assert "You can ask someone else" in note.title
    assert note.url == "/care/team/"
    # Declining twice is the same answer; accepting after a decline is refused.
    asking.decline_ask(provider=provider, relationship=relationship)
    assert len(notifications_for_user(service_user)) == 1
    with pytest.raises(ValidationError, match="already been answered"):
        asking.accept_ask(provider=provider, relationship=relationship)
    # She may ask again later.
    again = asking.ask_provider(service_user=service_user, provider_id=provider.pk)
    assert again.pk != relationship.pk


def test_withdrawing_takes_the_ask_away_and_it_cannot_be_answered(
    service_user: User, provider: User
) -> None:
    relationship = asking.ask_provider(service_user=service_user, provider_id=provider.pk)
    asking.withdraw_ask(service_user=service_user, relationship=relationship)
    relationship.refresh_from_db()
    assert relationship.status == RelationshipStatus.ENDED
    assert list(asking.asks_waiting_for_provider(provider)) == []
    assert list(asking.asks_of_service_user(service_user)) == []
    for answer in (asking.accept_ask, asking.decline_ask):
        with pytest.raises(ValidationError, match="withdrawn"):
            answer(provider=provider, relationship=relationship)
    with pytest.raises(ValidationError):
        asking.withdraw_ask(service_user=service_user, relationship=relationship)
    # A withdrawn ask was never a care relationship: it is not in her past care team.
    assert selectors.care_team_for_service_user(service_user).past == []


def test_an_answered_ask_cannot_be_withdrawn(service_user: User, provider: User) -> None:
    relationship = asking.ask_provider(service_user=service_user, provider_id=provider.pk)
    asking.accept_ask(provider=provider, relationship=relationship)
    with pytest.raises(ValidationError, match="already been answered"):
        asking.withdraw_ask(service_user=service_user, relationship=relationship)


def test_duplicates_are_refused_with_a_message_saying_why(
    service_user: User, provider: User
) -> None:
    relationship = asking.ask_provider(service_user=service_user, provider_id=provider.pk)
    with pytest.raises(ValidationError) as waiting:
        asking.ask_provider(service_user=service_user, provider_id=provider.pk)
    assert "You have already asked" in _messages(waiting)
    asking.accept_ask(provider=provider, relationship=relationship)
    with pytest.raises(ValidationError) as active:
        asking.ask_provider(service_user=service_user, provider_id=provider.pk)
    assert "is already in your care team" in _messages(active)
    assert CareRelationship.objects.count() == 1


def test_asking_a_provider_who_asked_her_points_to_their_request(
    service_user: User, provider: User
) -> None:
    services.request_link(provider=provider, email=service_user.email)
    with pytest.raises(ValidationError) as error:
        asking.ask_provider(service_user=service_user, provider_id=provider.pk)
    assert "has already asked to join your care team" in _messages(error)


def test_a_provider_she_asked_who_then_requests_her_by_email_does_not_break(
    service_user: User, provider: User
) -> None:
    asking.ask_provider(service_user=service_user, provider_id=provider.pk)
    services.request_link(provider=provider, email=service_user.email)
    assert CareRelationship.objects.get().status == RelationshipStatus.ASKED


def test_typing_the_code_of_a_provider_she_asked_adds_them_at_once(
    service_user: User, provider: User
) -> None:
    relationship = asking.ask_provider(service_user=service_user, provider_id=provider.pk)
    code = services.ensure_link_code(provider=provider).code
    linked = services.link_provider_by_code(service_user=service_user, code=code)
    assert linked.pk == relationship.pk and linked.is_active


@pytest.mark.parametrize("who", ["other_organisation", "unverified", "inactive", "herself", "none"])
def test_providers_she_cannot_ask_are_not_found(
    service_user: User, make_member: Callable[..., User], who: str
) -> None:
    if who == "other_organisation":
        target_id = MembershipFactory.create(
            organisation=OrganisationFactory.create(), role=Role.PROVIDER
        ).user.pk
    elif who == "unverified":
        target = make_member(Role.PROVIDER)
        target.memberships.update(verified_at=None)
        target_id = target.pk
    elif who == "inactive":
        target_id = make_member(Role.PROVIDER, is_active=False).pk
    elif who == "herself":
        target_id = service_user.pk
    else:
        target_id = 999_999
    with pytest.raises(ValidationError) as error:
        asking.ask_provider(service_user=service_user, provider_id=target_id)
    assert "We could not find that care provider" in _messages(error)
    assert not CareRelationship.objects.exists()


def test_only_a_service_user_asks(provider: User, make_member: Callable[..., User]) -> None:
    with pytest.raises(PermissionDenied):
        asking.ask_provider(service_user=provider, provider_id=make_member(Role.PROVIDER).pk)


def test_only_the_asked_provider_answers_and_only_she_withdraws(
    service_user: User, provider: User, make_member: Callable[..., User]
) -> None:
    relationship = asking.ask_provider(service_user=service_user, provider_id=provider.pk)
    colleague = make_member(Role.PROVIDER)
    for answer in (asking.accept_ask, asking.decline_ask):
        with pytest.raises(PermissionDenied):
            answer(provider=colleague, relationship=relationship)
    with pytest.raises(PermissionDenied):
        asking.withdraw_ask(service_user=make_member(), relationship=relationship)
    relationship.refresh_from_db()
    assert relationship.status == RelationshipStatus.ASKED


def test_the_gates_give_each_side_only_their_own_asks(
    service_user: User, provider: User, make_member: Callable[..., User]
) -> None:
    relationship = asking.ask_provider(service_user=service_user, provider_id=provider.pk)
    assert asking.get_ask_for_provider(provider, relationship.pk) == relationship
    assert asking.get_ask_for_service_user(service_user, relationship.pk) == relationship
    for gate, who in (
        (asking.get_ask_for_provider, make_member(Role.PROVIDER)),
        (asking.get_ask_for_provider, service_user),
        (asking.get_ask_for_service_user, make_member()),
        (asking.get_ask_for_service_user, provider),
    ):
        with pytest.raises(Http404):
            gate(who, relationship.pk)
    # A provider's own request by email is not an ask he can accept for her.
    other = make_member()
    services.request_link(provider=provider, email=other.email)
    pending = CareRelationship.objects.get(service_user=other)
    with pytest.raises(Http404):
        asking.get_ask_for_provider(provider, pending.pk)
    # A provider who is no longer verified cannot answer.
    provider.memberships.update(verified_at=None)
    with pytest.raises(Http404):
        asking.get_ask_for_provider(provider, relationship.pk)


def test_the_emails_both_ways_name_nobody(
    service_user: User,
    provider: User,
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[object]],
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        relationship = asking.ask_provider(service_user=service_user, provider_id=provider.pk)
    with django_capture_on_commit_callbacks(execute=True):
        asking.accept_ask(provider=provider, relationship=relationship)
    assert [email.to for email in mail.outbox] == [[provider.email], [service_user.email]]
    for email, other in zip(mail.outbox, (service_user, provider), strict=True):
        assert email.subject == "Something new in Tandem"
        for word in (other.get_full_name(), other.pseudonym, "care team"):
            assert word not in email.subject and word not in email.body


def test_the_ask_notification_opens_the_caseload_section_and_the_answer_her_team(
    client_factory: Callable[[], Client], service_user: User, provider: User
) -> None:
    relationship = asking.ask_provider(service_user=service_user, provider_id=provider.pk)
    pat = login_client(client_factory(), provider)
    (note,) = notifications_for_user(provider)
    page = pat.get(note.url.split("#")[0])
    assert 'id="asking"' in page.content.decode()
    asking.decline_ask(provider=provider, relationship=relationship)
    skylark = login_client(client_factory(), service_user)
    (answer,) = notifications_for_user(service_user)
    assert skylark.get(answer.url).status_code == 200
