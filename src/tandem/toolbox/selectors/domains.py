"""Which life domains a person sees, and an organisation's own."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from tandem.accounts.models import Membership, Organisation, Role, User
from tandem.toolbox.models import LifeDomain


def _service_user_organisation_ids(user: User) -> QuerySet[Membership, int]:
    return Membership.objects.filter(user=user, role=Role.SERVICE_USER).values_list(
        "organisation_id", flat=True
    )


def visible_domains_query(user: User) -> QuerySet[LifeDomain]:
    """The life domains ``user`` works with: the defaults their organisation has not hidden,
    their organisation's own, and their own personal domains (one query, with subqueries)."""
    organisations = _service_user_organisation_ids(user)
    hidden = LifeDomain.hidden_by_organisations.through.objects.filter(
        organisation_id__in=organisations
    ).values("lifedomain_id")
    return LifeDomain.objects.filter(archived_at__isnull=True).filter(
        Q(owner=user)
        | Q(owner__isnull=True, organisation_id__in=organisations)
        | (Q(owner__isnull=True, organisation__isnull=True) & ~Q(pk__in=hidden))
    )


def visible_domains(user: User) -> list[LifeDomain]:
    return list(visible_domains_query(user).order_by("position", "id"))


@dataclass(frozen=True)
class OrganisationDomains:
    defaults: list[LifeDomain]
    hidden_ids: set[int]
    own: list[LifeDomain]


def domains_for_organisation(organisation: Organisation) -> OrganisationDomains:
    """The defaults (each marked hidden or not for ``organisation``) and its own domains."""
    defaults = list(
        LifeDomain.objects.filter(
            owner__isnull=True, organisation__isnull=True, archived_at__isnull=True
        ).order_by("position", "id")
    )
    hidden = set(
        LifeDomain.hidden_by_organisations.through.objects.filter(
            organisation=organisation
        ).values_list("lifedomain_id", flat=True)
    )
    own = list(
        LifeDomain.objects.filter(organisation=organisation, archived_at__isnull=True).order_by(
            "position", "id"
        )
    )
    return OrganisationDomains(defaults=defaults, hidden_ids=hidden, own=own)
