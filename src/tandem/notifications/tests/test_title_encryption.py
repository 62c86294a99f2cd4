"""Notification titles name people, so they are stored encrypted (issue 13)."""

from __future__ import annotations

import pytest
from django.core.exceptions import FieldError, ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tandem.accounts.models import User
from tandem.core.encrypted_values import encrypted_value_sources
from tandem.core.fields import decrypt_text
from tandem.notifications import services
from tandem.notifications.models import TITLE_MAX_LENGTH, Notification

TITLE = "Pat Jones replied to “Panic on buses”"
BEFORE = [("notifications", "0002_preferences_digest_quiet_hours")]
AFTER = [("notifications", "0003_encrypt_notification_title")]


def _stored_title(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT title FROM notifications_notification WHERE id = %s", [pk])
        row = cursor.fetchone()
    assert row is not None
    return str(row[0])


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.mark.django_db
def test_a_title_is_stored_as_ciphertext_and_read_as_text(service_user: User) -> None:
    notification = services.notify(recipient=service_user, kind="test", url="/", title=TITLE)
    stored = _stored_title(notification.pk)
    assert "Pat" not in stored and "Panic" not in stored
    assert decrypt_text(stored) == TITLE
    assert Notification.objects.get(pk=notification.pk).title == TITLE


def test_key_rotation_covers_titles() -> None:
    sources = {source.name: source for source in encrypted_value_sources()}
    assert "title" in sources["notifications.Notification"].columns


@pytest.mark.django_db
def test_an_empty_title_stays_empty(service_user: User) -> None:
    notification = services.notify(recipient=service_user, kind="test", url="/")
    assert _stored_title(notification.pk) == ""


@pytest.mark.django_db
def test_the_title_length_limit_still_holds(service_user: User) -> None:
    too_long = Notification(recipient=service_user, kind="test", url="/", title="a" * 201)
    with pytest.raises(ValidationError) as caught:
        too_long.full_clean()
    assert "title" in caught.value.error_dict
    cut = services.notify(recipient=service_user, kind="test", url="/", title="b" * 500)
    assert Notification.objects.get(pk=cut.pk).title == "b" * TITLE_MAX_LENGTH


@pytest.mark.parametrize("lookup", ["title", "title__contains"])
def test_the_database_cannot_be_asked_about_titles(lookup: str) -> None:
    with pytest.raises(FieldError):
        Notification.objects.filter(**{lookup: "Pat"})


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_titles_and_going_back_decrypts_them(
    service_user: User,
) -> None:
    executor = _migrate(BEFORE)
    old = executor.loader.project_state(BEFORE[0]).apps.get_model("notifications", "Notification")
    named = old.objects.create(recipient_id=service_user.pk, kind="test", url="/", title=TITLE)
    untitled = old.objects.create(recipient_id=service_user.pk, kind="test", url="/", title="")
    assert _stored_title(named.pk) == TITLE

    _migrate(AFTER)
    assert decrypt_text(_stored_title(named.pk)) == TITLE
    assert _stored_title(untitled.pk) == ""
    assert Notification.objects.get(pk=named.pk).title == TITLE

    _migrate(BEFORE)
    assert _stored_title(named.pk) == TITLE
    _migrate(AFTER)
