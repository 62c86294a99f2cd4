"""A moderator setting a person's trust level by hand (``moderation.trust``), with a reason."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.forum.models import Community
from tandem.moderation import trust
from tandem.moderation.models import AuditAction, TrustOverride
from tandem.moderation.posting import take_snapshot
from tandem.moderation.services.audit import check_moderator, record, require_reason


@transaction.atomic
def set_trust_level(
    *, moderator: User, community: Community, subject: User, level: int | None, reason: str
) -> TrustOverride | None:
    """Set ``subject``'s trust level in ``community`` to ``level`` (raise or lower it), or
    give them back the level they earned (``level`` None). Audited with the reason."""
    check_moderator(moderator, community)
    reason = require_reason(reason)
    if level is not None and level not in trust.TrustLevel.values:
        raise ValidationError({"level": _("Choose a trust level.")})
    before = take_snapshot(author=subject, community=community).trust
    if level is None:
        TrustOverride.objects.filter(community=community, user=subject).delete()
        override = None
        detail = _("back to the earned level (%(level)s)") % {
            "level": trust.TrustLevel(before.earned).label
        }
    else:
        override, _created = TrustOverride.objects.update_or_create(
            community=community,
            user=subject,
            defaults={"level": level, "reason": reason, "set_by": moderator},
        )
        detail = _("set to %(level)s (was %(before)s)") % {
            "level": trust.TrustLevel(level).label,
            "before": trust.TrustLevel(before.level).label,
        }
    record(
        actor=moderator,
        organisation_id=community.organisation_id,
        community=community,
        action=AuditAction.TRUST,
        subject=subject,
        reason=reason,
        detail=str(detail),
        before={"trust_level": before.level, "trust_override": before.override},
        after={"trust_override": level},
    )
    return override
