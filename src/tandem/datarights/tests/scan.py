"""Find a string anywhere in the database: every table's text, encrypted columns decrypted."""

from __future__ import annotations

from django.apps import apps
from django.db import connection

from tandem.core.fields import EncryptedTextField


def tables_containing(needle: str) -> set[str]:
    """Tables with ``needle`` (case-insensitively) in any column, read raw, plus model tables
    whose encrypted fields decrypt to text containing it."""
    needle = needle.lower()
    found: set[str] = set()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from the schema
            for values in cursor.fetchall():
                if any(isinstance(v, str) and needle in v.lower() for v in values):
                    found.add(table)
                    break
    for model in apps.get_models():
        encrypted = [
            f.attname for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)
        ]
        for field in encrypted:
            for value in model._base_manager.values_list(field, flat=True):
                if value and needle in value.lower():
                    found.add(model._meta.db_table)
    return found
