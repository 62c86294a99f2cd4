"""Asking a provider to join, on the pages: the care team's form (GET/POST, bad input, fresh
proof), the caseload's "Asking you to join" with accept/decline (no JavaScript), withdrawing,
the 404 matrix, and the caseload's queries with asks waiting."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tandem.accounts.models import Organisation, Role, User
from tandem.accounts.tests.factories import (
    TEST_PASSWORD,
    MembershipFactory,
    OrganisationFactory,
)
from tandem.care.models import CareRelationship, Grant, RelationshipStatus
from tandem.care.services import asking
from tandem.care.tests.test_triage import person
from tandem.care.tests.test_triage_queries import CASELOAD_BUDGET
from tandem.conftest import login_client, reauthenticate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


@pytest.fixture
def as_user(client_factory: Callable[[], Client]) -> Callable[[User], Client]:
    return lambda user: reauthenticate(login_client(client_factory(), user))


def _text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined,no-any-return]


def _ask(service_user: User, provider: User) -> CareRelationship:
    return asking.ask_provider(service_user=service_user, provider_id=provider.pk)


# --- The service user's side ------------------------------------------------------------------


def test_the_care_team_page_offers_her_organisations_providers(
    as_user: Callable[[User], Client], service_user: User, provider: User
) -> None:
    elsewhere = MembershipFactory.create(
        organisation=OrganisationFactory.create(), role=Role.PROVIDER, user__full_name="Far Away"
    ).user
    page = as_user(service_user).get("/care/team/")
    text = _text(page)
    assert page.status_code == 200
    assert "Ask a care provider to join" in text
    assert f'<option value="{provider.pk}">{provider.get_full_name()}' in text
    assert elsewhere.get_full_name() not in text


def test_asking_redirects_to_the_team_which_shows_the_ask_with_withdraw(
    as_user: Callable[[User], Client], service_user: User, provider: User
) -> None:
    client = as_user(service_user)
    response = client.post("/care/team/ask/", {"provider": provider.pk}, follow=True)
    assert response.redirect_chain == [("/care/team/", 302)]
    text = _text(response)
    assert f"We asked {provider.get_full_name()} to join your care team" in text
    assert "Waiting for the care provider" in text
    assert f"Withdraw the request to {provider.get_full_name()}" in text
    assert CareRelationship.objects.get().status == RelationshipStatus.ASKED


def test_asking_asks_for_proof_first_then_asks(
    client: Client, service_user: User, provider: User
) -> None:
    login_client(client, service_user)  # logged in, not asked to confirm it is her since
    asked = client.post("/care/team/ask/", {"provider": provider.pk})
    assert asked["Location"] == "/accounts/reauthenticate/?next=%2Fcare%2Fteam%2Fask%2F"
    assert not CareRelationship.objects.exists()
    response = client.post(asked["Location"], {"password": TEST_PASSWORD})
    assert response["Location"] == "/care/team/"
    assert CareRelationship.objects.get().status == RelationshipStatus.ASKED


@pytest.mark.parametrize("value", ["", "abc", "999999"])
def test_a_bad_choice_is_a_400_beside_the_field(
    as_user: Callable[[User], Client], service_user: User, provider: User, value: str
) -> None:
    response = as_user(service_user).post("/care/team/ask/", {"provider": value})
    assert response.status_code == 400
    text = _text(response)
    assert "There is a problem" in text
    assert 'href="#id_provider"' in text
    assert not CareRelationship.objects.exists()


def test_asking_twice_is_a_400_that_says_why(
    as_user: Callable[[User], Client], service_user: User, provider: User
) -> None:
    _ask(service_user, provider)
    response = as_user(service_user).post("/care/team/ask/", {"provider": provider.pk})
    assert response.status_code == 400
    text = _text(response)
    assert "You have already asked" in text
    assert f'<option value="{provider.pk}" selected>' in text
    assert CareRelationship.objects.count() == 1


def test_asking_is_only_for_service_users_and_only_by_post(
    as_user: Callable[[User], Client], service_user: User, provider: User
) -> None:
    assert as_user(service_user).get("/care/team/ask/").status_code == 405
    response = as_user(provider).post("/care/team/ask/", {"provider": provider.pk})
    assert response.status_code == 404


def test_she_withdraws_her_ask_and_nobody_else_can(
    as_user: Callable[[User], Client],
    service_user: User,
    provider: User,
    make_member: Callable[..., User],
) -> None:
    relationship = _ask(service_user, provider)
    path = f"/care/team/asks/{relationship.pk}/withdraw/"
    assert as_user(make_member()).post(path).status_code == 404
    assert as_user(provider).post(path).status_code == 404
    client = as_user(service_user)
    response = client.post(path, follow=True)
    assert f"Your request to {provider.get_full_name()} is withdrawn" in _text(response)
    relationship.refresh_from_db()
    assert relationship.status == RelationshipStatus.ENDED
    again = client.post(path, follow=True)
    assert "already been answered" in _text(again)


# --- The provider's side ----------------------------------------------------------------------


def test_the_caseload_shows_asks_with_accept_and_decline_forms(
    as_user: Callable[[User], Client], service_user: User, provider: User
) -> None:
    relationship = _ask(service_user, provider)
    text = _text(as_user(provider).get("/care/caseload/"))
    assert 'id="asking"' in text
    assert f"{service_user.get_full_name()}</strong> asked you to join their care team" in text
    assert f'action="/care/caseload/asks/{relationship.pk}/accept/"' in text
    assert f'action="/care/caseload/asks/{relationship.pk}/decline/"' in text


def test_accepting_opens_the_persons_page_and_gives_no_grants(
    as_user: Callable[[User], Client], service_user: User, provider: User
) -> None:
    relationship = _ask(service_user, provider)
    client = as_user(provider)
    path = f"/care/caseload/asks/{relationship.pk}/accept/"
    response = client.post(path, follow=True)
    assert response.redirect_chain == [(f"/people/{service_user.pk}/", 302)]
    assert "is now on your caseload" in _text(response)
    relationship.refresh_from_db()
    assert relationship.is_active
    assert not Grant.objects.filter(relationship=relationship).exists()
    # A second accept (a double click, the back button) is the same answer.
    assert client.post(path)["Location"] == f"/people/{service_user.pk}/"
    assert 'id="asking"' not in _text(client.get("/care/caseload/"))
    team = _text(as_user(service_user).get("/care/team/"))
    assert "Waiting for the care provider" not in team
    assert f"/care/relationships/{relationship.pk}/" in team


def test_declining_needs_no_reason_and_says_she_is_told(
    as_user: Callable[[User], Client], service_user: User, provider: User
) -> None:
    relationship = _ask(service_user, provider)
    client = as_user(provider)
    response = client.post(f"/care/caseload/asks/{relationship.pk}/decline/", follow=True)
    assert response.redirect_chain == [("/care/caseload/", 302)]
    assert "You declined" in _text(response)
    relationship.refresh_from_db()
    assert relationship.status == RelationshipStatus.DECLINED
    late = client.post(f"/care/caseload/asks/{relationship.pk}/accept/", follow=True)
    assert "already been answered" in _text(late)
    relationship.refresh_from_db()
    assert relationship.status == RelationshipStatus.DECLINED


def test_only_the_asked_provider_answers(
    as_user: Callable[[User], Client],
    service_user: User,
    provider: User,
    make_member: Callable[..., User],
    organisation: Organisation,
) -> None:
    relationship = _ask(service_user, provider)
    unverified = make_member(Role.PROVIDER, totp=True)
    unverified.memberships.update(verified_at=None)
    others = [
        make_member(Role.PROVIDER, totp=True),  # a colleague
        unverified,
        service_user,  # she cannot accept for him
        make_member(),  # another service user
        make_member(Role.ORG_ADMIN, totp=True),
    ]
    for other in others:
        client = as_user(other)
        for answer in ("accept", "decline"):
            path = f"/care/caseload/asks/{relationship.pk}/{answer}/"
            assert client.post(path).status_code == 404, (other, answer)
    anonymous = Client().post(f"/care/caseload/asks/{relationship.pk}/accept/")
    assert anonymous.status_code in {302, 404}
    assert (
        as_user(provider).get(f"/care/caseload/asks/{relationship.pk}/accept/").status_code == 405
    )
    relationship.refresh_from_db()
    assert relationship.status == RelationshipStatus.ASKED


def test_a_service_user_sees_only_her_own_asks(
    as_user: Callable[[User], Client],
    service_user: User,
    provider: User,
    make_member: Callable[..., User],
) -> None:
    _ask(service_user, provider)
    other = make_member()
    assert "Waiting for the care provider" not in _text(as_user(other).get("/care/team/"))


# --- Queries ----------------------------------------------------------------------------------


def _count(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def test_the_caseload_queries_do_not_grow_with_asks(
    as_user: Callable[[User], Client], provider: User, organisation: Organisation
) -> None:
    client = as_user(provider)
    for n in range(5):
        person(provider, organisation, f"Person {n}")
    client.get("/care/caseload/")  # the first visit creates the link code
    without_asks = _count(client, "/care/caseload/")  # the asks query runs (and finds none)

    def ask(count: int) -> None:
        for _ in range(count):
            someone = MembershipFactory.create(
                organisation=organisation, role=Role.SERVICE_USER
            ).user
            _ask(someone, provider)

    ask(2)
    small = _count(client, "/care/caseload/")
    ask(30)
    large = _count(client, "/care/caseload/")
    # The menu's unread badge asks the ask's scope (care.ask) once while asks are unread:
    # one query more than without asks, whatever their number.
    assert small == large == without_asks + 1, (without_asks, small, large)
    assert large <= CASELOAD_BUDGET + 1
    assert _text(client.get("/care/caseload/")).count("asked you to join") == 32


def test_the_care_team_page_queries_do_not_grow_with_asks_or_providers(
    as_user: Callable[[User], Client],
    service_user: User,
    make_member: Callable[..., User],
) -> None:
    client = as_user(service_user)
    for _ in range(2):
        _ask(service_user, make_member(Role.PROVIDER))
    small = _count(client, "/care/team/")
    for _ in range(20):
        _ask(service_user, make_member(Role.PROVIDER))
    assert _count(client, "/care/team/") == small <= 12, small
