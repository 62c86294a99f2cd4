"""Reads for an organisation's audit log."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from tandem.accounts.models import Organisation
from tandem.forum.models import Community
from tandem.moderation.models import AuditEntry

AUDIT_PAGE_SIZE = 50


def audit_log(
    organisation: Organisation,
    *,
    action: str = "",
    community_id: int | None = None,
    pseudonym: str = "",
    start: date | None = None,
    end: date | None = None,
) -> QuerySet[AuditEntry]:
    """The organisation's audit log, newest first, filtered as asked."""
    entries = AuditEntry.objects.filter(organisation=organisation).select_related("community")
    if action:
        entries = entries.filter(action=action)
    if community_id:
        entries = entries.filter(community_id=community_id)
    if pseudonym:
        entries = entries.filter(
            Q(actor_pseudonym__iexact=pseudonym) | Q(subject_pseudonym__iexact=pseudonym)
        )
    if start:
        entries = entries.filter(created_at__date__gte=start)
    if end:
        entries = entries.filter(created_at__date__lte=end)
    return entries.order_by("-created_at", "-pk")


def communities_of_organisation(organisation: Organisation) -> QuerySet[Community]:
    return Community.objects.filter(organisation=organisation).order_by("name")
