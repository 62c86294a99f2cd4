from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from pytest_django.fixtures import Settings

from tandem.core.tests.encrypted_app.models import SecretNote

pytestmark = pytest.mark.django_db

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
LABEL = "encrypted_app.SecretNote"


def rotate(*args: str) -> str:
    out = StringIO()
    call_command("rotate_encryption_key", *args, stdout=out)
    return out.getvalue()


def raw_rows() -> dict[int, tuple[str | None, str | None]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, body, private_remark FROM encrypted_app_secretnote")
        return {pk: (body, remark) for pk, body, remark in cursor.fetchall()}


@pytest.fixture
def notes_under_old_key(settings: Settings) -> list[SecretNote]:
    settings.TANDEM_ENCRYPTION_KEYS = [OLD_KEY]
    notes = [
        SecretNote.objects.create(title=f"note {n}", body=f"private body {n}", private_remark=r)
        for n, r in enumerate(["remark", None, "", "another remark", None])
    ]
    settings.TANDEM_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    return notes


def test_rotation_re_encrypts_every_value_with_the_new_key(
    notes_under_old_key: list[SecretNote], settings: Settings
) -> None:
    output = rotate()

    assert f"{LABEL}: 5 rows rotated, 0 already current" in output
    new = Fernet(NEW_KEY)
    for body, remark in raw_rows().values():
        assert body is not None
        new.decrypt(body.encode())
        if remark:
            new.decrypt(remark.encode())
    settings.TANDEM_ENCRYPTION_KEYS = [NEW_KEY]
    assert sorted(note.body for note in SecretNote.objects.all()) == [
        f"private body {n}" for n in range(5)
    ]


def test_rotation_keeps_null_and_empty_values_as_they_were(
    notes_under_old_key: list[SecretNote],
) -> None:
    rotate()

    rows = raw_rows()
    assert rows[notes_under_old_key[1].pk][1] is None
    assert rows[notes_under_old_key[2].pk][1] == ""


def test_rotation_leaves_updated_at_alone(notes_under_old_key: list[SecretNote]) -> None:
    before = {note.pk: note.updated_at for note in SecretNote.objects.all()}
    rotate()
    assert {note.pk: note.updated_at for note in SecretNote.objects.all()} == before


def test_second_run_finds_nothing_to_rotate(notes_under_old_key: list[SecretNote]) -> None:
    rotate()
    tokens = raw_rows()

    output = rotate()

    assert f"{LABEL}: 0 rows rotated, 5 already current" in output
    assert raw_rows() == tokens


def test_small_batches_cover_every_row(notes_under_old_key: list[SecretNote]) -> None:
    output = rotate("--batch-size", "2")

    assert f"{LABEL}: 5 rows rotated" in output
    new = Fernet(NEW_KEY)
    for body, _ in raw_rows().values():
        assert body is not None
        new.decrypt(body.encode())


def test_dry_run_counts_but_writes_nothing(notes_under_old_key: list[SecretNote]) -> None:
    tokens = raw_rows()

    output = rotate("--dry-run")

    assert f"{LABEL}: 5 rows would rotate, 0 already current" in output
    assert raw_rows() == tokens


def test_output_never_contains_plaintext_or_tokens(notes_under_old_key: list[SecretNote]) -> None:
    tokens = raw_rows()

    output = rotate() + rotate("--dry-run")

    assert "private body" not in output
    assert "remark" not in output
    assert "gAAAAA" not in output
    for body, _ in tokens.values():
        assert body is not None
        assert body not in output


def test_value_no_key_can_open_stops_with_a_clear_error(
    notes_under_old_key: list[SecretNote], settings: Settings
) -> None:
    stranger = SecretNote.objects.create(title="x", body="placeholder")
    foreign_token = Fernet(Fernet.generate_key()).encrypt(b"unknown").decode()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE encrypted_app_secretnote SET body = %s WHERE id = %s",
            [foreign_token, stranger.pk],
        )

    with pytest.raises(CommandError, match=f"pk={stranger.pk} field body") as caught:
        rotate()

    assert "unknown" not in str(caught.value)
    assert foreign_token not in str(caught.value)


def test_a_failing_batch_is_rolled_back(
    notes_under_old_key: list[SecretNote], settings: Settings
) -> None:
    last = notes_under_old_key[-1]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE encrypted_app_secretnote SET body = %s WHERE id = %s",
            [Fernet(Fernet.generate_key()).encrypt(b"x").decode(), last.pk],
        )
    tokens = raw_rows()

    with pytest.raises(CommandError):
        rotate("--batch-size", "100")

    assert raw_rows() == tokens


def test_batch_size_must_be_positive(notes_under_old_key: list[SecretNote]) -> None:
    with pytest.raises(CommandError, match="at least 1"):
        rotate("--batch-size", "0")


def test_with_no_encrypted_rows_it_reports_zero() -> None:
    output = rotate()
    assert f"{LABEL}: 0 rows rotated, 0 already current" in output
    assert "Total: 0 rows rotated" in output
