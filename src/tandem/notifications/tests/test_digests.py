"""Email preferences: immediately, daily digest or off; quiet hours hold emails back."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client

from tandem.accounts.models import User
from tandem.conftest import login_client
from tandem.notifications import services
from tandem.notifications.models import EmailFrequency, NotificationPreference

pytestmark = pytest.mark.django_db

LONDON = "Europe/London"
# 23:30 in London in winter (UTC+0).
NIGHT = dt.datetime(2026, 1, 10, 23, 30, tzinfo=dt.UTC)
MORNING = dt.datetime(2026, 1, 11, 7, 30, tzinfo=dt.UTC)


def _notify(user: User, django_capture_on_commit_callbacks: object) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        services.notify(recipient=user, kind="test", url="/", title="Pat wrote about sleep")


def test_daily_digest_sends_one_content_free_email_a_day(
    service_user: User, django_capture_on_commit_callbacks: object
) -> None:
    services.set_email_preference(user=service_user, frequency=EmailFrequency.DAILY)
    with time_machine.travel(MORNING, tick=False):
        _notify(service_user, django_capture_on_commit_callbacks)
        _notify(service_user, django_capture_on_commit_callbacks)
        assert mail.outbox == []  # nothing at once
        call_command("send_digests", stdout=StringIO())
        assert len(mail.outbox) == 1
        assert "Pat" not in mail.outbox[0].body and "sleep" not in mail.outbox[0].body
        _notify(service_user, django_capture_on_commit_callbacks)
        call_command("send_digests", stdout=StringIO())
        assert len(mail.outbox) == 1  # one a day
    with time_machine.travel(MORNING + dt.timedelta(days=1), tick=False):
        call_command("send_digests", stdout=StringIO())
    assert len(mail.outbox) == 2


def test_quiet_hours_hold_the_email_until_they_end(
    provider: User, django_capture_on_commit_callbacks: object
) -> None:
    services.set_email_preference(
        user=provider,
        frequency=EmailFrequency.IMMEDIATELY,
        quiet_hours_start=dt.time(22, 0),
        quiet_hours_end=dt.time(7, 0),
        time_zone=LONDON,
    )
    with time_machine.travel(NIGHT, tick=False):
        _notify(provider, django_capture_on_commit_callbacks)
        call_command("send_digests", stdout=StringIO())
    assert mail.outbox == []
    with time_machine.travel(MORNING, tick=False):
        call_command("send_digests", stdout=StringIO())
        call_command("send_digests", stdout=StringIO())
    assert len(mail.outbox) == 1


def test_off_sends_no_digest(
    service_user: User, django_capture_on_commit_callbacks: object
) -> None:
    services.set_email_preference(user=service_user, frequency=EmailFrequency.OFF)
    _notify(service_user, django_capture_on_commit_callbacks)
    call_command("send_digests", stdout=StringIO())
    assert mail.outbox == []


def test_preference_page_saves_a_providers_quiet_hours_and_refuses_half_of_them(
    client: Client, provider: User
) -> None:
    login_client(client, provider)
    response = client.post(
        "/notifications/settings/", {"email": "daily", "quiet_hours_start": "22:00"}
    )
    assert response.status_code == 400
    assert b"both a start and an end" in response.content
    response = client.post(
        "/notifications/settings/",
        {"email": "daily", "quiet_hours_start": "22:00", "quiet_hours_end": "07:00"},
    )
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=provider)
    assert preference.email == EmailFrequency.DAILY
    assert (preference.quiet_hours_start, preference.quiet_hours_end) == (dt.time(22), dt.time(7))
    assert preference.time_zone
