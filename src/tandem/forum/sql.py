"""Helpers for the forum's few hand-written queries.

Every forum page passes a gate (``access.py``) and shows the notification badge; through the ORM
those queries cost several milliseconds of Python each to build and compile, ten to twenty
times the database's own work (docs/performance.md). The hand-written versions select the
models' columns in their declared order and turn each row back into model instances here, with
the same conversions a query would apply (dates and booleans on SQLite, time zones).
"""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar, overload

from django.db import connection
from django.db.models import Model

M = TypeVar("M", bound=Model)


def columns(model: type[Model], alias: str) -> str:
    """The model's concrete columns, in declared order, qualified by the table ``alias``."""
    return ", ".join(f"{alias}.{field.column}" for field in model._meta.concrete_fields)


def width(model: type[Model]) -> int:
    return len(model._meta.concrete_fields)


# (database alias, vendor, model, field names) -> the fields and each one's converters. Pages
# turn dozens of rows into models: working out the converters once per shape, not per row,
# saves a few milliseconds a page.
_SHAPES: dict[tuple[Any, ...], tuple[list[Any], list[tuple[int, list[Any], Any]]]] = {}


def _shape(
    model: type[Model], names: Sequence[str] | None
) -> tuple[list[Any], list[tuple[int, list[Any], Any]]]:
    key = (connection.alias, connection.vendor, model, None if names is None else tuple(names))
    shape = _SHAPES.get(key)
    if shape is None:
        if names is None:
            fields = list(model._meta.concrete_fields)
        else:
            wanted = set(names)
            fields = [field for field in model._meta.concrete_fields if field.attname in wanted]
        # The compiler of an empty query of the model (public API: ``QuerySet.query`` and
        # ``get_compiler``) knows each field's converters for this database.
        compiler = model._base_manager.none().query.get_compiler(connection=connection)
        converters = [
            (index, list(funcs), expression)
            for index, (funcs, expression) in compiler.get_converters(
                [field.get_col(model._meta.db_table) for field in fields]
            ).items()
        ]
        shape = _SHAPES[key] = (fields, converters)
    return shape


def from_row(model: type[M], values: Sequence[Any], names: Sequence[str] | None = None) -> M:
    """An instance of ``model`` from its columns as :func:`columns` selected them, or from the
    columns of the fields ``names`` (attribute names; the others are left deferred)."""
    fields, converters = _shape(model, names)
    if names is None:
        converted = list(values)
    else:
        # from_db wants the values in the model's field order.
        given = dict(zip(names, values, strict=True))
        converted = [given[field.attname] for field in fields]
    for index, funcs, expression in converters:
        for converter in funcs:
            converted[index] = converter(converted[index], expression, connection)
    return model.from_db(connection.alias, [field.attname for field in fields], converted)


def convert(model: type[Model], name: str, value: Any) -> Any:
    """One column's value, converted as a query selecting ``model.name`` would convert it."""
    field = model._meta.get_field(name)
    _fields, converters = _shape(model, [field.attname])  # type: ignore[union-attr]
    for _index, funcs, expression in converters:
        for converter in funcs:
            value = converter(value, expression, connection)
    return value


_NAMED = re.compile(r"%\((\w+)\)s")


def positional(sql: str, params: dict[str, Any]) -> tuple[str, list[Any]]:
    """``sql`` with its named parameters (``%(name)s``) turned into positional ones, and their
    values in order: the form ``RawSQL`` takes, so that a rule written once as SQL can also
    be a subquery inside an ORM query."""
    values = [params[match.group(1)] for match in _NAMED.finditer(sql)]
    return _NAMED.sub("%s", sql), values


def fetch_all(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


class PagedRows(Sequence[M]):
    """Rows of one table as a sequence for Django's paginator: its length is one ``COUNT``
    over ``table`` (aliased ``alias``) with ``where`` and ``params``, and a slice is one
    query of the subclass's :meth:`page`."""

    table: str
    alias: str
    where: str
    params: dict[str, Any]

    def __len__(self) -> int:
        query = f"SELECT COUNT(*) FROM {self.table} {self.alias} WHERE {self.where}"  # noqa: S608 - table names from _meta, values bound
        ((number,),) = fetch_all(query, self.params)
        return int(number)

    @overload
    def __getitem__(self, index: int) -> M: ...

    @overload
    def __getitem__(self, index: slice) -> list[M]: ...

    def __getitem__(self, index: int | slice) -> M | list[M]:
        if isinstance(index, int):
            return self.page(index, 1)[0]
        start, stop, _step = index.indices(2**31)
        return self.page(start, max(0, stop - start))

    def __iter__(self) -> Iterator[M]:
        return iter(self.page(0, 2**31))

    @abstractmethod
    def page(self, offset: int, limit: int) -> list[M]:
        """Up to ``limit`` rows from ``offset``, as models, in the list's order (one query)."""
