"""HTTP flows of the provider's pages: the caseload, requests by email, a person's overview and the menu."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import Membership, Role, User
from tandem.care import modules, services
from tandem.care.models import (
    AccessLogEntry,
    CareRelationship,
    CareRequest,
    Grant,
    Level,
    Module,
    ProviderLinkCode,
    RelationshipStatus,
)
from tandem.care.tests.helpers_views import GOALS, _text
from tandem.care.views import REQUEST_SENT_MESSAGE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


# --- Caseload and person overview --------------------------------------------------------------


def test_caseload_lists_people_with_real_names_shares_and_the_code(
    as_user: Callable[[User], Client],
    relationship: CareRelationship,
    grant: Callable[..., Grant],
) -> None:
    grant(relationship, GOALS, Level.COMMENT)
    response = as_user(relationship.provider).get("/care/caseload/")
    text = _text(response)
    person = relationship.service_user
    assert response.status_code == 200
    assert person.full_name in text and person.pseudonym in text
    assert f'href="/people/{person.pk}/goals/"' in text
    assert "Can view and comment" in text
    assert ProviderLinkCode.objects.get(provider=relationship.provider).code in text


def test_an_unverified_provider_sees_only_a_message(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    Membership.objects.filter(user=relationship.provider).update(verified_at=None)
    client = as_user(relationship.provider)
    response = client.get("/care/caseload/")
    text = _text(response)
    assert response.status_code == 403
    assert "has not verified you" in text
    assert relationship.service_user.full_name not in text
    assert not ProviderLinkCode.objects.exists()
    assert client.post("/care/caseload/", {"email": "sam@example.org"}).status_code == 403
    assert client.post("/care/caseload/code/").status_code == 403
    assert client.get(f"/people/{relationship.service_user_id}/").status_code == 404
    assert not CareRequest.objects.exists()


def test_caseload_is_not_for_people_without_a_provider_role(
    as_user: Callable[[User], Client], service_user: User
) -> None:
    assert as_user(service_user).get("/care/caseload/").status_code == 404


def test_a_request_by_email_says_the_same_whether_or_not_the_address_exists(
    as_user: Callable[[User], Client], provider: User, service_user: User
) -> None:
    client = as_user(provider)
    pages = []
    for email in (service_user.email, "nobody@example.org"):
        response = client.post("/care/caseload/", {"email": email}, follow=True)
        assert response.redirect_chain == [("/care/caseload/", 302)]
        pages.append(_text(response).replace(email, "EMAIL"))
    assert str(REQUEST_SENT_MESSAGE) in pages[0]
    assert str(REQUEST_SENT_MESSAGE) in pages[1]
    # Each request is listed the same way (address, and the button to withdraw it).
    assert pages[0].count("EMAIL") == pages[1].count("EMAIL") == 2
    assert service_user.full_name not in pages[0]
    assert CareRequest.objects.count() == 2
    assert CareRelationship.objects.get().status == RelationshipStatus.PENDING


def test_a_bad_email_answers_400_and_keeps_what_was_typed(
    as_user: Callable[[User], Client], provider: User
) -> None:
    response = as_user(provider).post("/care/caseload/", {"email": "not-an-address"})
    assert response.status_code == 400
    assert 'value="not-an-address"' in _text(response)


def test_provider_regenerates_the_code_and_withdraws_a_request(
    as_user: Callable[[User], Client], provider: User, service_user: User
) -> None:
    client = as_user(provider)
    client.get("/care/caseload/")
    old = ProviderLinkCode.objects.get(provider=provider).code
    assert client.post("/care/caseload/code/").status_code == 302
    assert ProviderLinkCode.objects.get(provider=provider).code != old
    care_request = services.request_link(provider=provider, email=service_user.email)
    response = client.post(f"/care/caseload/requests/{care_request.pk}/withdraw/")
    assert response.status_code == 302
    assert CareRelationship.objects.get().status == RelationshipStatus.ENDED


def test_person_overview_shows_changes_since_the_last_visit_and_marks_the_visit(
    as_user: Callable[[User], Client],
    relationship: CareRelationship,
    grant: Callable[..., Grant],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    grant(relationship, GOALS, Level.VIEW)
    now = timezone.now()
    owner_id = relationship.service_user_id

    def latest_changes(owner_ids: list[int], provider: User) -> dict[int, dict[str, datetime]]:
        # A change in the journal, which is not shared, must not show.
        return {owner_id: {GOALS: now, Module.JOURNAL.value: now}}

    # In place of the toolbox's source, which registers itself at start-up.
    monkeypatch.setattr(modules, "_sources", {"test": modules.ModuleSource("test", latest_changes)})
    CareRelationship.objects.filter(pk=relationship.pk).update(
        provider_last_seen_at=now - timedelta(days=1)
    )
    client = as_user(relationship.provider)
    caseload = _text(client.get("/care/caseload/"))
    assert "Changed since your last visit" in caseload
    text = _text(client.get(f"/people/{owner_id}/"))
    assert "Goals and activities" in text
    assert "Shared journal entries" not in text
    relationship.refresh_from_db()
    assert relationship.provider_last_seen_at is not None
    assert relationship.provider_last_seen_at > now
    assert "Changed since your last visit" not in _text(client.get("/care/caseload/"))


def test_person_overview_is_404_for_everyone_but_the_persons_providers(
    as_user: Callable[[User], Client],
    relationship: CareRelationship,
    make_member: Callable[..., User],
) -> None:
    path = f"/people/{relationship.service_user_id}/"
    for other in (
        relationship.service_user,
        make_member(Role.PROVIDER, totp=True),
        make_member(Role.ORG_ADMIN, totp=True),
    ):
        assert as_user(other).get(path).status_code == 404
    assert not AccessLogEntry.objects.exists()


def test_menu_shows_my_care_team_to_service_users_and_caseload_to_providers(
    as_user: Callable[[User], Client], service_user: User, provider: User
) -> None:
    user_home = _text(as_user(service_user).get("/"))
    provider_home = _text(as_user(provider).get("/"))
    assert 'href="/care/team/"' in user_home and 'href="/care/caseload/"' not in user_home
    assert 'href="/care/caseload/"' in provider_home and 'href="/care/team/"' not in provider_home
