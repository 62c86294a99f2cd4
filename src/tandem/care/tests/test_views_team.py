"""HTTP flows of the service user's care pages: my care team, sharing and the access log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.cache import cache
from django.http import Http404
from django.test import Client

from tandem.accounts.models import Organisation, Role, User
from tandem.care import access, services
from tandem.care.models import (
    CareRelationship,
    Grant,
    Level,
    Module,
    RelationshipStatus,
)
from tandem.care.tests.factories import AccessLogEntryFactory
from tandem.care.tests.helpers_views import GOALS, _text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


# --- My care team ------------------------------------------------------------------------------


def test_service_user_links_a_provider_by_code(
    as_user: Callable[[User], Client], service_user: User, provider: User
) -> None:
    code = services.ensure_link_code(provider=provider).code
    client = as_user(service_user)
    page = client.get("/care/team/")
    assert page.status_code == 200
    assert "My care team" in _text(page)
    response = client.post("/care/team/", {"code": code.lower()}, follow=True)
    assert response.redirect_chain == [("/care/sharing/", 302)]
    assert "is now in your care team" in _text(response)
    relationship = CareRelationship.objects.get()
    assert (relationship.service_user, relationship.provider) == (service_user, provider)
    assert relationship.is_active


def test_a_wrong_code_answers_400_with_the_message_and_keeps_what_was_typed(
    as_user: Callable[[User], Client], service_user: User
) -> None:
    response = as_user(service_user).post("/care/team/", {"code": "ZZZZ9999"})
    assert response.status_code == 400
    text = _text(response)
    assert "There is a problem" in text
    assert "We could not find that code" in text
    assert 'value="ZZZZ9999"' in text
    assert not CareRelationship.objects.exists()


def test_an_empty_code_answers_400(as_user: Callable[[User], Client], service_user: User) -> None:
    response = as_user(service_user).post("/care/team/", {"code": ""})
    assert response.status_code == 400
    assert "This field is required" in _text(response)


def test_care_team_pages_are_for_service_users_only(
    as_user: Callable[[User], Client], provider: User
) -> None:
    client = as_user(provider)
    for path in ("/care/team/", "/care/sharing/", "/care/access-log/"):
        assert client.get(path).status_code == 404, path


def test_service_user_accepts_a_request_from_a_provider(
    as_user: Callable[[User], Client], service_user: User, provider: User
) -> None:
    services.request_link(provider=provider, email=service_user.email)
    relationship = CareRelationship.objects.get()
    client = as_user(service_user)
    page = client.get("/care/team/")
    assert "would like to join your care team" in _text(page)
    assert provider.full_name in _text(page)
    response = client.post(f"/care/requests/{relationship.pk}/accept/")
    assert response.status_code == 302
    relationship.refresh_from_db()
    assert relationship.is_active


def test_service_user_declines_a_request(
    as_user: Callable[[User], Client], service_user: User, provider: User
) -> None:
    services.request_link(provider=provider, email=service_user.email)
    relationship = CareRelationship.objects.get()
    response = as_user(service_user).post(f"/care/requests/{relationship.pk}/decline/", follow=True)
    assert "The care provider is not told" in _text(response)
    relationship.refresh_from_db()
    assert relationship.status == RelationshipStatus.DECLINED


def test_nobody_else_answers_a_request(
    as_user: Callable[[User], Client],
    service_user: User,
    provider: User,
    make_member: Callable[..., User],
) -> None:
    services.request_link(provider=provider, email=service_user.email)
    relationship = CareRelationship.objects.get()
    other = as_user(make_member(Role.SERVICE_USER))
    assert other.post(f"/care/requests/{relationship.pk}/accept/").status_code == 404
    assert other.post(f"/care/requests/{relationship.pk}/decline/").status_code == 404
    relationship.refresh_from_db()
    assert relationship.status == RelationshipStatus.PENDING


# --- Sharing -----------------------------------------------------------------------------------


def _sharing_data(relationship: CareRelationship, **levels: int) -> dict[str, str]:
    data = {f"r{relationship.pk}-{module}": str(Level.NONE) for module in Module.values}
    data.update({f"r{relationship.pk}-{module}": str(level) for module, level in levels.items()})
    return data


def test_sharing_page_is_a_table_of_radio_buttons_with_nothing_chosen_by_default(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    response = as_user(relationship.service_user).get("/care/sharing/")
    text = _text(response)
    assert response.status_code == 200
    assert relationship.provider.full_name in text
    assert text.count('type="radio"') == len(Module.values) * len(Level.values)
    assert text.count("checked") == len(Module.values)
    assert f'name="r{relationship.pk}-goals" value="0" required id' not in text
    assert f'name="r{relationship.pk}-goals" value="0"' in text


def test_a_grant_set_on_the_sharing_page_counts_from_the_very_next_request(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    client = as_user(relationship.service_user)
    provider, owner_id = relationship.provider, relationship.service_user_id
    owner = relationship.service_user
    response = client.post("/care/sharing/", _sharing_data(relationship, goals=Level.COMMENT))
    assert response.status_code == 302
    assert access.get_owner_for_viewer(provider, owner_id, GOALS, need=Level.COMMENT) == owner
    client.post("/care/sharing/", _sharing_data(relationship, goals=Level.VIEW))
    assert access.get_owner_for_viewer(provider, owner_id, GOALS) == owner
    with pytest.raises(Http404):
        access.get_owner_for_viewer(provider, owner_id, GOALS, need=Level.COMMENT)
    client.post("/care/sharing/", _sharing_data(relationship))
    assert Grant.objects.get(module=GOALS).level == Level.NONE
    with pytest.raises(Http404):
        access.get_owner_for_viewer(provider, owner_id, GOALS)


def test_sharing_page_refuses_a_made_up_level_with_400(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    data = _sharing_data(relationship)
    data[f"r{relationship.pk}-goals"] = "9"
    response = as_user(relationship.service_user).post("/care/sharing/", data)
    assert response.status_code == 400
    assert "There is a problem" in _text(response)
    assert not Grant.objects.exists()


def test_the_sharing_page_cannot_touch_someone_elses_relationship(
    as_user: Callable[[User], Client],
    relationship: CareRelationship,
    make_member: Callable[..., User],
) -> None:
    response = as_user(make_member(Role.SERVICE_USER)).post(
        "/care/sharing/", _sharing_data(relationship, goals=Level.COMMENT)
    )
    assert response.status_code == 302  # unknown fields are ignored: the form has none
    assert not Grant.objects.exists()


# --- Access log --------------------------------------------------------------------------------


def test_access_log_shows_who_saw_what_and_when_in_the_organisations_time_zone(
    as_user: Callable[[User], Client],
    relationship: CareRelationship,
    grant: Callable[..., Grant],
    organisation: Organisation,
) -> None:
    organisation.time_zone = "Europe/Oslo"
    organisation.save()
    provider = relationship.provider
    provider.profession = "Mental health nurse"
    provider.save()
    grant(relationship, GOALS, Level.VIEW)
    # The log is append-only: read at the moment the page should show.
    with time_machine.travel(datetime(2026, 1, 5, 12, 30, tzinfo=UTC), tick=False):
        access.get_owner_for_viewer(provider, relationship.service_user_id, GOALS)
    # 12:30 UTC is 13:30 in Oslo in winter; the year is said only when it is not this one.
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=UTC)):
        text = _text(as_user(relationship.service_user).get("/care/access-log/"))
    assert f"{provider.full_name} viewed your goals and activities on 5 Jan at 13:30." in text
    assert "Mental health nurse" in text
    assert "Europe/Oslo" in text
    with time_machine.travel(datetime(2027, 2, 1, 9, 0, tzinfo=UTC)):
        text = _text(as_user(relationship.service_user).get("/care/access-log/"))
    assert "on 5 Jan 2026 at 13:30." in text


def test_access_log_shows_only_your_own_entries_and_pages_through_them(
    as_user: Callable[[User], Client], service_user: User, make_member: Callable[..., User]
) -> None:
    someone = make_member(Role.SERVICE_USER)
    AccessLogEntryFactory.create_batch(60, owner=service_user)
    AccessLogEntryFactory.create(owner=someone, viewer__full_name="Not For You")
    client = as_user(service_user)
    first = _text(client.get("/care/access-log/"))
    assert "Not For You" not in first
    assert "Page 1 of 2" in first
    assert first.count("<li data-module=") == 50
    second = _text(client.get("/care/access-log/?page=2"))
    assert second.count("<li data-module=") == 10
