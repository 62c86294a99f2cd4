"""HTTP flows of the care team pages, as real requests through the test client."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.http import Http404
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import Membership, Organisation, Role, User
from tandem.care import access, modules, services
from tandem.care.models import (
    AccessLogEntry,
    CareRelationship,
    CareRequest,
    Grant,
    JointSession,
    Level,
    Module,
    ProviderLinkCode,
    RelationshipStatus,
)
from tandem.care.tests.factories import AccessLogEntryFactory, JointSessionFactory
from tandem.care.views import REQUEST_SENT_MESSAGE
from tandem.conftest import login_client, reauthenticate

pytestmark = pytest.mark.django_db

GOALS = Module.GOALS.value


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


@pytest.fixture
def as_user(client_factory: Callable[[], Client]) -> Callable[[User], Client]:
    """A person who has just logged in and confirmed it is them, as widening access asks
    (the asking itself is tested in test_fresh_proof.py)."""
    return lambda user: reauthenticate(login_client(client_factory(), user))


def _text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined,no-any-return]


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
