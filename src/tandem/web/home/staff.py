"""Homes for organisation admins, course facilitators and researchers: what each acts on.

Courses and research analytics are not built yet, so those sections say plainly what exists
today rather than show empty or invented figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from tandem.accounts.models import Invitation, Membership, Organisation, Role, User
from tandem.care.models import SecurityEvent

# Refused reads are shown for the last week: what an admin may want to look into now.
SECURITY_EVENT_DAYS = 7


@dataclass(frozen=True)
class AdminLine:
    organisation: Organisation
    open_invitations: int
    unverified_providers: int
    refused_reads: int

    @property
    def needs_me(self) -> bool:
        return bool(self.open_invitations or self.unverified_providers or self.refused_reads)


def _count_of(queryset: QuerySet[Any]) -> Coalesce:
    """COUNT(*) of ``queryset`` as a correlated subquery. A plain ``Func`` rather than
    ``Count``: an aggregate would make Django group by the outer row, and several counts over
    joins would multiply each other."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted), Value(0), output_field=IntegerField())


def admin_home(user: User) -> list[AdminLine]:
    """Per organisation ``user`` administers: invitations still open, providers waiting to be
    verified and refused reads involving its members in the last week (one query)."""
    now = timezone.now()
    invitations = Invitation.objects.filter(
        organisation=OuterRef("pk"),
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
    )
    unverified = Membership.objects.filter(
        organisation=OuterRef("pk"), role=Role.PROVIDER, verified_at__isnull=True
    )
    members = Membership.objects.filter(organisation=OuterRef(OuterRef("pk"))).values("user_id")
    refused = SecurityEvent.objects.filter(
        Q(viewer_id__in=members) | Q(owner_id__in=members),
        created_at__gte=now - timedelta(days=SECURITY_EVENT_DAYS),
    )
    organisations = (
        Organisation.objects.filter(memberships__user=user, memberships__role=Role.ORG_ADMIN)
        .annotate(
            open_invitations=_count_of(invitations),
            unverified_providers=_count_of(unverified),
            refused_reads=_count_of(refused),
        )
        .order_by("name", "pk")
    )
    return [
        AdminLine(
            organisation=o,
            open_invitations=o.open_invitations,
            unverified_providers=o.unverified_providers,
            refused_reads=o.refused_reads,
        )
        for o in organisations
    ]
