"""Reads for identity reveals, each for one person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from tandem.accounts.models import User
from tandem.forum.models import Community
from tandem.moderation.identity import access
from tandem.moderation.identity.services import RevealedIdentity
from tandem.moderation.models import (
    REVEAL_SHOWN_FOR,
    AuditAction,
    AuditEntry,
    RevealRequest,
    RevealState,
)
from tandem.moderation.selectors import moderation_about_me

# How long a moderator keeps seeing their own decided or lapsed requests on a person's page.
OWN_REQUESTS_SHOWN_FOR = timedelta(days=7)


def requests_about(viewer: User, community: Community, subject: User) -> list[RevealRequest]:
    """Reveal requests about ``subject`` in ``community`` that ``viewer`` (a moderator there)
    may follow from the person's page: every open one (so a second moderator finds it), and
    the viewer's own recent ones whatever became of them."""
    now = timezone.now()
    return list(
        RevealRequest.objects.filter(community=community, subject=subject)
        .filter(
            Q(state=RevealState.PENDING, expires_at__gt=now)
            | Q(requested_by=viewer, created_at__gte=now - OWN_REQUESTS_SHOWN_FOR)
            | Q(decided_by=viewer, decided_at__gte=now - REVEAL_SHOWN_FOR)
        )
        .select_related("requested_by")
        .order_by("-created_at", "-pk")[:20]
    )


def identity_for(viewer: User, reveal: RevealRequest) -> RevealedIdentity:
    """The identity behind an approved request, for its asker or approver while it may be
    shown; raise PermissionDenied otherwise."""
    access.check_can_see_identity(viewer, reveal)
    subject = reveal.subject
    return RevealedIdentity(
        pseudonym=subject.pseudonym, full_name=subject.full_name, email=subject.email
    )


@dataclass(frozen=True)
class AboutMeRow:
    """One line of "Moderation and me": what was done, and the reason the person may read."""

    entry: AuditEntry
    reason: str


def about_me_rows(user: User) -> list[AboutMeRow]:
    """What moderators did about ``user`` (``moderation_about_me``), with the reason of each.

    Reveals approved since issue 13 keep their reason encrypted in the request rather than in
    the audit log; the person still reads it here, as they read it before.
    """
    entries = moderation_about_me(user)
    reveal_ids = [entry.pk for entry in entries if entry.action == AuditAction.REVEAL]
    reasons = (
        dict(
            RevealRequest.objects.filter(subject=user, audit_entry_id__in=reveal_ids).values_list(
                "audit_entry_id", "reason"
            )
        )
        if reveal_ids
        else {}
    )
    return [
        AboutMeRow(entry=entry, reason=reasons.get(entry.pk) or entry.reason) for entry in entries
    ]
