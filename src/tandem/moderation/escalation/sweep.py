"""Automatic escalation: an urgent held post must never sit unseen.

A high-risk hold tells the moderators on duty at once (``moderation.posting``). If nobody has
acted on it ``escalate_after_minutes`` later (default 10, per organisation), the first person on
the clinical escalation rota is asked; after twice that, every clinical contact. When nobody is
on duty at the moment of the hold there is no point in waiting: the clinical contacts are asked
at once, and the author is told plainly that nobody is reviewing right now.

``escalate_overdue`` is run every half minute by ``manage.py escalate_overdue --every 30``
(started by ``manage.py serve``; a systemd timer or cron line in production, see
docs/operations.md). Each step is claimed with a conditional UPDATE, so two sweeps running at
once never escalate an item twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import Role, User
from tandem.forum.models import Community
from tandem.moderation.escalation import selectors, services
from tandem.moderation.models import EscalationTarget, ItemState, ReviewItem, Risk

logger = logging.getLogger(__name__)

# Steps an item has gone through (``ReviewItem.escalation_step``).
STEP_NONE, STEP_NEXT_ON_ROTA, STEP_CLINICAL = 0, 1, 2


def _claim(item: ReviewItem, step: int) -> bool:
    """Move ``item`` to ``step`` if it is still where we read it; False if another sweep (or a
    moderator) got there first."""
    claimed = ReviewItem.objects.filter(
        pk=item.pk,
        state=ItemState.OPEN,
        first_reviewed_at__isnull=True,
        escalation_step=item.escalation_step,
    ).update(escalation_step=step)
    if claimed:
        item.escalation_step = step
    return bool(claimed)


def _fallback_people(organisation_id: int) -> list[User]:
    """With no rota, the organisation's moderators and admins: someone must be told."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation=organisation_id,
            memberships__role__in=[Role.MODERATOR, Role.ORG_ADMIN],
        )
        .distinct()
        .order_by("pk")
    )


def _escalate(item: ReviewItem, step: int, reason: str) -> bool:
    if not _claim(item, step):
        return False
    target = (
        EscalationTarget.NEXT_ON_ROTA if step == STEP_NEXT_ON_ROTA else EscalationTarget.CLINICAL
    )
    people = services.recipients_for(item, target)
    if not people:
        people = [
            p
            for p in _fallback_people(item.community.organisation_id)
            if p.pk != item.post.author_id
        ]
        logger.warning(
            "Review item %s escalated with no clinical escalation rota: told %s moderators and "
            "admins instead.",
            item.pk,
            len(people),
        )
    if people:
        services.create_escalation(
            item=item, target=target, recipients=people, actor=None, reason=reason
        )
    return True


def escalate_when_nobody_on_duty(*, item: ReviewItem, community: Community) -> None:
    """Called in the posting transaction for a high-risk hold when nobody is on duty."""
    item.community = community
    _escalate(
        item,
        STEP_CLINICAL,
        str(_("Nobody was on duty when the post was held.")),
    )


def _due(now: datetime) -> list[ReviewItem]:
    return list(
        ReviewItem.objects.filter(
            state=ItemState.OPEN,
            risk__gte=Risk.HIGH,
            is_held=True,
            first_reviewed_at__isnull=True,
            escalation_step__lt=STEP_CLINICAL,
        )
        .select_related("community", "community__organisation", "post", "post__author")
        .order_by("created_at")
    )


def escalate_overdue(now: datetime | None = None) -> int:
    """Escalate every urgent hold that has waited too long; return how many steps were taken."""
    now = now or timezone.now()
    minutes_by_org: dict[int, int] = {}
    steps = 0
    for item in _due(now):
        organisation_id = item.community.organisation_id
        if organisation_id not in minutes_by_org:
            minutes_by_org[organisation_id] = selectors.safety_settings(
                organisation_id
            ).escalate_after_minutes
        after = timedelta(minutes=minutes_by_org[organisation_id])
        waited = now - item.created_at
        with transaction.atomic():
            if item.escalation_step == STEP_NONE and waited >= after:
                reason = _("Not reviewed within %(n)s minutes.") % {
                    "n": minutes_by_org[organisation_id]
                }
                steps += _escalate(item, STEP_NEXT_ON_ROTA, str(reason))
            if item.escalation_step == STEP_NEXT_ON_ROTA and waited >= 2 * after:
                reason = _("Not reviewed within %(n)s minutes.") % {
                    "n": 2 * minutes_by_org[organisation_id]
                }
                steps += _escalate(item, STEP_CLINICAL, str(reason))
    return steps
