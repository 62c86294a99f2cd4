"""Helpers for the forum's few hand-written queries.

Every forum page passes a gate (``access.py``) and shows the notification badge; through the ORM
those queries cost several milliseconds of Python each to build and compile, ten to twenty
times the database's own work (docs/performance.md). The hand-written versions select the
models' columns in their declared order and turn each row back into model instances here, with
the conversions a query would apply (dates and booleans on SQLite, time zones), through public
Django API only: ``_meta.get_fields()``, each field's ``from_db_value``/``to_python``, and
``Model.from_db`` (issue 14; ``tests/test_fast_paths.py`` checks them against the ORM).
"""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar, overload

from django.db import connection
from django.db.models import Field, Model
from django.utils import timezone

M = TypeVar("M", bound=Model)

# Field types whose values a database driver may hand back in another form than the model
# keeps: text or numbers for dates, times, booleans, decimals and UUIDs on SQLite. Every other
# field's value is used as the driver gives it (text, numbers, keys), as a query would.
_CONVERTED_TYPES = frozenset(
    {
        "BooleanField",
        "DateField",
        "DateTimeField",
        "DecimalField",
        "DurationField",
        "TimeField",
        "UUIDField",
    }
)


@cache
def concrete_fields(model: type[Model]) -> tuple[Field[Any, Any], ...]:
    """The model's fields that have a column, in declared order (the documented ``_meta`` API:
    ``get_fields()`` and ``Field.concrete``)."""
    return tuple(
        field
        for field in model._meta.get_fields()
        if isinstance(field, Field) and field.concrete and not field.many_to_many
    )


def columns(model: type[Model], alias: str) -> str:
    """The model's concrete columns, in declared order, qualified by the table ``alias``."""
    return ", ".join(f"{alias}.{field.column}" for field in concrete_fields(model))


def width(model: type[Model]) -> int:
    return len(concrete_fields(model))


def _converter(field: Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How one column's value becomes the model's value, through the documented field API
    (``from_db_value`` for fields that define it, then ``to_python``); None when the value is
    used as the driver gives it."""
    from_db: Callable[..., Any] | None = getattr(field, "from_db_value", None)
    if from_db is None and field.get_internal_type() not in _CONVERTED_TYPES:
        return None
    aware = field.get_internal_type() == "DateTimeField"

    def convert(value: Any) -> Any:
        if value is None:
            return None
        if from_db is not None:
            value = from_db(value, None, connection)
        value = field.to_python(value)
        # The database keeps UTC (settings: USE_TZ, no per-database TIME_ZONE); SQLite hands
        # back naive datetimes, PostgreSQL aware ones.
        if aware and isinstance(value, datetime) and timezone.is_naive(value):
            value = value.replace(tzinfo=UTC)
        return value

    return convert


# (model, field names) -> the fields and each one's converter. Pages turn dozens of rows into
# models: working out the converters once per shape, not per row, saves time on every page.
_SHAPES: dict[tuple[Any, ...], tuple[list[str], list[tuple[int, Callable[[Any], Any]]]]] = {}


def _shape(
    model: type[Model], names: Sequence[str] | None
) -> tuple[list[str], list[tuple[int, Callable[[Any], Any]]]]:
    key = (model, None if names is None else tuple(names))
    shape = _SHAPES.get(key)
    if shape is None:
        fields = list(concrete_fields(model))
        if names is not None:
            wanted = set(names)
            fields = [field for field in fields if field.attname in wanted]
        converters = [
            (index, convert)
            for index, field in enumerate(fields)
            if (convert := _converter(field)) is not None
        ]
        shape = _SHAPES[key] = ([field.attname for field in fields], converters)
    return shape


def from_row(model: type[M], values: Sequence[Any], names: Sequence[str] | None = None) -> M:
    """An instance of ``model`` from its columns as :func:`columns` selected them, or from the
    columns of the fields ``names`` (attribute names; the others are left deferred)."""
    attnames, converters = _shape(model, names)
    if names is None:
        converted = list(values)
    else:
        # from_db wants the values in the model's field order.
        given = dict(zip(names, values, strict=True))
        converted = [given[name] for name in attnames]
    for index, convert in converters:
        converted[index] = convert(converted[index])
    return model.from_db(connection.alias, attnames, converted)


def convert(model: type[Model], name: str, value: Any) -> Any:
    """One column's value, converted as a query selecting ``model.name`` would convert it."""
    field = model._meta.get_field(name)
    if not isinstance(field, Field):
        raise TypeError(f"{model.__name__}.{name} is not a field with a column")
    _attnames, converters = _shape(model, [field.attname])
    for _index, convert_value in converters:
        value = convert_value(value)
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
