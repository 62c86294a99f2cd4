"""Care-team notifications (care.notify): who is told about requests, answers, comments and
grants, who is never told, and that the email says nothing but "something new"."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import Membership, Role, User
from tandem.care import notify, services
from tandem.care.models import CareRelationship, Level, Module, RelationshipStatus
from tandem.notifications.models import EmailFrequency, Notification
from tandem.notifications.selectors import notifications_for_user
from tandem.notifications.services import set_email_preference

pytestmark = pytest.mark.django_db

GOALS = Module.GOALS.value


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


def _kinds(user: User) -> list[str]:
    return [n.kind for n in notifications_for_user(user)]


def _pending(provider: User, service_user: User) -> CareRelationship:
    services.request_link(provider=provider, email=service_user.email)
    return CareRelationship.objects.get(
        provider=provider, service_user=service_user, status=RelationshipStatus.PENDING
    )


def test_a_request_by_email_tells_the_person_where_to_answer_and_not_the_provider(
    provider: User, service_user: User
) -> None:
    _pending(provider, service_user)
    (note,) = notifications_for_user(service_user)
    assert note.kind == notify.KIND_REQUEST
    assert note.url == "/care/team/"
    assert provider.get_full_name() in note.title
    assert note.actor == provider
    assert list(notifications_for_user(provider)) == []


def test_asking_again_while_waiting_does_not_tell_the_person_twice(
    provider: User, service_user: User
) -> None:
    _pending(provider, service_user)
    services.request_link(provider=provider, email=service_user.email)
    assert _kinds(service_user) == [notify.KIND_REQUEST]


def test_a_request_to_an_unknown_address_tells_nobody(provider: User) -> None:
    services.request_link(provider=provider, email="nobody@example.org")
    assert not Notification.objects.exists()


def test_the_email_after_a_request_names_nobody(
    provider: User,
    service_user: User,
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[object]],
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _pending(provider, service_user)
    (email,) = mail.outbox
    assert email.to == [service_user.email]
    assert email.subject == "Something new in Tandem"
    for word in (provider.get_full_name(), provider.pseudonym, "care team"):
        assert word not in email.subject and word not in email.body


def test_accepting_a_request_tells_the_provider_with_a_link_to_the_person(
    provider: User, service_user: User
) -> None:
    relationship = _pending(provider, service_user)
    services.accept_request(service_user=service_user, relationship=relationship)
    (note,) = notifications_for_user(provider)
    assert note.kind == notify.KIND_ACCEPTED
    assert note.url == f"/people/{service_user.pk}/"
    assert service_user.get_full_name() in note.title


def test_declining_tells_the_provider_nothing_and_hides_the_request(
    provider: User, service_user: User
) -> None:
    relationship = _pending(provider, service_user)
    services.decline_request(service_user=service_user, relationship=relationship)
    assert not Notification.objects.filter(recipient=provider).exists()
    # The request itself no longer shows for the person who declined it.
    assert _kinds(service_user) == []


def test_a_withdrawn_request_disappears_from_the_persons_notifications(
    provider: User, service_user: User
) -> None:
    _pending(provider, service_user)
    (care_request,) = provider.care_requests.all()
    services.withdraw_request(provider=provider, care_request=care_request)
    assert _kinds(service_user) == []


def test_adding_a_provider_by_code_tells_the_provider(provider: User, service_user: User) -> None:
    code = services.ensure_link_code(provider=provider).code
    services.link_provider_by_code(service_user=service_user, code=code)
    (note,) = notifications_for_user(provider)
    assert note.kind == notify.KIND_ADDED
    assert service_user.get_full_name() in note.title
    assert note.url == f"/people/{service_user.pk}/"
    assert _kinds(service_user) == []


def test_a_providers_comment_tells_the_owner_and_the_owners_answer_tells_nobody(
    relationship: CareRelationship, grant: Callable[..., object]
) -> None:
    grant(relationship, GOALS, Level.COMMENT)
    owner, provider = relationship.service_user, relationship.provider
    services.add_comment(
        author=provider,
        owner=owner,
        module=GOALS,
        item_id=7,
        body="Nice step.",
        owner_url="/toolbox/goals/7/#comments",
    )
    (note,) = notifications_for_user(owner)
    assert note.kind == notify.KIND_COMMENT
    assert note.url == "/toolbox/goals/7/#comments"
    assert provider.get_full_name() in note.title and "goals" in note.title
    assert "Nice step" not in note.title
    services.add_comment(author=owner, owner=owner, module=GOALS, item_id=7, body="Thanks")
    assert Notification.objects.count() == 1


def test_grants_given_raised_lowered_and_revoked_tell_the_provider_what_they_see_now(
    relationship: CareRelationship,
) -> None:
    owner, provider = relationship.service_user, relationship.provider
    journal = Module.JOURNAL.value

    def change(levels: dict[str, int]) -> str:
        services.set_grants(service_user=owner, levels={relationship.pk: levels})
        return notifications_for_user(provider).first().title  # type: ignore[union-attr]

    given = change({GOALS: Level.VIEW, journal: Level.NONE})
    assert owner.get_full_name() in given and "Goals and activities: Can view" in given
    assert "journal" not in given  # unchanged (nothing before, nothing now)
    raised = change({GOALS: Level.COMMENT})
    assert "Goals and activities: Can view and comment" in raised
    lowered = change({GOALS: Level.VIEW})
    assert "Goals and activities: Can view" in lowered
    revoked = change({GOALS: Level.NONE})
    assert "Goals and activities: Nothing" in revoked
    assert Notification.objects.filter(recipient=provider, kind=notify.KIND_GRANT).count() == 4
    assert not Notification.objects.filter(recipient=owner).exists()
    # Saving the same levels again changes nothing and tells nobody.
    services.set_grants(service_user=owner, levels={relationship.pk: {GOALS: Level.NONE}})
    assert Notification.objects.filter(recipient=provider).count() == 4


def test_a_provider_stops_seeing_notifications_about_a_person_when_the_relationship_ends(
    relationship: CareRelationship,
) -> None:
    owner, provider = relationship.service_user, relationship.provider
    services.set_grants(service_user=owner, levels={relationship.pk: {GOALS: Level.VIEW}})
    assert _kinds(provider) == [notify.KIND_GRANT]
    services.end_relationship(actor=owner, relationship=relationship)
    assert _kinds(provider) == []


def test_an_unverified_provider_sees_no_care_notifications(
    relationship: CareRelationship,
) -> None:
    owner, provider = relationship.service_user, relationship.provider
    services.set_grants(service_user=owner, levels={relationship.pk: {GOALS: Level.VIEW}})
    Membership.objects.filter(user=provider, role=Role.PROVIDER).update(verified_at=None)
    assert _kinds(provider) == []


def test_the_notification_opens_the_page_where_the_provider_acts(
    client: Client, relationship: CareRelationship
) -> None:
    from tandem.conftest import login_client

    owner, provider = relationship.service_user, relationship.provider
    services.set_grants(service_user=owner, levels={relationship.pk: {GOALS: Level.VIEW}})
    note = Notification.objects.get(recipient=provider)
    login_client(client, provider)
    response = client.post(f"/notifications/{note.pk}/open/")
    assert response.status_code == 302 and response["Location"] == f"/people/{owner.pk}/"
    page = client.get(response["Location"])
    assert page.status_code == 200


@pytest.mark.parametrize("preference", ["quiet_hours", "daily", "immediately"])
def test_the_email_keeps_to_the_providers_quiet_hours_and_digest(
    relationship: CareRelationship,
    preference: str,
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[object]],
) -> None:
    owner, provider = relationship.service_user, relationship.provider
    now = timezone.localtime()
    if preference == "quiet_hours":
        # Quiet from an hour ago to an hour from now, in the organisation's time zone.
        set_email_preference(
            user=provider,
            frequency=EmailFrequency.IMMEDIATELY,
            quiet_hours_start=(now - timedelta(hours=1)).time(),
            quiet_hours_end=(now + timedelta(hours=1)).time(),
            time_zone=str(now.tzinfo),
        )
    else:
        set_email_preference(user=provider, frequency=preference)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.set_grants(service_user=owner, levels={relationship.pk: {GOALS: Level.VIEW}})
    assert _kinds(provider) == [notify.KIND_GRANT]  # always in the portal
    assert len(mail.outbox) == (1 if preference == "immediately" else 0)
