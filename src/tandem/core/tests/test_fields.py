from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection, models
from django.test.utils import isolate_apps
from pytest_django.fixtures import Settings

from tandem.core.fields import (
    DecryptionError,
    EncryptedTextField,
    decrypt_text,
    encrypt_text,
    get_keyring,
)
from tandem.core.tests.encrypted_app.models import SecretNote

pytestmark = pytest.mark.django_db

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def stored_values(note: SecretNote) -> tuple[str | None, str | None]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT body, private_remark FROM encrypted_app_secretnote WHERE id = %s", [note.pk]
        )
        body, remark = cursor.fetchone()
    return body, remark


def test_text_is_stored_as_a_fernet_token_and_read_back_as_text() -> None:
    note = SecretNote.objects.create(title="Tuesday", body="I felt low after the meeting.")
    body, _ = stored_values(note)
    assert body is not None
    assert "low" not in body
    assert body.startswith("gAAAAA")
    assert SecretNote.objects.get(pk=note.pk).body == "I felt low after the meeting."


def test_the_same_text_encrypts_differently_each_time() -> None:
    first = SecretNote.objects.create(title="a", body="same words")
    second = SecretNote.objects.create(title="b", body="same words")
    assert stored_values(first)[0] != stored_values(second)[0]


def test_non_ascii_text_round_trips() -> None:
    text = "Blåbærsyltetøy, 😊 and שלום"
    note = SecretNote.objects.create(title="x", body=text)
    assert SecretNote.objects.get(pk=note.pk).body == text


def test_none_and_empty_string_are_stored_unencrypted() -> None:
    note = SecretNote.objects.create(title="x", body="", private_remark=None)
    assert stored_values(note) == ("", None)
    fetched = SecretNote.objects.get(pk=note.pk)
    assert fetched.body == ""
    assert fetched.private_remark is None


def test_updating_the_value_re_encrypts_it() -> None:
    note = SecretNote.objects.create(title="x", body="before")
    note.body = "after"
    note.save(update_fields=["body"])
    assert SecretNote.objects.get(pk=note.pk).body == "after"


def test_queryset_update_and_bulk_create_encrypt_too() -> None:
    note = SecretNote.objects.create(title="x", body="first")
    SecretNote.objects.filter(pk=note.pk).update(body="updated in bulk")
    (created,) = SecretNote.objects.bulk_create([SecretNote(title="y", body="created in bulk")])
    for row in (note, created):
        body, _ = stored_values(row)
        assert body is not None
        assert "bulk" not in body
    assert SecretNote.objects.get(pk=note.pk).body == "updated in bulk"
    assert SecretNote.objects.get(pk=created.pk).body == "created in bulk"


def test_values_list_returns_plaintext() -> None:
    SecretNote.objects.create(title="x", body="listed")
    assert list(SecretNote.objects.values_list("body", flat=True)) == ["listed"]


def test_value_from_an_older_key_decrypts_after_a_new_key_is_prepended(
    settings: Settings,
) -> None:
    settings.TANDEM_ENCRYPTION_KEYS = [OLD_KEY]
    note = SecretNote.objects.create(title="x", body="kept through rotation")
    settings.TANDEM_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    assert SecretNote.objects.get(pk=note.pk).body == "kept through rotation"


def test_new_values_are_encrypted_with_the_first_key(settings: Settings) -> None:
    settings.TANDEM_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    note = SecretNote.objects.create(title="x", body="fresh")
    body, _ = stored_values(note)
    assert body is not None
    assert Fernet(NEW_KEY).decrypt(body.encode()) == b"fresh"


def test_reading_with_the_wrong_key_raises_instead_of_returning_ciphertext(
    settings: Settings,
) -> None:
    settings.TANDEM_ENCRYPTION_KEYS = [OLD_KEY]
    note = SecretNote.objects.create(title="x", body="private")
    settings.TANDEM_ENCRYPTION_KEYS = [NEW_KEY]
    with pytest.raises(DecryptionError, match="could not be decrypted"):
        SecretNote.objects.get(pk=note.pk)


def test_plaintext_left_in_the_column_raises_on_read() -> None:
    note = SecretNote.objects.create(title="x", body="private")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE encrypted_app_secretnote SET body = %s WHERE id = %s", ["plain", note.pk]
        )
    with pytest.raises(DecryptionError):
        SecretNote.objects.get(pk=note.pk)


@pytest.mark.parametrize(
    "lookup", ["body", "body__exact", "body__iexact", "body__contains", "body__startswith"]
)
def test_lookups_on_the_ciphertext_are_refused(lookup: str) -> None:
    with pytest.raises(FieldError, match="EncryptedTextField does not support"):
        SecretNote.objects.filter(**{lookup: "private"})


def test_in_lookup_is_refused() -> None:
    with pytest.raises(FieldError, match="'in' lookup"):
        # Keyword unpacking: the django-stubs plugin crashes analysing this lookup statically.
        lookups: dict[str, object] = {"body__in": ["a", "b"]}
        SecretNote.objects.filter(**lookups)


def test_transforms_on_the_ciphertext_are_refused() -> None:
    with pytest.raises(FieldError, match="'lower' transform"):
        lookups: dict[str, object] = {"body__lower__exact": "private"}
        SecretNote.objects.filter(**lookups)


def test_isnull_and_equals_none_lookups_work() -> None:
    with_remark = SecretNote.objects.create(title="a", body="x", private_remark="note")
    without = SecretNote.objects.create(title="b", body="x", private_remark=None)
    assert list(SecretNote.objects.filter(private_remark__isnull=False)) == [with_remark]
    assert list(SecretNote.objects.filter(private_remark__isnull=True)) == [without]
    assert list(SecretNote.objects.filter(private_remark=None)) == [without]


def test_deconstruct_names_the_public_path_and_keeps_options() -> None:
    field: EncryptedTextField[str | None, str | None] = EncryptedTextField(blank=True, null=True)
    field.set_attributes_from_name("remark")
    name, path, args, kwargs = field.deconstruct()
    assert (name, path, args) == ("remark", "tandem.core.fields.EncryptedTextField", [])
    assert kwargs == {"blank": True, "null": True}
    rebuilt: EncryptedTextField[str | None, str | None] = EncryptedTextField(*args, **kwargs)
    assert rebuilt.null and rebuilt.blank


@isolate_apps("tandem.core")
def test_unique_index_and_primary_key_are_refused_by_system_checks() -> None:
    class Unsearchable(models.Model):
        unique_text = EncryptedTextField(unique=True)
        indexed_text = EncryptedTextField(db_index=True)

        class Meta:
            app_label = "core"

        def __str__(self) -> str:
            return "unsearchable"

    errors = [error for error in Unsearchable.check() if error.id == "core.E001"]
    assert len(errors) == 2


@isolate_apps("tandem.core")
def test_a_plain_encrypted_field_passes_system_checks() -> None:
    class Plain(models.Model):
        text = EncryptedTextField(blank=True)

        class Meta:
            app_label = "core"

        def __str__(self) -> str:
            return "plain"

    assert Plain.check() == []


def test_missing_keys_are_a_configuration_error(settings: Settings) -> None:
    settings.TANDEM_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured, match="at least one Fernet key"):
        encrypt_text("x")


def test_invalid_key_error_names_its_position_but_not_the_key(settings: Settings) -> None:
    settings.TANDEM_ENCRYPTION_KEYS = [NEW_KEY, "not-a-real-key"]
    with pytest.raises(ImproperlyConfigured, match="entry 2") as caught:
        get_keyring()
    assert "not-a-real-key" not in str(caught.value)


def test_keyring_is_cached_per_set_of_keys(settings: Settings) -> None:
    settings.TANDEM_ENCRYPTION_KEYS = [NEW_KEY]
    first = get_keyring()
    assert get_keyring() is first
    settings.TANDEM_ENCRYPTION_KEYS = [OLD_KEY]
    assert get_keyring() is not first


def test_encrypt_and_decrypt_helpers_round_trip() -> None:
    assert decrypt_text(encrypt_text("helper")) == "helper"
