"""Every place the database holds values encrypted with ``TANDEM_ENCRYPTION_KEYS``.

``rotate_encryption_key`` must re-encrypt all of them before an old key can be removed, so it
asks this module rather than a hand-kept list. There are two kinds of *encrypted value source*:

- every ``EncryptedTextField`` of every installed model, found through the app registry:
  nothing to register, a new field is covered the moment its model is installed;
- values an app encrypts itself with ``encrypt_text`` outside a field (for example allauth's
  ``Authenticator.data``, encrypted by ``accounts.adapters.MFAAdapter``): the app that encrypts
  them registers a source from its ``AppConfig.ready()`` with
  ``register_encrypted_value_source``. Core offers the registry; higher apps register with it.

A source is a name (shown in the command's output), a function returning a ``values_list``
queryset of ``(pk, value, value, ...)`` rows, the names of those value columns (for messages),
and a writer. Each value is a Fernet token (``str``), a list of tokens (a JSON list), or
``None``/``""`` for nothing. The command orders, pages, locks and wraps the batches in
transactions itself; the writer receives the changed rows of one batch as
``(pk, (new value, ...))``, with every column in the same shape as read (unchanged ones as
they were), inside that batch's transaction, the rows already locked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import ExpressionWrapper, F, Value

from tandem.core.fields import EncryptedTextField

# One stored row as read: the primary key, then one value per column.
EncryptedRow = tuple[Any, ...]
# A changed row for the writer: the primary key and the new values of every column.
RotatedRow = tuple[Any, tuple[Any, ...]]


@dataclass(frozen=True)
class EncryptedValueSource:
    """Where some encrypted values are kept, and how to read and rewrite them.

    ``rows()`` returns a queryset of ``(pk, value, ...)`` tuples, one value per name in
    ``columns``; it must allow ``order_by("pk")``, ``filter(pk__gt=...)``,
    ``select_for_update(of=("self",))`` and slicing. ``write(rows)`` stores the new values.
    """

    name: str
    columns: tuple[str, ...]
    rows: Callable[[], models.QuerySet[Any, EncryptedRow]]
    write: Callable[[Sequence[RotatedRow]], None]


_registered: dict[str, EncryptedValueSource] = {}


def register_encrypted_value_source(source: EncryptedValueSource) -> None:
    """Make ``source`` part of every key rotation and check. Call from ``AppConfig.ready()``.

    Registering the same source again is harmless; a different source under a name already
    taken is refused, so two sources can never hide behind one line of output.
    """
    existing = _registered.get(source.name)
    if existing is not None and existing != source:
        raise ImproperlyConfigured(
            f"Two different encrypted value sources are named {source.name!r}."
        )
    _registered[source.name] = source


def encrypted_value_sources() -> list[EncryptedValueSource]:
    """Every source: one per model with ``EncryptedTextField`` columns, then the registered."""
    sources = [_field_source(model, fields) for model, fields in _encrypted_models()]
    taken = {source.name for source in sources}
    for source in _registered.values():
        if source.name in taken:
            raise ImproperlyConfigured(
                f"The encrypted value source {source.name!r} has the name of a model label."
            )
        sources.append(source)
    return sources


def _encrypted_models() -> list[tuple[type[models.Model], list[EncryptedTextField[Any, Any]]]]:
    found = []
    for model in apps.get_models():
        # Proxies share their concrete model's table, and unmanaged models' tables are not ours.
        if model._meta.proxy or not model._meta.managed:
            continue
        # Local fields only: a multi-table child's inherited fields live in the parent's table,
        # which is visited as a model of its own.
        fields = [f for f in model._meta.local_concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            found.append((model, fields))
    return found


def _field_source(
    model: type[models.Model], fields: Sequence[EncryptedTextField[Any, Any]]
) -> EncryptedValueSource:
    # Read the stored tokens, not the text: a plain TextField output skips the field's
    # decryption, so the tokens can be checked and rotated as they are.
    raw_columns = {
        f"ciphertext_of_{field.attname}": ExpressionWrapper(
            F(field.attname), output_field=models.TextField()
        )
        for field in fields
    }

    def rows() -> models.QuerySet[Any, EncryptedRow]:
        queryset: models.QuerySet[Any, EncryptedRow] = model._base_manager.annotate(
            **raw_columns
        ).values_list("pk", *raw_columns)
        return queryset

    def write(changed: Sequence[RotatedRow]) -> None:
        updates = []
        for pk, tokens in changed:
            instance = model(pk=pk)
            for field, token in zip(fields, tokens, strict=True):
                # A Value with a plain TextField output is written as given: the field's own
                # get_prep_value would encrypt the token a second time. bulk_update writes
                # every column, so unchanged ones are passed back as they were.
                setattr(instance, field.attname, Value(token, output_field=models.TextField()))
            updates.append(instance)
        model._base_manager.bulk_update(updates, [field.name for field in fields])

    return EncryptedValueSource(
        name=model._meta.label,
        columns=tuple(field.name for field in fields),
        rows=rows,
        write=write,
    )
