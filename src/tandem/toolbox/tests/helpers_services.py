"""What the toolbox service tests share: reading a column as it is stored."""

from __future__ import annotations

from django.db import connection


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - test-only names
        return str(cursor.fetchone()[0])
