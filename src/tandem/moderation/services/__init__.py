"""Every change of state in moderation, one module per topic. Keyword-only, atomic,
validated; each moderator action writes one append-only ``AuditEntry`` with its reason, and
people are told through ``notifications.services.notify`` (the email, content-free, goes after
commit).

The acting moderator's rights are checked here too (``check_moderator``), so a service called
from anywhere refuses a person who does not moderate the community. The names are re-exported
here, so ``from tandem.moderation import services`` keeps working.
"""

from __future__ import annotations

from tandem.moderation.services.audit import (
    AUTOMATIC_ACTOR,
    check_moderator,
    mark_reviewed,
    record,
    require_reason,
)
from tandem.moderation.services.community_settings import (
    add_watched_word,
    remove_watched_word,
    set_duty,
    set_slow_mode,
    update_settings,
)
from tandem.moderation.services.people import (
    MAX_MUTE_HOURS,
    MAX_SUSPEND_DAYS,
    add_note,
    lift_sanction,
    mute_person,
    reach_out,
    suspend_person,
    warn_person,
)
from tandem.moderation.services.posts import approve_item, edit_item, hide_item
from tandem.moderation.services.reports import ReportResult, report_post
from tandem.moderation.services.trust_levels import set_trust_level

__all__ = [
    "AUTOMATIC_ACTOR",
    "MAX_MUTE_HOURS",
    "MAX_SUSPEND_DAYS",
    "ReportResult",
    "add_note",
    "add_watched_word",
    "approve_item",
    "check_moderator",
    "edit_item",
    "hide_item",
    "lift_sanction",
    "mark_reviewed",
    "mute_person",
    "reach_out",
    "record",
    "remove_watched_word",
    "report_post",
    "require_reason",
    "set_duty",
    "set_slow_mode",
    "set_trust_level",
    "suspend_person",
    "update_settings",
    "warn_person",
]
