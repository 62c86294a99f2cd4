"""Giving a care provider more access asks the person to confirm it is them; taking access
away never does (``tandem.accounts.reauth``, docs/security-reauth-age.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import User
from tandem.accounts.tests.factories import TEST_PASSWORD
from tandem.care import services
from tandem.care.models import CareRelationship, Grant, JointSession, Level, Module
from tandem.care.tests.factories import JointSessionFactory
from tandem.conftest import login_client, reauthenticate

pytestmark = pytest.mark.django_db

GOALS = Module.GOALS.value
JOURNAL = Module.JOURNAL.value


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


@pytest.fixture
def as_user(client_factory: Callable[[], Client]) -> Callable[[User], Client]:
    """Logged in a moment ago, but not asked to confirm it is them since."""
    return lambda user: login_client(client_factory(), user)


def _reauth_url(next_path: str) -> str:
    return f"/accounts/reauthenticate/?{urlencode({'next': next_path})}"


def _sharing_data(relationship: CareRelationship, **levels: int) -> dict[str, str]:
    data = {f"r{relationship.pk}-{module}": str(Level.NONE) for module in Module.values}
    data.update({f"r{relationship.pk}-{module}": str(level) for module, level in levels.items()})
    return data


def _levels(relationship: CareRelationship) -> dict[str, int]:
    return dict(Grant.objects.filter(relationship=relationship).values_list("module", "level"))


# --- The sharing page --------------------------------------------------------------------------


def test_raising_a_grant_asks_for_fresh_proof_and_changes_nothing_until_then(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    client = as_user(relationship.service_user)
    response = client.post("/care/sharing/", _sharing_data(relationship, goals=Level.VIEW))
    assert response.status_code == 302
    assert response["Location"] == _reauth_url("/care/sharing/")
    assert _levels(relationship) == {}
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "You are giving your care team more access" in page.content.decode()


def test_after_confirming_it_is_them_the_submitted_choices_take_effect_without_retyping(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    client = as_user(relationship.service_user)
    asked = client.post("/care/sharing/", _sharing_data(relationship, goals=Level.COMMENT))
    response = client.post(asked["Location"], {"password": TEST_PASSWORD}, follow=True)
    assert response.redirect_chain[-1] == ("/care/sharing/", 302)
    assert "Saved. Your care team sees exactly this" in response.content.decode()
    assert _levels(relationship) == {GOALS: Level.COMMENT}


def test_a_wrong_password_on_the_confirmation_page_changes_nothing(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    client = as_user(relationship.service_user)
    asked = client.post("/care/sharing/", _sharing_data(relationship, goals=Level.COMMENT))
    response = client.post(asked["Location"], {"password": "not the password"})
    assert response.status_code == 200  # the form again, with its error
    assert _levels(relationship) == {}


def test_lowering_or_revoking_a_grant_never_asks_for_proof(
    as_user: Callable[[User], Client], relationship: CareRelationship, grant: Callable[..., Grant]
) -> None:
    grant(relationship, GOALS, Level.COMMENT)
    grant(relationship, JOURNAL, Level.VIEW)
    client = as_user(relationship.service_user)
    response = client.post("/care/sharing/", _sharing_data(relationship, goals=Level.VIEW))
    assert response["Location"] == "/care/sharing/"
    assert _levels(relationship) == {GOALS: Level.VIEW, JOURNAL: Level.NONE}


def test_resaving_the_same_choices_never_asks_for_proof(
    as_user: Callable[[User], Client], relationship: CareRelationship, grant: Callable[..., Grant]
) -> None:
    grant(relationship, GOALS, Level.COMMENT)
    client = as_user(relationship.service_user)
    response = client.post("/care/sharing/", _sharing_data(relationship, goals=Level.COMMENT))
    assert response["Location"] == "/care/sharing/"


def test_in_a_mixed_change_what_is_taken_away_is_saved_at_once_and_the_rest_waits(
    as_user: Callable[[User], Client], relationship: CareRelationship, grant: Callable[..., Grant]
) -> None:
    grant(relationship, JOURNAL, Level.COMMENT)
    client = as_user(relationship.service_user)
    asked = client.post("/care/sharing/", _sharing_data(relationship, goals=Level.VIEW))
    assert asked["Location"] == _reauth_url("/care/sharing/")
    assert _levels(relationship) == {JOURNAL: Level.NONE}
    assert "What you took away is already removed" in client.get(asked["Location"]).content.decode()
    client.post(asked["Location"], {"password": TEST_PASSWORD})
    assert _levels(relationship) == {JOURNAL: Level.NONE, GOALS: Level.VIEW}


def test_fresh_proof_lasts_five_minutes(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    client = reauthenticate(as_user(relationship.service_user))
    with time_machine.travel(timezone.now() + timedelta(seconds=240), tick=False):
        response = client.post("/care/sharing/", _sharing_data(relationship, goals=Level.VIEW))
        assert response["Location"] == "/care/sharing/"
    with time_machine.travel(timezone.now() + timedelta(seconds=301), tick=False):
        response = client.post("/care/sharing/", _sharing_data(relationship, goals=Level.COMMENT))
        assert response["Location"] == _reauth_url("/care/sharing/")
    assert _levels(relationship) == {GOALS: Level.VIEW}


# --- Adding a provider -------------------------------------------------------------------------


def test_linking_a_provider_by_code_asks_for_proof_first(
    as_user: Callable[[User], Client], service_user: User, provider: User
) -> None:
    code = services.ensure_link_code(provider=provider).code
    client = as_user(service_user)
    asked = client.post("/care/team/", {"code": code})
    assert asked["Location"] == _reauth_url("/care/team/")
    assert not CareRelationship.objects.exists()
    response = client.post(asked["Location"], {"password": TEST_PASSWORD})
    assert response["Location"] == "/care/sharing/"
    assert CareRelationship.objects.get().provider == provider


def test_accepting_a_providers_request_asks_for_proof_first(
    as_user: Callable[[User], Client], service_user: User, provider: User
) -> None:
    services.request_link(provider=provider, email=service_user.email)
    relationship = CareRelationship.objects.get()
    client = as_user(service_user)
    path = f"/care/requests/{relationship.pk}/accept/"
    asked = client.post(path)
    assert asked["Location"] == _reauth_url(path)
    relationship.refresh_from_db()
    assert not relationship.is_active
    client.post(asked["Location"], {"password": TEST_PASSWORD})
    relationship.refresh_from_db()
    assert relationship.is_active


def test_declining_a_request_or_ending_a_relationship_never_asks_for_proof(
    as_user: Callable[[User], Client], relationship: CareRelationship, provider: User
) -> None:
    client = as_user(relationship.service_user)
    response = client.post(f"/care/relationships/{relationship.pk}/end/")
    assert response["Location"] == "/care/team/"
    relationship.refresh_from_db()
    assert not relationship.is_active


# --- Joint sessions ----------------------------------------------------------------------------


def test_starting_a_joint_session_that_shows_modules_asks_for_proof(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    client = as_user(relationship.service_user)
    path = f"/care/relationships/{relationship.pk}/sessions/start/"
    asked = client.post(path, {"modules": [GOALS]})
    assert asked["Location"] == _reauth_url(path)
    assert not JointSession.objects.exists()
    client.post(asked["Location"], {"password": TEST_PASSWORD})
    assert JointSession.objects.get().shown_modules == [GOALS]


def test_a_joint_session_that_shows_nothing_starts_without_proof(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    client = as_user(relationship.service_user)
    response = client.post(f"/care/relationships/{relationship.pk}/sessions/start/", {})
    session = JointSession.objects.get()
    assert response["Location"] == f"/care/sessions/{session.pk}/"


def test_showing_fewer_modules_needs_no_proof_but_showing_more_does(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    session = JointSessionFactory.create(relationship=relationship, shown_modules=[GOALS, JOURNAL])
    client = as_user(relationship.service_user)
    path = f"/care/sessions/{session.pk}/modules/"
    assert client.post(path, {"modules": [JOURNAL]})["Location"] == f"/care/sessions/{session.pk}/"
    session.refresh_from_db()
    assert session.shown_modules == [JOURNAL]
    asked = client.post(path, {"modules": [JOURNAL, GOALS]})
    assert asked["Location"] == _reauth_url(path)
    session.refresh_from_db()
    assert session.shown_modules == [JOURNAL]
