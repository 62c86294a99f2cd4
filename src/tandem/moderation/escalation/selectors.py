"""Reads for the second tier: who is on call, and what was escalated to whom."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from tandem.accounts.models import Membership, Organisation, Role, User
from tandem.care.selectors import active_care_providers
from tandem.moderation.models import (
    Escalation,
    EscalationContact,
    ItemState,
    ReviewItem,
    SafetySettings,
)

# Who may be put on the clinical escalation rota: clinicians (verified providers) and
# moderators of the organisation. All of them must use two-step verification.
ROTA_ROLES = (Role.PROVIDER, Role.MODERATOR)
# How long after an item is resolved the people it was escalated to may still read it (to
# see what happened), after which the moderators' pages are the only way in.
READABLE_AFTER_RESOLUTION = timedelta(days=7)
ESCALATION_SCOPE = "moderation.escalation"


def safety_settings(organisation_id: int) -> SafetySettings:
    """The organisation's settings, or the defaults (unsaved) when it has none."""
    found = SafetySettings.objects.filter(organisation_id=organisation_id).first()
    return found or SafetySettings(organisation_id=organisation_id)


def rota(organisation_id: int) -> list[EscalationContact]:
    """The organisation's clinical escalation rota in order, active people only."""
    return list(
        EscalationContact.objects.filter(organisation_id=organisation_id, user__is_active=True)
        .select_related("user")
        .order_by("position", "id")
    )


def rota_candidates(organisation: Organisation) -> QuerySet[User]:
    """People an admin may add to the rota: verified providers and moderators of the
    organisation who are not on it yet."""
    eligible = Membership.objects.filter(organisation=organisation).filter(
        Q(role=Role.MODERATOR) | Q(role=Role.PROVIDER, verified_at__isnull=False)
    )
    return (
        User.objects.filter(is_active=True, pk__in=eligible.values("user_id"))
        .exclude(
            pk__in=EscalationContact.objects.filter(organisation=organisation).values("user_id")
        )
        .order_by("full_name", "pk")
    )


def escalations_of(item: ReviewItem) -> list[Escalation]:
    return list(
        Escalation.objects.filter(item=item)
        .select_related("escalated_by", "acknowledged_by")
        .prefetch_related("recipients")
        .order_by("created_at", "id")
    )


def escalated_item_ids(user: User) -> QuerySet[Any]:
    """Ids of the review items escalated to ``user`` that they may still read: open, or
    resolved less than a week ago (one query; also the notification scope)."""
    since = timezone.now() - READABLE_AFTER_RESOLUTION
    return (
        ReviewItem.objects.filter(escalations__recipients=user)
        .filter(Q(state=ItemState.OPEN) | Q(resolved_at__gte=since))
        .values("pk")
        .distinct()
    )


@dataclass(frozen=True)
class AuthorEscalation:
    """What the author of an escalated post is told: who was asked, and when."""

    target: str
    created_at: datetime
    taken_on: bool


def escalations_for_author(item_ids: list[int]) -> list[AuthorEscalation]:
    return [
        AuthorEscalation(
            target=e.target, created_at=e.created_at, taken_on=e.acknowledged_at is not None
        )
        for e in Escalation.objects.filter(item_id__in=item_ids).order_by("created_at", "id")
    ]


@dataclass(frozen=True)
class ItemEscalationFacts:
    """What the item page needs to offer escalation: who it can reach, and what happened."""

    rota_size: int
    has_care_team: bool
    escalations: list[Escalation]


def item_escalation_facts(item: ReviewItem) -> ItemEscalationFacts:
    return ItemEscalationFacts(
        rota_size=len(rota(item.community.organisation_id)),
        has_care_team=bool(active_care_providers(item.post.author_id)),
        escalations=escalations_of(item),
    )
