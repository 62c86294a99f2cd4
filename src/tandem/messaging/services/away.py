"""A provider's absence, and the colleague covering for them while away (``sending`` reaches the
colleague)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.access import is_verified_provider
from tandem.accounts.models import User
from tandem.messaging.models import ProviderAway


@transaction.atomic
def set_away(*, provider: User, away_until: datetime, covered_by: User | None) -> ProviderAway:
    """Mark ``provider`` away until ``away_until``, optionally covered by a colleague who is a
    verified provider of the same organisation. Raise ValidationError otherwise."""
    if not is_verified_provider(provider):
        raise PermissionDenied(_("Only verified care providers can set an absence."))
    if away_until <= timezone.now():
        raise ValidationError({"away_until": _("Choose a time in the future.")})
    if covered_by is not None and (
        covered_by.pk == provider.pk or not is_verified_provider(covered_by)
    ):
        raise ValidationError({"covered_by": _("Choose a colleague who is a care provider.")})
    away, _created = ProviderAway.objects.update_or_create(
        provider=provider, defaults={"away_until": away_until, "covered_by": covered_by}
    )
    return away


@transaction.atomic
def clear_away(*, provider: User) -> None:
    ProviderAway.objects.filter(provider=provider).delete()
