"""Helpers for the forum's few hand-written queries.

Every forum page passes a gate (``access.py``) and shows the notification badge; through the ORM
those queries cost several milliseconds of Python each to build and compile, ten to twenty
times the database's own work (docs/performance.md). The hand-written versions select the
models' columns in their declared order and turn each row back into model instances here, with
the same conversions a query would apply (dates and booleans on SQLite, time zones).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model
from django.db.models.sql import Query

M = TypeVar("M", bound=Model)


def columns(model: type[Model], alias: str) -> str:
    """The model's concrete columns, in declared order, qualified by the table ``alias``."""
    return ", ".join(f"{alias}.{field.column}" for field in model._meta.concrete_fields)


def width(model: type[Model]) -> int:
    return len(model._meta.concrete_fields)


def from_row(model: type[M], values: Sequence[Any], names: Sequence[str] | None = None) -> M:
    """An instance of ``model`` from its columns as :func:`columns` selected them, or from the
    columns of the fields ``names`` (attribute names; the others are left deferred)."""
    if names is None:
        fields = list(model._meta.concrete_fields)
        converted = list(values)
    else:
        # from_db wants the values in the model's field order.
        given = dict(zip(names, values, strict=True))
        fields = [field for field in model._meta.concrete_fields if field.attname in given]
        converted = [given[field.attname] for field in fields]
    compiler = connection.ops.compiler("SQLCompiler")(Query(model), connection, None)
    for index, (converters, expression) in compiler.get_converters(
        [field.get_col(model._meta.db_table) for field in fields]
    ).items():
        for converter in converters:
            converted[index] = converter(converted[index], expression, connection)
    return model.from_db(connection.alias, [field.attname for field in fields], converted)


def convert(model: type[Model], name: str, value: Any) -> Any:
    """One column's value, converted as a query selecting ``model.name`` would convert it."""
    field = model._meta.get_field(name)
    compiler = connection.ops.compiler("SQLCompiler")(Query(model), connection, None)
    expression = field.get_col(model._meta.db_table)  # type: ignore[union-attr]
    for converters, column in compiler.get_converters([expression]).values():
        for converter in converters:
            value = converter(value, column, connection)
    return value


def fetch_all(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
