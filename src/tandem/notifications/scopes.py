"""Which notification scopes a person may still see, supplied by the apps that own them.

An app that notifies about things inside a closed space registers a function returning the ids
of the spaces the person can see now: a list of ids, or a one-column query (``values("pk")`` or
``values_list("pk", flat=True)``), which becomes a subquery:

    register_scope("forum.community", lambda user: Community.objects.filter(...).values("pk"))

Notifications whose ``scope_type`` has no registered function are hidden: a forgotten
registration fails closed.

Reads ask only about the scope types the person actually has notifications in (most people
have none in most of them), so a page's unread badge costs one small query when nothing is
unread and one more per scope type that is.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

from django.db.models import Q, QuerySet

from tandem.accounts.models import User

ScopeIds = QuerySet[Any] | Collection[int]
ScopeFilter = Callable[[User], ScopeIds]

_SCOPES: dict[str, ScopeFilter] = {}


def register_scope(scope_type: str, allowed_ids: ScopeFilter) -> None:
    _SCOPES[scope_type] = allowed_ids


def _as_ids(ids: ScopeIds) -> set[int]:
    """Evaluate a scope function's answer to a set of ids (rows of a one-column query are
    dicts, tuples or plain values, depending on how the query was written)."""
    found: set[int] = set()
    for row in ids:
        if isinstance(row, dict):
            (value,) = row.values()
        elif isinstance(row, tuple):
            (value,) = row
        else:
            value = row
        found.add(int(value))
    return found


def visible_scope_ids(user: User, scope_types: Iterable[str]) -> dict[str, set[int]]:
    """Return, for each of ``scope_types``, the ids of the spaces ``user`` can see now (an
    empty set for a type nobody registered)."""
    visible: dict[str, set[int]] = {}
    for scope_type in scope_types:
        allowed_ids = _SCOPES.get(scope_type)
        visible[scope_type] = _as_ids(allowed_ids(user)) if allowed_ids is not None else set()
    return visible


def visible_scopes_q(user: User, scope_types: Iterable[str] | None = None) -> Q:
    """Return a filter keeping notifications without a scope or in a scope ``user`` can see.

    With ``scope_types``, only those types are asked about (and any other scoped notification
    is left out): callers that know which types occur save the other scopes' queries.
    """
    condition = Q(scope_type="")
    types = _SCOPES.keys() if scope_types is None else scope_types
    for scope_type in types:
        allowed_ids = _SCOPES.get(scope_type)
        if allowed_ids is not None:
            condition |= Q(scope_type=scope_type, scope_id__in=allowed_ids(user))
    return condition
