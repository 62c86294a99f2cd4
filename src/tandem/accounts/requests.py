"""What a view may know about the person making a request, typed once.

``current_user`` is for views behind ``LoginRequiredMiddleware``; ``roles_of`` gives the
person's roles, read at most once per request (``MFARequiredMiddleware`` attaches them with
``attach_roles``). Every app's views use these rather than their own copies.
"""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from tandem.accounts.models import User
from tandem.accounts.selectors import RoleSummary, role_summary_for_user

# The attribute name templates read too (``roles`` in the context processor).
ROLES_ATTRIBUTE = "roles"


def current_user(request: HttpRequest) -> User:
    """The logged-in person. Views behind ``LoginRequiredMiddleware`` always have one."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - LoginRequiredMiddleware guarantees it
    return user


def attach_roles(request: HttpRequest) -> None:
    """Attach the person's roles to ``request``, read from the database on first use only."""
    setattr(request, ROLES_ATTRIBUTE, SimpleLazyObject(lambda: role_summary_for_user(request.user)))


def roles_of(request: HttpRequest) -> RoleSummary:
    """The person's roles (empty for a visitor). Reads them now if no middleware attached them,
    as in a request built by hand in a test."""
    roles = getattr(request, ROLES_ATTRIBUTE, None)
    if roles is None:
        return role_summary_for_user(request.user)
    return cast(RoleSummary, roles)
