"""Encryption at rest for sensitive free text.

``EncryptedTextField`` stores a Fernet token instead of the text. The keys come from
``settings.TANDEM_ENCRYPTION_KEYS`` (newest first): the first key encrypts, every key decrypts,
so keys can be rotated with ``manage.py rotate_encryption_key`` without downtime (it also
covers values encrypted outside a field, see ``tandem.core.encrypted_values``).

What it protects: a copied database file, dump or backup without the keys reveals no
free text. What it does not protect: the text's length (roughly), whether it is empty, and
anything to someone who holds both the database and the keys.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models
from django.db.models.lookups import Exact

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.expressions import Expression
    from django.db.models.lookups import Lookup, Transform


# Type parameters as django-stubs declares them, so its mypy plugin can work out ``str`` or
# ``str | None`` from ``null=`` for each model attribute. Subscripting Field and Lookup at run
# time relies on django_stubs_ext.monkeypatch(), which settings/environment.py calls.
_ST = TypeVar("_ST", contravariant=True)
_GT = TypeVar("_GT", covariant=True)


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key.

    Raised instead of returning the ciphertext, so a missing or wrong key is noticed at once
    rather than shown to people as gibberish or silently re-saved.
    """


@dataclass(frozen=True)
class Keyring:
    """The configured keys, ready to use: ``primary`` encrypts, ``all_keys`` decrypts."""

    primary: Fernet
    all_keys: MultiFernet


def get_keyring() -> Keyring:
    """Return the keyring for the current ``settings.TANDEM_ENCRYPTION_KEYS``.

    Raise ``ImproperlyConfigured`` when no key is set or a key is not a valid Fernet key.
    """
    keys = tuple(getattr(settings, "TANDEM_ENCRYPTION_KEYS", None) or ())
    if not keys:
        raise ImproperlyConfigured("TANDEM_ENCRYPTION_KEYS must hold at least one Fernet key.")
    return _build_keyring(keys)


# Keyed on the keys themselves so a test that overrides the setting gets a matching keyring.
@functools.lru_cache(maxsize=8)
def _build_keyring(keys: tuple[str, ...]) -> Keyring:
    fernets: list[Fernet] = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError) as error:
            # Name the position, never the key: this message may end up in a log.
            raise ImproperlyConfigured(
                f"TANDEM_ENCRYPTION_KEYS entry {position} is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes, e.g. from Fernet.generate_key())."
            ) from error
    return Keyring(primary=fernets[0], all_keys=MultiFernet(fernets))


def encrypt_text(plaintext: str) -> str:
    """Return a Fernet token for ``plaintext`` made with the primary key.

    A token stored anywhere but an ``EncryptedTextField`` must be in an encrypted value source
    registered with ``tandem.core.encrypted_values``, or key rotation leaves it on the old key.
    """
    return get_keyring().all_keys.encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    """Return the plaintext of ``token``; raise ``DecryptionError`` if no key opens it."""
    try:
        return get_keyring().all_keys.decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError) as error:
        raise DecryptionError(
            "An encrypted value could not be decrypted with any key in "
            "TANDEM_ENCRYPTION_KEYS. Was a key removed before rotate_encryption_key ran?"
        ) from error


def _unsupported_lookup(lookup_name: str) -> FieldError:
    return FieldError(
        f"EncryptedTextField does not support the '{lookup_name}' lookup: the database holds "
        "ciphertext that differs on every save. Only 'isnull' (or '=None') is allowed."
    )


class _ExactNoneOnly(Exact[Any]):
    def __init__(self, lhs: Any, rhs: Any) -> None:
        if rhs is not None:
            raise _unsupported_lookup("exact")
        super().__init__(lhs, rhs)


class EncryptedTextField(models.TextField[_ST, _GT]):
    """A ``TextField`` whose value is stored encrypted (a Fernet token) and read as text.

    ``None`` is stored as NULL and the empty string as the empty string, unencrypted: that a
    value is empty is not secret, and it keeps ``blank=True`` fields and their defaults plain.

    Each encryption of the same text gives a different token, so the database cannot compare
    values: only ``isnull`` (and ``field=None``, which Django treats as ``isnull``) is allowed;
    any other lookup (``exact`` with a value, ``contains``, ``in``, …) raises ``FieldError``.
    For the same reason ``unique``, ``db_index`` and ``primary_key`` are refused by the system
    checks, and ordering by the field sorts by ciphertext, which is meaningless. Text kept in
    this field cannot be searched by the database.

    The field takes no options beyond TextField's, so the inherited ``deconstruct`` already
    gives migrations everything they need (its path is ``tandem.core.fields.EncryptedTextField``).

    ``dumpdata`` writes the decrypted text, as for any other field; treat dumps accordingly.
    """

    description = "Text encrypted at rest"

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        for option in ("unique", "db_index", "primary_key"):
            if getattr(self, option):
                errors.append(
                    checks.Error(
                        f"EncryptedTextField cannot use {option}=True: its stored values are "
                        "randomised ciphertext, so the database cannot compare them.",
                        obj=self,
                        id="core.E001",
                    )
                )
        return errors

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(str(value))

    def from_db_value(
        self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper
    ) -> str | None:
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        if lookup_name == "exact":
            # Django spells ``field=None`` as an exact lookup before turning it into isnull.
            return _ExactNoneOnly
        raise _unsupported_lookup(lookup_name)

    def get_transform(self, lookup_name: str) -> type[Transform] | None:
        raise FieldError(
            f"EncryptedTextField does not support the '{lookup_name}' transform: the "
            "database holds ciphertext, not text."
        )
