"""Which notification scopes a person may still see, supplied by the apps that own them.

An app that notifies about things inside a closed space registers a function returning the ids
of the spaces the person can see now, as a query (so it becomes a subquery, not a round trip):

    register_scope("forum.community", lambda user: Community.objects.filter(...).values("pk"))

Notifications whose ``scope_type`` has no registered function are hidden: a forgotten
registration fails closed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet

from tandem.accounts.models import User

ScopeFilter = Callable[[User], QuerySet[Any]]

_SCOPES: dict[str, ScopeFilter] = {}


def register_scope(scope_type: str, allowed_ids: ScopeFilter) -> None:
    _SCOPES[scope_type] = allowed_ids


def visible_scopes_q(user: User) -> Q:
    """Return a filter keeping notifications without a scope or in a scope ``user`` can see."""
    condition = Q(scope_type="")
    for scope_type, allowed_ids in _SCOPES.items():
        condition |= Q(scope_type=scope_type, scope_id__in=allowed_ids(user))
    return condition
