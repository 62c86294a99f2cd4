"""Re-encrypt every encrypted value in the database with the current primary key.

"Every" means every encrypted value source (``tandem.core.encrypted_values``): each
``EncryptedTextField`` of each installed model, found through the app registry, and the values
apps encrypt outside a field and register (allauth's two-step verification secrets).

Operator procedure (docs/operations.md, "Rotating the encryption key"):

1. Generate a new key: ``python -c "from cryptography.fernet import Fernet;
   print(Fernet.generate_key().decode())"``.
2. Put it *first* in ``TANDEM_ENCRYPTION_KEYS``, keeping the old key(s) after it
   (``TANDEM_ENCRYPTION_KEYS=<new>,<old>``), and restart every process. New writes now use
   the new key; old values still decrypt with the old one.
3. Run ``python -m tandem.manage rotate_encryption_key``. It works in batches, each in its own
   transaction, so it can run while the portal is up and can simply be run again if it stops
   part-way. ``--dry-run`` counts what it would change.
4. Run ``python -m tandem.manage rotate_encryption_key --check``: it must pass.
5. Only then remove the old key from ``TANDEM_ENCRYPTION_KEYS`` and restart. Keep a copy of
   the old key for as long as backups made before step 3 are kept, or they cannot be read.

After rotating, and with ``--dry-run`` or ``--check``, the command reads every value again and
exits non-zero unless every one decrypts with the primary key alone, naming each source that
still has values on an older key or values no key can decrypt, with row counts.

Only counts, source names, column names and primary keys are printed: never a value, neither
its text nor its ciphertext.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cryptography.fernet import InvalidToken
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from tandem.core.encrypted_values import (
    EncryptedValueSource,
    RotatedRow,
    encrypted_value_sources,
)
from tandem.core.fields import Keyring, get_keyring

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

DEFAULT_BATCH_SIZE = 500


@dataclass
class RotationCount:
    rotated: int = 0
    current: int = 0


@dataclass
class CheckCount:
    """Rows of one source by their worst value: on the primary key, an older key, or none."""

    current: int = 0
    older_key: int = 0
    undecryptable: int = 0

    @property
    def rows(self) -> int:
        return self.current + self.older_key + self.undecryptable


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted value with the first key in TANDEM_ENCRYPTION_KEYS, then "
        "check that every value decrypts with that key alone, so older keys can be removed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would be re-encrypted, without writing anything. Exits non-zero "
            "while anything is left to re-encrypt or cannot be decrypted.",
        )
        mode.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; exit non-zero unless every encrypted value decrypts with the "
            "primary key alone (run it before removing an old key).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"Rows per transaction (default {DEFAULT_BATCH_SIZE}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size: int = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        keyring = get_keyring()
        sources = encrypted_value_sources()

        if options["check"] or options["dry_run"]:
            checks = {s.name: _check_source(s, keyring, batch_size=batch_size) for s in sources}
            for name, check in checks.items():
                self.stdout.write(_check_line(name, check, dry_run=options["dry_run"]))
            self._finish(checks, mode="dry-run" if options["dry_run"] else "check")
            return

        total = RotationCount()
        for source in sources:
            count = _rotate_source(source, keyring, batch_size=batch_size)
            total.rotated += count.rotated
            total.current += count.current
            self.stdout.write(
                f"{source.name}: {count.rotated} rows rotated, {count.current} already current"
            )
        self.stdout.write(f"Total: {total.rotated} rows rotated, {total.current} already current")
        # Read everything again: a process still running with the old key list may have written
        # a value under the old key into a row already visited.
        checks = {s.name: _check_source(s, keyring, batch_size=batch_size) for s in sources}
        self._finish(checks, mode="rotate")

    def _finish(self, checks: dict[str, CheckCount], *, mode: str) -> None:
        behind = {name: c for name, c in checks.items() if c.older_key or c.undecryptable}
        if not behind:
            rows = sum(check.rows for check in checks.values())
            self.stdout.write(
                self.style.SUCCESS(
                    f"Check passed: every encrypted value decrypts with the primary key alone "
                    f"({rows} rows in {len(checks)} sources)."
                )
            )
            return
        lines = ["Not every encrypted value is on the primary key yet; keep the older keys:"]
        for name, check in behind.items():
            parts = []
            if check.older_key:
                parts.append(f"{_rows(check.older_key)} on an older key")
            if check.undecryptable:
                parts.append(f"{_rows(check.undecryptable)} no configured key can decrypt")
            lines.append(f"  {name}: {', '.join(parts)}")
        if any(check.older_key for check in behind.values()):
            lines.append(
                {
                    "rotate": "They were written during the rotation by a process still using "
                    "the old key list: restart every process with the new key first, then "
                    "run rotate_encryption_key again.",
                    "dry-run": "Run rotate_encryption_key without --dry-run to re-encrypt them.",
                    "check": "Run rotate_encryption_key to re-encrypt them, then check again.",
                }[mode]
            )
        if any(check.undecryptable for check in behind.values()):
            lines.append(
                "Values no key can decrypt need the key they were encrypted with back in "
                "TANDEM_ENCRYPTION_KEYS (after the primary key)."
            )
        raise CommandError("\n".join(lines))


def _rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"


def _check_line(name: str, check: CheckCount, *, dry_run: bool) -> str:
    if dry_run:
        line = f"{name}: {check.older_key} rows would rotate, {check.current} already current"
        if check.undecryptable:
            line += f", {check.undecryptable} cannot be decrypted"
        return line
    return (
        f"{name}: {check.current} rows on the primary key, {check.older_key} on an older key, "
        f"{check.undecryptable} cannot be decrypted"
    )


def _tokens(value: Any) -> list[str] | None:
    """The Fernet tokens in one stored value, or ``None`` if it holds something else."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [item for item in value if item]
    return None


# --- Rotating ------------------------------------------------------------------------------------


def _rotate_source(
    source: EncryptedValueSource, keyring: Keyring, *, batch_size: int
) -> RotationCount:
    count = RotationCount()
    last_pk: Any = None
    while True:
        with transaction.atomic():
            queryset = source.rows().order_by("pk")
            if last_pk is not None:
                queryset = queryset.filter(pk__gt=last_pk)
            # Lock the batch so a save made meanwhile is not overwritten with its old value.
            # Keyset pages rather than one long cursor: each page is its own short transaction,
            # and rows are never updated under an open cursor.
            rows = list(queryset.select_for_update(of=("self",))[:batch_size])
            if not rows:
                return count
            last_pk = rows[-1][0]
            changed: list[RotatedRow] = []
            for pk, *values in rows:
                new_values = tuple(
                    _rotate_value(source, pk, column, value, keyring)
                    for column, value in zip(source.columns, values, strict=True)
                )
                if new_values != tuple(values):
                    changed.append((pk, new_values))
            count.rotated += len(changed)
            count.current += len(rows) - len(changed)
            if changed:
                source.write(changed)


def _rotate_value(
    source: EncryptedValueSource, pk: Any, column: str, value: Any, keyring: Keyring
) -> Any:
    """``value`` with each token on an older key re-encrypted with the primary key."""
    tokens = _tokens(value)
    if tokens is None:
        raise CommandError(
            f"{source.name} pk={pk} field {column}: the stored value is not encrypted text. "
            "Nothing in this batch was changed."
        )
    if all(_is_current(token, keyring) for token in tokens):
        return value
    if isinstance(value, str):
        return _rotate_token(source, pk, column, value, keyring)
    return [
        token
        if not token or _is_current(token, keyring)
        else _rotate_token(source, pk, column, token, keyring)
        for token in value
    ]


def _is_current(token: str, keyring: Keyring) -> bool:
    try:
        # Checks the token's signature against the primary key without decrypting it.
        keyring.primary.extract_timestamp(token.encode("ascii"))
    except (InvalidToken, UnicodeError):
        return False
    return True


def _rotate_token(
    source: EncryptedValueSource, pk: Any, column: str, token: str, keyring: Keyring
) -> str:
    try:
        return keyring.all_keys.rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError) as error:
        raise CommandError(
            f"{source.name} pk={pk} field {column}: no key in TANDEM_ENCRYPTION_KEYS can "
            "decrypt this value. Nothing in this batch was changed; restore the missing key "
            "and run the command again."
        ) from error


# --- Checking ------------------------------------------------------------------------------------


def _check_source(source: EncryptedValueSource, keyring: Keyring, *, batch_size: int) -> CheckCount:
    check = CheckCount()
    last_pk: Any = None
    while True:
        queryset = source.rows().order_by("pk")
        if last_pk is not None:
            queryset = queryset.filter(pk__gt=last_pk)
        rows = list(queryset[:batch_size])
        if not rows:
            return check
        last_pk = rows[-1][0]
        for _pk, *values in rows:
            _count_row(values, keyring, check)


def _count_row(values: Sequence[Any], keyring: Keyring, check: CheckCount) -> None:
    older_key = False
    for value in values:
        tokens = _tokens(value)
        if tokens is None:
            check.undecryptable += 1
            return
        for token in tokens:
            if _decrypts(token, keyring.primary.decrypt):
                continue
            if not _decrypts(token, keyring.all_keys.decrypt):
                check.undecryptable += 1
                return
            older_key = True
    if older_key:
        check.older_key += 1
    else:
        check.current += 1


def _decrypts(token: str, decrypt: Callable[[bytes], bytes]) -> bool:
    """Whether ``decrypt`` opens ``token`` into UTF-8 text, as ``decrypt_text`` needs."""
    try:
        decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError):
        return False
    return True
