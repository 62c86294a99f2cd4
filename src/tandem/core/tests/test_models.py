from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from tandem.core.tests.encrypted_app.models import SecretNote

pytestmark = pytest.mark.django_db


def test_timestamps_are_set_on_create_and_update_moves_only_updated_at() -> None:
    with time_machine.travel(datetime(2026, 1, 5, 9, 0, tzinfo=UTC), tick=False):
        note = SecretNote.objects.create(title="x", body="y")
    assert note.created_at == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert note.updated_at == note.created_at

    with time_machine.travel(datetime(2026, 1, 6, 10, 30, tzinfo=UTC), tick=False):
        note.title = "changed"
        note.save(update_fields=["title", "updated_at"])
    note.refresh_from_db()
    assert note.created_at == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert note.updated_at == datetime(2026, 1, 6, 10, 30, tzinfo=UTC)


def test_string_form_never_shows_the_encrypted_body() -> None:
    assert str(SecretNote(title="Tuesday", body="private")) == "Tuesday"
