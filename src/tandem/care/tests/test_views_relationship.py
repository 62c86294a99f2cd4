"""HTTP flows of one care relationship: its page, ending it, joint sessions, and refusals shown as messages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.http import Http404
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import Membership, Role, User
from tandem.care import access, services
from tandem.care.models import (
    CareRelationship,
    Grant,
    JointSession,
    Level,
    Module,
    RelationshipStatus,
)
from tandem.care.tests.factories import JointSessionFactory
from tandem.care.tests.helpers_views import GOALS, _text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


# --- Relationship page and agreement -----------------------------------------------------------


def test_both_sides_open_the_relationship_page_outsiders_get_404(
    as_user: Callable[[User], Client],
    relationship: CareRelationship,
    make_member: Callable[..., User],
) -> None:
    path = f"/care/relationships/{relationship.pk}/"
    assert relationship.provider.full_name in _text(as_user(relationship.service_user).get(path))
    provider_page = as_user(relationship.provider).get(path)
    assert relationship.service_user.full_name in _text(provider_page)
    assert relationship.service_user.pseudonym in _text(provider_page)
    for outsider in (make_member(Role.SERVICE_USER), make_member(Role.PROVIDER, totp=True)):
        assert as_user(outsider).get(path).status_code == 404


def test_ending_a_relationship_from_the_service_user_side_stops_the_provider_at_once(
    as_user: Callable[[User], Client],
    relationship: CareRelationship,
    grant: Callable[..., Grant],
) -> None:
    grant(relationship, GOALS, Level.VIEW)
    provider_client = as_user(relationship.provider)
    overview = f"/people/{relationship.service_user_id}/"
    assert provider_client.get(overview).status_code == 200
    response = as_user(relationship.service_user).post(
        f"/care/relationships/{relationship.pk}/end/"
    )
    assert response.status_code == 302
    assert provider_client.get(overview).status_code == 404
    assert provider_client.get(f"/care/relationships/{relationship.pk}/").status_code == 404
    # The service user keeps the page of the past relationship.
    assert (
        as_user(relationship.service_user)
        .get(f"/care/relationships/{relationship.pk}/")
        .status_code
        == 200
    )


def test_the_provider_can_end_the_relationship_too(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    response = as_user(relationship.provider).post(f"/care/relationships/{relationship.pk}/end/")
    assert response["Location"] == "/care/caseload/"
    relationship.refresh_from_db()
    assert relationship.status == RelationshipStatus.ENDED


# --- Joint sessions ----------------------------------------------------------------------------


def test_a_joint_session_from_start_to_end(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    user_client = as_user(relationship.service_user)
    provider_client = as_user(relationship.provider)
    provider, owner_id = relationship.provider, relationship.service_user_id
    owner = relationship.service_user
    assert (
        provider_client.post(
            f"/care/relationships/{relationship.pk}/sessions/start/", {"modules": [GOALS]}
        ).status_code
        == 404
    )  # only the service user starts it
    response = user_client.post(
        f"/care/relationships/{relationship.pk}/sessions/start/", {"modules": [GOALS]}
    )
    session = JointSession.objects.get()
    assert response["Location"] == f"/care/sessions/{session.pk}/"

    provider_page = _text(provider_client.get(f"/care/sessions/{session.pk}/"))
    assert f'href="/people/{owner_id}/goals/"' in provider_page
    assert access.get_owner_for_viewer(provider, owner_id, GOALS) == owner

    # Both write the note.
    saved = provider_client.post(
        f"/care/sessions/{session.pk}/", {"note": "Walks help.", "seen": ""}
    )
    assert saved.status_code == 302
    session.refresh_from_db()
    user_client.post(
        f"/care/sessions/{session.pk}/",
        {"note": "Walks help. So does sleep.", "seen": session.note_updated_at.isoformat()},  # type: ignore[union-attr]
    )
    session.refresh_from_db()
    assert session.note == "Walks help. So does sleep."

    # The user shows something else instead.
    user_client.post(f"/care/sessions/{session.pk}/modules/", {"modules": [Module.JOURNAL]})
    with pytest.raises(Http404):
        access.get_owner_for_viewer(provider, owner_id, GOALS)
    assert provider_client.post(f"/care/sessions/{session.pk}/end/").status_code == 404

    user_client.post(f"/care/sessions/{session.pk}/end/")
    with pytest.raises(Http404):
        access.get_owner_for_viewer(provider, owner_id, Module.JOURNAL)
    for client in (user_client, provider_client):
        page = _text(client.get(f"/care/relationships/{relationship.pk}/"))
        assert "Walks help. So does sleep." in page
        assert "Past sessions" in page


def test_an_over_long_session_note_answers_400_and_keeps_the_text(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    session = JointSessionFactory.create(relationship=relationship)
    note = "We found out " + "a" * 10_000
    response = as_user(relationship.service_user).post(
        f"/care/sessions/{session.pk}/", {"note": note, "seen": ""}
    )
    assert response.status_code == 400
    text = _text(response)
    assert "at most 10000 characters" in text
    assert note in text
    session.refresh_from_db()
    assert session.note == ""


def test_a_note_saved_meanwhile_by_the_other_person_is_not_overwritten(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    session = JointSessionFactory.create(relationship=relationship)
    services.save_session_note(
        actor=relationship.provider, session=session, note="Theirs", seen_updated_at=None
    )
    response = as_user(relationship.service_user).post(
        f"/care/sessions/{session.pk}/", {"note": "Mine", "seen": ""}
    )
    assert response.status_code == 409
    text = _text(response)
    assert "changed by the other person" in text
    assert "Theirs" in text and "Mine" in text
    session.refresh_from_db()
    assert session.note == "Theirs"


def test_outsiders_cannot_open_a_joint_session(
    as_user: Callable[[User], Client],
    relationship: CareRelationship,
    make_member: Callable[..., User],
) -> None:
    session = JointSessionFactory.create(relationship=relationship)
    outsider = as_user(make_member(Role.PROVIDER, totp=True))
    assert outsider.get(f"/care/sessions/{session.pk}/").status_code == 404
    assert outsider.post(f"/care/sessions/{session.pk}/", {"note": "x"}).status_code == 404


# --- Refusals shown as messages -----------------------------------------------------------------


def test_starting_a_second_session_or_with_unknown_modules_explains_why(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    client = as_user(relationship.service_user)
    path = f"/care/relationships/{relationship.pk}/sessions/start/"
    response = client.post(path, {"modules": ["secrets"]}, follow=True)
    assert "Choose modules from the list" in _text(response)
    client.post(path, {"modules": [GOALS]})
    response = client.post(path, {"modules": [GOALS]}, follow=True)
    assert "already open" in _text(response)
    assert JointSession.objects.count() == 1


def test_changing_shown_modules_of_an_ended_session_explains_why(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    session = JointSessionFactory.create(relationship=relationship, ended_at=timezone.now())
    client = as_user(relationship.service_user)
    response = client.post(
        f"/care/sessions/{session.pk}/modules/", {"modules": [GOALS]}, follow=True
    )
    assert "This joint session has ended" in _text(response)
    response = client.post(
        f"/care/sessions/{session.pk}/modules/", {"modules": ["secrets"]}, follow=True
    )
    assert "Choose modules from the list" in _text(response)
    assert (
        as_user(relationship.provider)
        .post(f"/care/sessions/{session.pk}/modules/", {"modules": [GOALS]})
        .status_code
        == 404
    )
    page = _text(client.get(f"/care/sessions/{session.pk}/"))
    assert "Ended" in page


def test_ending_an_ended_relationship_explains_why(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    services.end_relationship(actor=relationship.provider, relationship=relationship)
    response = as_user(relationship.service_user).post(
        f"/care/relationships/{relationship.pk}/end/", follow=True
    )
    assert "already ended" in _text(response)


def test_accepting_a_request_from_a_provider_no_longer_verified_explains_why(
    as_user: Callable[[User], Client], service_user: User, provider: User
) -> None:
    services.request_link(provider=provider, email=service_user.email)
    relationship = CareRelationship.objects.get()
    Membership.objects.filter(user=provider).update(verified_at=None)
    response = as_user(service_user).post(f"/care/requests/{relationship.pk}/accept/", follow=True)
    assert "can no longer be added" in _text(response)
    relationship.refresh_from_db()
    assert relationship.status == RelationshipStatus.PENDING


def test_agreement_pages_of_an_ended_relationship_are_404(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    services.end_relationship(actor=relationship.provider, relationship=relationship)
    client = as_user(relationship.service_user)
    base = f"/care/relationships/{relationship.pk}/agreement"
    assert client.get(f"{base}/propose/").status_code == 404
    version = relationship.agreement.version
    assert version is not None
    assert client.post(f"{base}/{version.pk}/accept/").status_code == 404
    # The service user keeps the history of an ended relationship.
    assert client.get(f"{base}/history/").status_code == 200
