"""Rows as plain JSON values: every concrete field, encrypted ones already decrypted."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models

# Columns that are machinery, not anybody's data.
SKIPPED = frozenset({"search_vector", "password", "client_key"})


def as_json(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    return value


def row(obj: models.Model) -> dict[str, Any]:
    return {
        field.attname: as_json(field.value_from_object(obj))
        for field in obj._meta.concrete_fields
        if field.name not in SKIPPED
    }


def rows(objects: Iterable[models.Model]) -> list[dict[str, Any]]:
    return [row(obj) for obj in objects]
