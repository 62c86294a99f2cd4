"""Re-encrypt every ``EncryptedTextField`` value with the current primary key.

Operator procedure for rotating the encryption key:

1. Generate a new key: ``python -c "from cryptography.fernet import Fernet;
   print(Fernet.generate_key().decode())"``.
2. Put it *first* in ``TANDEM_ENCRYPTION_KEYS``, keeping the old key(s) after it
   (``TANDEM_ENCRYPTION_KEYS=<new>,<old>``), and restart every process. New writes now use
   the new key; old values still decrypt with the old one.
3. Run ``python -m tandem.manage rotate_encryption_key --dry-run`` to see how many values
   will change and to confirm that every value decrypts, then run it without ``--dry-run``.
   It works in batches, each in its own transaction, so it can run while the portal is up and
   can simply be run again if it stops part-way.
4. Run it once more: every model should report ``0 rows rotated``.
5. Remove the old key from ``TANDEM_ENCRYPTION_KEYS`` and restart. Keep a copy of the old key
   until every backup made before step 3 has expired, or those backups cannot be read.

Only counts, model labels and primary keys are printed: the command never decrypts a value
into its output.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.db.models import ExpressionWrapper, F, Value

from tandem.core.fields import EncryptedTextField, Keyring, get_keyring

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

DEFAULT_BATCH_SIZE = 500


@dataclass
class RotationCount:
    rotated: int = 0
    current: int = 0


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field with the first key in TANDEM_ENCRYPTION_KEYS, "
        "so older keys can then be removed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check and count what would be re-encrypted, without writing anything.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"Rows per transaction (default {DEFAULT_BATCH_SIZE}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run: bool = options["dry_run"]
        batch_size: int = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        keyring = get_keyring()
        verb = "would rotate" if dry_run else "rotated"
        total = RotationCount()
        for model, fields in _encrypted_models():
            count = _rotate_model(model, fields, keyring, batch_size=batch_size, dry_run=dry_run)
            total.rotated += count.rotated
            total.current += count.current
            self.stdout.write(
                f"{model._meta.label}: {count.rotated} rows {verb}, {count.current} already current"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Total: {total.rotated} rows {verb}, {total.current} already current"
            )
        )


def _encrypted_models() -> Iterator[tuple[type[models.Model], list[EncryptedTextField[Any, Any]]]]:
    for model in apps.get_models():
        # Proxies share their concrete model's table, and unmanaged models' tables are not ours.
        if model._meta.proxy or not model._meta.managed:
            continue
        # Local fields only: a multi-table child's inherited fields live in the parent's table,
        # which is visited as a model of its own.
        fields = [f for f in model._meta.local_concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            yield model, fields


def _rotate_model(
    model: type[models.Model],
    fields: Sequence[EncryptedTextField[Any, Any]],
    keyring: Keyring,
    *,
    batch_size: int,
    dry_run: bool,
) -> RotationCount:
    count = RotationCount()
    # Read the stored tokens, not the text: a plain TextField output skips the field's
    # decryption, so MultiFernet.rotate can work on the ciphertext directly.
    raw_columns = {
        f"ciphertext_of_{field.attname}": ExpressionWrapper(
            F(field.attname), output_field=models.TextField()
        )
        for field in fields
    }
    last_pk: Any = None
    while True:
        with transaction.atomic():
            queryset = model._base_manager.order_by("pk").annotate(**raw_columns)
            if last_pk is not None:
                queryset = queryset.filter(pk__gt=last_pk)
            if not dry_run:
                # Lock the batch so a save made meanwhile is not overwritten with its old value.
                queryset = queryset.select_for_update(of=("self",))
            # Keyset pages rather than one long cursor: each page is its own short transaction,
            # and rows are never updated under an open cursor.
            rows = list(queryset.values_list("pk", *raw_columns)[:batch_size])
            if not rows:
                return count
            last_pk = rows[-1][0]
            updates = _rotated_rows(model, fields, rows, keyring, count)
            if updates and not dry_run:
                model._base_manager.bulk_update(updates, [field.name for field in fields])


def _rotated_rows(
    model: type[models.Model],
    fields: Sequence[EncryptedTextField[Any, Any]],
    rows: Sequence[tuple[Any, ...]],
    keyring: Keyring,
    count: RotationCount,
) -> list[models.Model]:
    updates: list[models.Model] = []
    for pk, *tokens in rows:
        instance = model(pk=pk)
        changed = False
        for field, token in zip(fields, tokens, strict=True):
            # Keep every column as it is unless it needs a new token; bulk_update writes them all.
            new_token = token
            if token and not _is_current(token, keyring):
                new_token = _rotate_token(model, pk, field, token, keyring)
                changed = True
            # A Value with a plain TextField output is written as given: the field's own
            # get_prep_value would encrypt the token a second time.
            setattr(instance, field.attname, Value(new_token, output_field=models.TextField()))
        if changed:
            count.rotated += 1
            updates.append(instance)
        else:
            count.current += 1
    return updates


def _is_current(token: str, keyring: Keyring) -> bool:
    try:
        # Checks the token's signature against the primary key without decrypting it.
        keyring.primary.extract_timestamp(token.encode("ascii"))
    except (InvalidToken, UnicodeError):
        return False
    return True


def _rotate_token(
    model: type[models.Model],
    pk: Any,
    field: EncryptedTextField[Any, Any],
    token: str,
    keyring: Keyring,
) -> str:
    try:
        return keyring.all_keys.rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError) as error:
        raise CommandError(
            f"{model._meta.label} pk={pk} field {field.name}: no key in TANDEM_ENCRYPTION_KEYS "
            "can decrypt this value. Nothing in this batch was changed; restore the missing "
            "key and run the command again."
        ) from error
