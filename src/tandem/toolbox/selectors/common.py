"""What several toolbox reads share: the latest rows per life domain, in one query."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber

from tandem.toolbox.models import Activity, Goal, NetworkMember, StatusRating

_M = TypeVar("_M", StatusRating, Activity, Goal, NetworkMember)


def latest_per(
    queryset: QuerySet[_M], partition: str, order: list[str], limit: int
) -> QuerySet[_M]:
    """The first ``limit`` rows of ``queryset`` per value of ``partition``, in one query."""
    ordering = [F(name[1:]).desc() if name.startswith("-") else F(name).asc() for name in order]
    return queryset.annotate(
        row_number=Window(RowNumber(), partition_by=[F(partition)], order_by=ordering)
    ).filter(row_number__lte=limit)
