"""Quiet hours are for care providers: only people with a provider membership see them on the
email settings page, and only theirs are saved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from tandem.accounts.models import Membership, Organisation, Role, User
from tandem.accounts.tests.factories import MembershipFactory
from tandem.conftest import login_client
from tandem.notifications import services
from tandem.notifications.models import EmailFrequency, NotificationPreference

pytestmark = pytest.mark.django_db

SETTINGS = "/notifications/settings/"
QUIET_HOURS = {"quiet_hours_start": "22:00", "quiet_hours_end": "07:00"}


def _unverified(user: User) -> User:
    Membership.objects.filter(user=user, role=Role.PROVIDER).update(verified_at=None)
    return user


@pytest.mark.parametrize(
    ("role", "verified", "offered"),
    [
        (Role.SERVICE_USER, True, False),
        (Role.PROVIDER, True, True),
        (Role.PROVIDER, False, True),
        (Role.MODERATOR, True, False),
        (Role.FACILITATOR, True, False),
        (Role.RESEARCHER, True, False),
        (Role.ORG_ADMIN, True, False),
    ],
)
def test_only_people_with_a_provider_membership_see_quiet_hours(
    client: Client, make_member: Callable[..., User], role: str, verified: bool, offered: bool
) -> None:
    person = make_member(role, totp=role != Role.SERVICE_USER)
    if not verified:
        _unverified(person)
    login_client(client, person)
    response = client.get(SETTINGS)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="email"' in page
    assert ('name="quiet_hours_start"' in page) is offered
    assert ('name="quiet_hours_end"' in page) is offered
    assert ("Quiet hours" in page) is offered


def test_a_service_user_who_is_also_a_provider_sees_quiet_hours(
    client: Client, make_member: Callable[..., User], organisation: Organisation
) -> None:
    person = make_member(Role.SERVICE_USER, totp=True)  # providers use two-step verification
    MembershipFactory.create(user=person, organisation=organisation, role=Role.PROVIDER)
    login_client(client, person)
    assert b'name="quiet_hours_start"' in client.get(SETTINGS).content


def test_quiet_hours_posted_by_a_service_user_change_nothing(
    client: Client, service_user: User
) -> None:
    login_client(client, service_user)
    response = client.post(SETTINGS, {"email": "daily", **QUIET_HOURS})
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=service_user)
    assert preference.email == EmailFrequency.DAILY  # the email choice is still saved
    assert (preference.quiet_hours_start, preference.quiet_hours_end) == (None, None)
    assert preference.time_zone == ""


@pytest.mark.parametrize(
    "quiet_hours",
    [
        {"quiet_hours_start": "22:00"},
        {"quiet_hours_start": "not a time", "quiet_hours_end": "25:99"},
        {"quiet_hours_start": ["22:00", "23:00"], "quiet_hours_end": ""},
    ],
)
def test_half_or_broken_quiet_hours_from_a_service_user_are_ignored_not_refused(
    client: Client, service_user: User, quiet_hours: dict[str, object]
) -> None:
    login_client(client, service_user)
    response = client.post(SETTINGS, {"email": "off", **quiet_hours})
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=service_user)
    assert preference.email == EmailFrequency.OFF
    assert preference.quiet_hours_start is None


def test_a_service_users_stored_quiet_hours_are_left_as_they_are(
    client: Client, service_user: User
) -> None:
    NotificationPreference.objects.create(
        user=service_user,
        quiet_hours_start=dt.time(21),
        quiet_hours_end=dt.time(6),
        time_zone="Europe/Oslo",
    )
    login_client(client, service_user)
    response = client.post(SETTINGS, {"email": "daily"})
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=service_user)
    assert preference.email == EmailFrequency.DAILY
    assert (preference.quiet_hours_start, preference.quiet_hours_end) == (dt.time(21), dt.time(6))
    assert preference.time_zone == "Europe/Oslo"


def test_a_provider_clears_quiet_hours_by_leaving_both_empty(
    client: Client, provider: User
) -> None:
    services.set_email_preference(
        user=provider,
        frequency=EmailFrequency.IMMEDIATELY,
        quiet_hours_start=dt.time(22),
        quiet_hours_end=dt.time(7),
        time_zone="Europe/London",
    )
    login_client(client, provider)
    page = client.get(SETTINGS).content.decode()
    assert 'value="22:00' in page and 'value="07:00' in page
    response = client.post(
        SETTINGS, {"email": "immediately", "quiet_hours_start": "", "quiet_hours_end": ""}
    )
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=provider)
    assert (preference.quiet_hours_start, preference.quiet_hours_end) == (None, None)


def test_set_email_preference_refuses_quiet_hours_for_a_service_user(
    service_user: User,
) -> None:
    with pytest.raises(PermissionDenied):
        services.set_email_preference(
            user=service_user,
            frequency=EmailFrequency.DAILY,
            quiet_hours_start=dt.time(22),
            quiet_hours_end=dt.time(7),
        )
    assert not NotificationPreference.objects.filter(user=service_user).exists()


def test_set_email_preference_saves_quiet_hours_for_an_unverified_provider(
    provider: User,
) -> None:
    _unverified(provider)
    preference = services.set_email_preference(
        user=provider,
        frequency=EmailFrequency.DAILY,
        quiet_hours_start=dt.time(22),
        quiet_hours_end=dt.time(7),
        time_zone="Europe/London",
    )
    preference.refresh_from_db()
    assert (preference.quiet_hours_start, preference.quiet_hours_end) == (dt.time(22), dt.time(7))
    assert preference.time_zone == "Europe/London"
