"""Status ratings: a new row each time, so the history stays."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from tandem.accounts.models import User
from tandem.toolbox.models import LifeDomain, StatusRating
from tandem.toolbox.services.common import check_domain_usable, save_cleaned
from tandem.toolbox.services.kept import keep_deleted


def record_status(
    *,
    owner: User,
    domain: LifeDomain,
    rating: int,
    note: str = "",
    recorded_at: datetime | None = None,
) -> StatusRating:
    """Add a self-rating (0-10) for a domain. Ratings are history: each one is a new row."""
    check_domain_usable(owner, domain)
    status = StatusRating(
        owner=owner,
        domain=domain,
        rating=rating,
        note=note.strip(),
        recorded_at=recorded_at or timezone.now(),
    )
    with transaction.atomic():
        save_cleaned(status)
    return status


def delete_status_rating(*, owner: User, rating: StatusRating) -> None:
    keep_deleted(owner=owner, item=rating)
