"""The agreement of a care relationship: either side edits, both agree."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tandem.accounts.models import User
from tandem.care.access import check_is_verified_provider
from tandem.care.models import Agreement, CareRelationship


def _side_of(actor: User, relationship: CareRelationship) -> str:
    """ "user" or "provider" for a participant of an active relationship, else PermissionDenied."""
    if not relationship.is_active:
        raise PermissionDenied
    if actor.pk == relationship.service_user_id:
        return "user"
    if actor.pk == relationship.provider_id:
        check_is_verified_provider(actor)
        return "provider"
    raise PermissionDenied


def edit_agreement(
    *,
    actor: User,
    relationship: CareRelationship,
    purpose: str,
    reply_within_days: int,
    not_for: str,
    review_every_weeks: int,
) -> Agreement:
    """Change the agreement of an active relationship; either side may.

    A change clears the *other* side's "I agree", because they have not agreed to the new
    wording yet; saving without changes clears nothing. Raise ValidationError for values out
    of range or too long.
    """
    side = _side_of(actor, relationship)
    with transaction.atomic():
        agreement, _created = Agreement.objects.select_for_update().get_or_create(
            relationship=relationship
        )
        new = {
            "purpose": purpose.strip(),
            "reply_within_days": reply_within_days,
            "not_for": not_for.strip(),
            "review_every_weeks": review_every_weeks,
        }
        if all(getattr(agreement, name) == value for name, value in new.items()):
            return agreement
        for name, value in new.items():
            setattr(agreement, name, value)
        agreement.updated_by = actor
        if side == "user":
            agreement.provider_agreed_at = None
        else:
            agreement.user_agreed_at = None
        agreement.full_clean()
        agreement.save()
    return agreement


def agree_to_agreement(*, actor: User, relationship: CareRelationship) -> Agreement:
    """Mark "I agree" for ``actor``'s side of the agreement as it reads now."""
    side = _side_of(actor, relationship)
    with transaction.atomic():
        agreement, _created = Agreement.objects.select_for_update().get_or_create(
            relationship=relationship
        )
        now = timezone.now()
        if side == "user":
            agreement.user_agreed_at = now
            agreement.save(update_fields=["user_agreed_at"])
        else:
            agreement.provider_agreed_at = now
            agreement.save(update_fields=["provider_agreed_at"])
    return agreement
