from __future__ import annotations

from collections.abc import Sequence
from io import StringIO
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models
from pytest_django.fixtures import Settings

from tandem.core import encrypted_values
from tandem.core.encrypted_values import (
    EncryptedRow,
    EncryptedValueSource,
    RotatedRow,
    encrypted_value_sources,
    register_encrypted_value_source,
)
from tandem.core.tests.encrypted_app.models import SecretNote

pytestmark = pytest.mark.django_db

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
LABEL = "encrypted_app.SecretNote"


def rotate(*args: str) -> str:
    out = StringIO()
    call_command("rotate_encryption_key", *args, stdout=out)
    return out.getvalue()


def failing(*args: str) -> tuple[str, str]:
    """Run the command expecting it to exit non-zero: its output and its error message."""
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("rotate_encryption_key", *args, stdout=out)
    return out.getvalue(), str(caught.value)


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


def test_dry_run_counts_writes_nothing_and_does_not_report_success(
    notes_under_old_key: list[SecretNote],
) -> None:
    tokens = raw_rows()

    output, error = failing("--dry-run")

    assert f"{LABEL}: 5 rows would rotate, 0 already current" in output
    assert f"{LABEL}: 5 rows on an older key" in error
    assert "passed" not in output
    assert raw_rows() == tokens


def test_dry_run_after_rotation_passes(notes_under_old_key: list[SecretNote]) -> None:
    rotate()
    output = rotate("--dry-run")
    assert f"{LABEL}: 0 rows would rotate, 5 already current" in output
    assert "Check passed" in output


def test_output_never_contains_plaintext_or_tokens(notes_under_old_key: list[SecretNote]) -> None:
    tokens = raw_rows()

    output = "".join(failing("--dry-run")) + "".join(failing("--check")) + rotate()
    output += rotate("--dry-run") + rotate("--check")

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


# --- Checking that nothing is left on an older key ------------------------------------------------


def test_rotation_ends_with_a_passed_check(notes_under_old_key: list[SecretNote]) -> None:
    output = rotate()
    assert "Check passed: every encrypted value decrypts with the primary key alone" in output


def test_check_fails_naming_the_source_while_values_are_on_an_older_key(
    notes_under_old_key: list[SecretNote],
) -> None:
    tokens = raw_rows()

    output, error = failing("--check")

    assert f"{LABEL}: 0 rows on the primary key, 5 on an older key, 0 cannot be decrypted" in output
    assert f"{LABEL}: 5 rows on an older key" in error
    assert "Run rotate_encryption_key" in error
    assert raw_rows() == tokens


def test_check_passes_after_a_full_rotation(notes_under_old_key: list[SecretNote]) -> None:
    rotate()

    output = rotate("--check")

    assert f"{LABEL}: 5 rows on the primary key, 0 on an older key, 0 cannot be decrypted" in output
    assert "Check passed" in output


def test_check_and_dry_run_count_values_no_key_can_open(
    notes_under_old_key: list[SecretNote], settings: Settings
) -> None:
    rotate()
    foreign_token = Fernet(Fernet.generate_key()).encrypt(b"unknown").decode()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE encrypted_app_secretnote SET private_remark = %s WHERE id = %s",
            [foreign_token, notes_under_old_key[0].pk],
        )

    for mode in ("--check", "--dry-run"):
        output, error = failing(mode)
        assert f"{LABEL}: 1 row no configured key can decrypt" in error
        assert "need the key they were encrypted with back" in error
        assert foreign_token not in output + error


def test_check_needs_the_primary_key_alone(
    notes_under_old_key: list[SecretNote], settings: Settings
) -> None:
    """A value under the second key decrypts fine today, but is not safe to drop that key."""
    rotate()
    settings.TANDEM_ENCRYPTION_KEYS = [OLD_KEY, NEW_KEY]  # the old key back in front

    _, error = failing("--check")

    assert f"{LABEL}: 5 rows on an older key" in error


def test_check_and_dry_run_cannot_be_combined() -> None:
    with pytest.raises(CommandError, match="not allowed with"):
        rotate("--check", "--dry-run")


# --- Encrypted value sources registered by other apps -----------------------------------------


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, EncryptedValueSource]:
    """The registry as the installed apps left it, restored after the test."""
    registered = dict(encrypted_values._registered)
    monkeypatch.setattr(encrypted_values, "_registered", registered)
    return registered


def _titles() -> models.QuerySet[Any, EncryptedRow]:
    queryset: models.QuerySet[Any, EncryptedRow] = SecretNote.objects.values_list("pk", "title")
    return queryset


def _write_titles(changed: Sequence[RotatedRow]) -> None:
    for pk, (title,) in changed:
        SecretNote.objects.filter(pk=pk).update(title=title)


# Titles are plain text; these sources treat them as values encrypted outside a field.
TITLES = EncryptedValueSource(
    name="test titles", columns=("title",), rows=_titles, write=_write_titles
)
TITLES_LOST = EncryptedValueSource(
    name="test titles, writer loses", columns=("title",), rows=_titles, write=lambda rows: None
)


def _notes_with_titles_under_old_key(settings: Settings, count: int) -> None:
    old = Fernet(OLD_KEY)
    for n in range(count):
        SecretNote.objects.create(title=old.encrypt(f"title {n}".encode()).decode(), body="b")
    settings.TANDEM_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]


def test_registered_sources_are_rotated_in_batches_and_checked(
    registry: dict[str, EncryptedValueSource], settings: Settings
) -> None:
    settings.TANDEM_ENCRYPTION_KEYS = [NEW_KEY]
    _notes_with_titles_under_old_key(settings, 5)
    register_encrypted_value_source(TITLES)

    output = rotate("--batch-size", "2")

    assert "test titles: 5 rows rotated, 0 already current" in output
    assert "Check passed" in output
    new = Fernet(NEW_KEY)
    assert sorted(
        new.decrypt(t.encode()).decode() for t in SecretNote.objects.values_list("title", flat=True)
    ) == [f"title {n}" for n in range(5)]


def test_rotation_does_not_report_success_when_values_stay_on_an_older_key(
    registry: dict[str, EncryptedValueSource], settings: Settings
) -> None:
    settings.TANDEM_ENCRYPTION_KEYS = [NEW_KEY]
    _notes_with_titles_under_old_key(settings, 2)
    register_encrypted_value_source(TITLES_LOST)

    output, error = failing()

    assert "test titles, writer loses: 2 rows rotated" in output
    assert "passed" not in output
    assert "test titles, writer loses: 2 rows on an older key" in error
    assert "restart every process" in error
    assert LABEL not in error  # the field source is fine and not named


def test_registering_the_same_source_twice_is_harmless(
    registry: dict[str, EncryptedValueSource],
) -> None:
    register_encrypted_value_source(TITLES)
    register_encrypted_value_source(TITLES)
    assert [s.name for s in encrypted_value_sources()].count("test titles") == 1


def test_two_sources_cannot_share_a_name(registry: dict[str, EncryptedValueSource]) -> None:
    register_encrypted_value_source(TITLES)
    clash = EncryptedValueSource(
        name="test titles", columns=("title",), rows=_titles, write=lambda rows: None
    )
    with pytest.raises(ImproperlyConfigured, match="test titles"):
        register_encrypted_value_source(clash)


def test_a_source_cannot_take_a_model_label(registry: dict[str, EncryptedValueSource]) -> None:
    register_encrypted_value_source(
        EncryptedValueSource(name=LABEL, columns=("title",), rows=_titles, write=_write_titles)
    )
    with pytest.raises(ImproperlyConfigured, match=LABEL):
        encrypted_value_sources()


def test_every_model_with_an_encrypted_field_is_a_source() -> None:
    from django.apps import apps

    from tandem.core.fields import EncryptedTextField

    expected = {
        model._meta.label
        for model in apps.get_models()
        if not model._meta.proxy
        and any(isinstance(f, EncryptedTextField) for f in model._meta.local_concrete_fields)
    }
    names = {source.name for source in encrypted_value_sources()}
    assert LABEL in expected
    assert expected <= names
