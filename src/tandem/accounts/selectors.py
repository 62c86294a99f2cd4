"""Reads about people and organisations, shaped for the pages that need them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import QuerySet

from tandem.accounts import crisis_cache
from tandem.accounts.models import (
    MFA_REQUIRED_ROLES,
    CrisisContact,
    Invitation,
    Membership,
    Organisation,
    Role,
    User,
)


@dataclass(frozen=True)
class RoleSummary:
    """What a person is, across their organisations, read in one query per request."""

    roles: frozenset[str] = field(default_factory=frozenset)
    organisation_ids: tuple[int, ...] = ()
    verified_provider: bool = False
    mfa_required_by_organisation: bool = False
    time_zone: str = ""
    # The organisation of the person's first membership: the one whose time zone and crisis
    # contacts apply (as ``primary_organisation_for_user``).
    primary_organisation_id: int | None = None

    def has(self, role: str) -> bool:
        return role in self.roles

    @property
    def needs_mfa(self) -> bool:
        return self.mfa_required_by_organisation or bool(self.roles & MFA_REQUIRED_ROLES)

    @property
    def is_staff_like(self) -> bool:
        return bool(self.roles - {Role.SERVICE_USER})


def _role_summary_sql() -> str:
    """The person's memberships with their organisations' settings, oldest first.

    Written as SQL on purpose: every page reads it (the menu, the two-step verification rule,
    the time zone), and the ORM spent several times the database's work building the query
    (docs/performance.md). The one value is a bound parameter; the SQL is the same on SQLite
    and PostgreSQL.
    """
    return (
        "SELECT m.role, m.organisation_id, m.verified_at IS NOT NULL, "  # noqa: S608 - table names from _meta, value bound
        "o.require_mfa_for_everyone, o.time_zone "
        f"FROM {Membership._meta.db_table} m "
        f"JOIN {Organisation._meta.db_table} o ON o.id = m.organisation_id "
        "WHERE m.user_id = %s ORDER BY m.id"
    )


def role_summary_for_user(user: User | AnonymousUser) -> RoleSummary:
    if not user.is_authenticated:
        return RoleSummary()
    with connection.cursor() as cursor:
        cursor.execute(_role_summary_sql(), [user.pk])
        rows = cursor.fetchall()
    return RoleSummary(
        roles=frozenset(row[0] for row in rows),
        organisation_ids=tuple(sorted({row[1] for row in rows})),
        verified_provider=any(row[0] == Role.PROVIDER and bool(row[2]) for row in rows),
        mfa_required_by_organisation=any(bool(row[3]) for row in rows),
        time_zone=rows[0][4] if rows else "",
        primary_organisation_id=rows[0][1] if rows else None,
    )


def primary_organisation_for_user(user: User | AnonymousUser) -> Organisation | None:
    """The organisation whose settings (time zone, crisis contacts) apply to ``user``."""
    if not user.is_authenticated:
        return None
    membership = (
        Membership.objects.filter(user=user).select_related("organisation").order_by("id").first()
    )
    return membership.organisation if membership else None


def administered_organisations(user: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        memberships__user=user, memberships__role=Role.ORG_ADMIN
    ).order_by("name")


def members_of_organisation(organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user", "verified_by")
        .order_by("user__pseudonym", "role")
    )


def invitations_of_organisation(organisation: Organisation) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(organisation=organisation)
        .select_related("invited_by")
        .order_by("-created_at")
    )


def crisis_contacts_for_organisation(organisation: Organisation | None) -> list[CrisisContact]:
    """The organisation's crisis contacts in their order.

    Each successful read also brings the saved copy that the crisis page shows while the
    database is down up to date (``crisis_cache``; no extra query).
    """
    if organisation is None:
        return []
    contacts = list(CrisisContact.objects.filter(organisation=organisation))
    crisis_cache.remember_organisation(organisation, contacts)
    return contacts


def public_organisation_among(organisations: Sequence[Organisation]) -> Organisation | None:
    """Of all the organisations (at least the first two), the one visitors see: the only one."""
    return organisations[0] if len(organisations) == 1 else None


def public_crisis_organisation() -> Organisation | None:
    """The organisation whose contacts a visitor who is not logged in sees.

    A single-organisation deployment shows its own contacts even on the login page, where a
    person who cannot log in may need them most. A deployment of several shows none (only the
    national helplines): a visitor's own service cannot be told, and another's crisis team
    would not know them.
    """
    organisation = public_organisation_among(list(Organisation.objects.order_by("id")[:2]))
    crisis_cache.remember_public_organisation(organisation)
    return organisation


def pseudonym_taken(pseudonym: str, exclude_user: User | None = None) -> bool:
    query = User.objects.filter(pseudonym__iexact=pseudonym.strip())
    if exclude_user is not None:
        query = query.exclude(pk=exclude_user.pk)
    return query.exists()
