"""Notifications: in-portal list, read state, content-free email after commit, preferences."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client, override_settings
from django_tasks_db.models import DBTaskResult

from tandem.accounts.models import User
from tandem.conftest import login_client
from tandem.notifications import scopes, services
from tandem.notifications.models import EmailFrequency, Notification, NotificationPreference
from tandem.notifications.scopes import register_scope
from tandem.notifications.tasks import send_notification_email

pytestmark = pytest.mark.django_db


def _notify(user: User, **fields: object) -> Notification:
    defaults: dict[str, object] = {"kind": "test", "url": "/", "title": "Hello"}
    defaults.update(fields)
    return services.notify(recipient=user, **defaults)  # type: ignore[arg-type]


def test_email_is_queued_after_commit_and_says_nothing_specific(
    service_user: User, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:  # type: ignore[attr-defined]
        _notify(service_user, title="Kite replied to “Self-harm at school”")
    assert mail.outbox == []  # nothing is sent inside the transaction
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Something new in Tandem"
    assert "Kite" not in message.body and "Self-harm" not in message.body


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _queued_for(notification: Notification) -> bool:
    return any(
        row.task_path == send_notification_email.module_path
        and row.args_kwargs["kwargs"] == {"notification_id": notification.pk}
        for row in DBTaskResult.objects.all()
    )


@override_settings(TASKS=DATABASE_TASKS)
def test_with_the_database_backend_the_email_is_queued_in_the_same_transaction(
    service_user: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    # A worker that dies between the commit and an on_commit callback lost the email: the
    # task's row must be written with the notification, before anything commits.
    capture = django_capture_on_commit_callbacks()
    with capture as callbacks, transaction.atomic():
        notification = _notify(service_user)
        assert _queued_for(notification)  # already there, inside the transaction
    assert callbacks == []
    # Rolled back together: no notification, no task, no email.
    with pytest.raises(RuntimeError), transaction.atomic():
        rolled_back = _notify(service_user)
        raise RuntimeError("the post failed after notifying")
    assert not Notification.objects.filter(pk=rolled_back.pk).exists()
    assert not _queued_for(rolled_back)
    assert mail.outbox == []


def test_the_immediate_backend_sends_nothing_for_a_rolled_back_transaction(
    service_user: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    # It runs a task the moment it is queued: it still waits for the commit.
    capture = django_capture_on_commit_callbacks(execute=True)
    with capture as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        _notify(service_user)
        assert mail.outbox == []
        raise RuntimeError("the post failed after notifying")
    assert callbacks == []
    assert mail.outbox == []


def test_one_email_until_the_person_visits(
    service_user: User, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        first = _notify(service_user)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        _notify(service_user)
    assert len(mail.outbox) == 1
    services.mark_read(notification=first)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        _notify(service_user)
    assert len(mail.outbox) == 2


def test_email_off_sends_nothing(
    service_user: User, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    services.set_email_preference(user=service_user, frequency=EmailFrequency.OFF)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        _notify(service_user)
    assert mail.outbox == []


def test_unknown_scope_fails_closed(service_user: User, monkeypatch: pytest.MonkeyPatch) -> None:
    notification = _notify(service_user, scope_type="nowhere", scope_id=1)
    assert send_notification_email.call(notification_id=notification.pk) is False
    monkeypatch.setattr(scopes, "_SCOPES", dict(scopes._SCOPES))
    register_scope("test.everything", lambda user: User.objects.values("pk"))
    visible = _notify(service_user, scope_type="test.everything", scope_id=service_user.pk)
    assert send_notification_email.call(notification_id=visible.pk) is True


def test_list_open_and_mark_all_read(client: Client, service_user: User, provider: User) -> None:
    mine = _notify(service_user, title="For Skylark", url="/communities/")
    theirs = _notify(provider, title="For Pat")
    login_client(client, service_user)
    page = client.get("/notifications/").content.decode()
    assert "For Skylark" in page and "For Pat" not in page
    assert client.post(f"/notifications/{theirs.pk}/open/").status_code == 404
    response = client.post(f"/notifications/{mine.pk}/open/")
    assert response["Location"] == "/communities/"
    _notify(service_user)
    client.post("/notifications/read-all/")
    assert not Notification.objects.filter(recipient=service_user, read_at=None).exists()


def test_external_urls_are_never_followed(client: Client, service_user: User) -> None:
    notification = _notify(service_user, url="https://evil.example/")
    login_client(client, service_user)
    response = client.post(f"/notifications/{notification.pk}/open/")
    assert response["Location"] == "/notifications/"


def test_preference_page(client: Client, service_user: User) -> None:
    login_client(client, service_user)
    assert client.get("/notifications/settings/").status_code == 200
    assert client.post("/notifications/settings/", {"email": "weekly"}).status_code == 400
    client.post("/notifications/settings/", {"email": "off"})
    assert NotificationPreference.objects.get(user=service_user).email == EmailFrequency.OFF
