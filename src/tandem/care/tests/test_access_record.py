"""The access record: every provider read of a person's data leaves exactly one line with its
outcome and request id; every refused attempt on someone else's data one security event."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.http import Http404, HttpResponse, HttpResponseBase
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from tandem.accounts.models import Organisation, Role, User
from tandem.accounts.tests.factories import MembershipFactory, OrganisationFactory
from tandem.care import access, selectors
from tandem.care.models import (
    AccessedData,
    AccessLogEntry,
    CareRelationship,
    Grant,
    JointSession,
    Level,
    Module,
    Outcome,
    SecurityEvent,
)
from tandem.care.tests.factories import JointSessionFactory
from tandem.conftest import login_client
from tandem.core.request_id import HEADER, request_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client_factory: Callable[[], Client]) -> Callable[[User], Client]:
    return lambda user: login_client(client_factory(), user)


@pytest.fixture
def session(relationship: CareRelationship) -> JointSession:
    session: JointSession = JointSessionFactory.create(
        relationship=relationship, note="We talked about sleep.", shown_modules=[]
    )
    return session


def _assert_one_allowed_read(
    client: Client, path: str, relationship: CareRelationship, what: str
) -> str:
    """Read ``path`` and check the record it left; return the page's text."""
    response = client.get(path)
    assert response.status_code == 200, path
    entry = AccessLogEntry.objects.get()
    assert entry.owner_id == relationship.service_user_id
    assert entry.viewer_id == relationship.provider_id
    assert entry.module == what
    assert entry.outcome == Outcome.ALLOWED
    assert entry.request_id == response[HEADER]
    assert len(entry.request_id) == 32
    assert not SecurityEvent.objects.exists()
    return response.content.decode()


def _log_lines(response: HttpResponseBase) -> str:
    """The text of the access log's lines on the page (not its filters)."""
    assert isinstance(response, HttpResponse)
    text = response.content.decode()
    start = text.index("data-access-log>")
    return text[start : text.index("</ol>", start)]


# --- Each provider read path: exactly one record, allowed, with the request id ----------------


def test_provider_overview_read_is_recorded_once(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    client = as_user(relationship.provider)
    path = f"/people/{relationship.service_user_id}/"
    _assert_one_allowed_read(client, path, relationship, AccessedData.OVERVIEW)


def test_provider_relationship_page_read_is_recorded_once(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    client = as_user(relationship.provider)
    path = f"/care/relationships/{relationship.pk}/"
    _assert_one_allowed_read(client, path, relationship, AccessedData.RELATIONSHIP)


def test_provider_joint_session_notes_read_is_recorded_once(
    as_user: Callable[[User], Client], relationship: CareRelationship, session: JointSession
) -> None:
    client = as_user(relationship.provider)
    path = f"/care/sessions/{session.pk}/"
    text = _assert_one_allowed_read(client, path, relationship, AccessedData.SESSION_NOTES)
    assert "We talked about sleep." in text


@pytest.mark.parametrize("module", Module.values)
def test_provider_toolbox_module_read_is_recorded_once(
    as_user: Callable[[User], Client],
    relationship: CareRelationship,
    grant: Callable[..., Grant],
    module: str,
) -> None:
    grant(relationship, module, Level.VIEW)
    client = as_user(relationship.provider)
    path = selectors.module_url(relationship.service_user_id, module)
    _assert_one_allowed_read(client, path, relationship, module)


def test_the_owner_reading_their_own_pages_leaves_no_record(
    as_user: Callable[[User], Client], relationship: CareRelationship, session: JointSession
) -> None:
    client = as_user(relationship.service_user)
    owner_id = relationship.service_user_id
    for path in (
        f"/care/relationships/{relationship.pk}/",
        f"/care/sessions/{session.pk}/",
        *(selectors.module_url(owner_id, module) for module in Module.values),
    ):
        assert client.get(path).status_code == 200, path
    assert not AccessLogEntry.objects.exists()
    assert not SecurityEvent.objects.exists()


# --- Refused reads: one security event, nothing the person sees -------------------------------


@pytest.mark.parametrize("who", [Role.PROVIDER, Role.SERVICE_USER])
def test_a_refused_overview_leaves_one_security_event_and_nothing_in_the_owners_log(
    as_user: Callable[[User], Client],
    relationship: CareRelationship,
    make_member: Callable[..., User],
    who: str,
) -> None:
    stranger = make_member(who, totp=who == Role.PROVIDER)
    owner = relationship.service_user
    response = as_user(stranger).get(f"/people/{owner.pk}/?search=secret")
    assert response.status_code == 404
    event = SecurityEvent.objects.get()
    assert (event.viewer_id, event.owner_id, event.what) == (
        stranger.pk,
        owner.pk,
        AccessedData.OVERVIEW,
    )
    assert event.path == f"/people/{owner.pk}/"  # never the query string
    assert event.request_id == response[HEADER]
    assert not AccessLogEntry.objects.exists()
    assert not selectors.access_log_for_owner(owner).exists()


def test_refused_relationship_and_session_pages_leave_one_event_each(
    as_user: Callable[[User], Client],
    relationship: CareRelationship,
    session: JointSession,
    make_member: Callable[..., User],
) -> None:
    client = as_user(make_member(Role.PROVIDER, totp=True))
    assert client.get(f"/care/relationships/{relationship.pk}/").status_code == 404
    assert client.get(f"/care/sessions/{session.pk}/").status_code == 404
    assert sorted(SecurityEvent.objects.values_list("what", "owner_id")) == sorted(
        [
            (AccessedData.RELATIONSHIP, relationship.service_user_id),
            (AccessedData.SESSION_NOTES, relationship.service_user_id),
        ]
    )
    assert not AccessLogEntry.objects.exists()


def test_a_refused_toolbox_module_leaves_one_security_event(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    response = as_user(relationship.provider).get(
        selectors.module_url(relationship.service_user_id, Module.JOURNAL)
    )
    assert response.status_code == 404
    event = SecurityEvent.objects.get()
    assert (event.what, event.owner_id) == (Module.JOURNAL, relationship.service_user_id)
    assert not AccessLogEntry.objects.exists()


def test_asking_for_something_that_does_not_exist_is_recorded_without_an_owner(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    assert as_user(relationship.provider).get("/care/relationships/999999/").status_code == 404
    event = SecurityEvent.objects.get()
    assert event.owner_id is None
    assert event.what == AccessedData.RELATIONSHIP


def test_a_request_refused_by_several_gates_is_recorded_once(
    relationship: CareRelationship, make_member: Callable[..., User]
) -> None:
    stranger = make_member(Role.PROVIDER, totp=True)
    with request_scope(request_id="abc", path="/x/"):
        for _ in range(3):
            with pytest.raises(Http404):
                access.get_relationship_for_member(stranger, relationship.pk)
    assert SecurityEvent.objects.get().request_id == "abc"


def test_the_owners_log_page_names_the_new_reads_and_never_a_refusal(
    as_user: Callable[[User], Client], relationship: CareRelationship, session: JointSession
) -> None:
    provider_client = as_user(relationship.provider)
    provider_client.get(f"/people/{relationship.service_user_id}/")
    provider_client.get(f"/care/sessions/{session.pk}/")
    provider_client.get(selectors.module_url(relationship.service_user_id, Module.GOALS))  # 404
    text = _log_lines(as_user(relationship.service_user).get("/care/access-log/"))
    name = relationship.provider.get_full_name()
    assert f"{name} viewed the overview of what you share" in text
    day = date_format(timezone.localtime(session.started_at), "j M Y")
    assert f"{name} viewed your notes from the joint session of {day} on " in text
    assert "goals" not in text
    assert SecurityEvent.objects.count() == 1


# --- The admins' page ---------------------------------------------------------------------------


def test_organisation_admins_see_security_events_and_nobody_else_does(
    as_user: Callable[[User], Client],
    relationship: CareRelationship,
    organisation: Organisation,
    org_admin: User,
    make_member: Callable[..., User],
) -> None:
    stranger = make_member(Role.PROVIDER, totp=True, full_name="Sid Stranger")
    as_user(stranger).get(f"/people/{relationship.service_user_id}/")
    path = f"/organisations/{organisation.pk}/security-events/"
    text = as_user(org_admin).get(path).content.decode()
    assert "Sid Stranger" in text
    assert f"/people/{relationship.service_user_id}/" in text
    assert as_user(relationship.provider).get(path).status_code == 404
    assert as_user(relationship.service_user).get(path).status_code == 404
    elsewhere = OrganisationFactory.create()
    other_admin = MembershipFactory.create(organisation=elsewhere, role=Role.ORG_ADMIN).user
    assert (
        "Sid Stranger"
        not in as_user(other_admin)
        .get(f"/organisations/{elsewhere.pk}/security-events/")
        .content.decode()
    )


# --- Deleting an account leaves the record alone ------------------------------------------------


def test_deleting_the_people_involved_leaves_the_record(
    relationship: CareRelationship, make_member: Callable[..., User]
) -> None:
    provider, owner = relationship.provider, relationship.service_user
    access.get_relationship_for_provider(provider, owner.pk)
    stranger = make_member(Role.SERVICE_USER)
    with pytest.raises(Http404):
        access.get_relationship_for_provider(stranger, owner.pk)
    owner_id = owner.pk
    owner.delete()
    provider.delete()
    stranger.delete()
    assert AccessLogEntry.objects.get().owner_id == owner_id
    assert SecurityEvent.objects.get().owner_id == owner_id


def test_times_are_the_time_of_the_read(relationship: CareRelationship) -> None:
    before = timezone.now()
    access.get_relationship_for_provider(relationship.provider, relationship.service_user_id)
    assert AccessLogEntry.objects.get().created_at >= before


def test_the_owners_log_still_shows_a_read_by_a_deleted_account(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    access.get_relationship_for_provider(relationship.provider, relationship.service_user_id)
    relationship.provider.delete()
    text = _log_lines(as_user(relationship.service_user).get("/care/access-log/"))
    assert "A former member viewed the overview" in text
