"""Moderation's data, by topic: ``review`` (screening decisions, the review queue, reports),
``community`` (a community's rules and limits, watched words, slow mode, trust), ``people``
(sanctions, moderator duty, notes), ``audit`` (the append-only audit log), ``escalation`` (the
second tier) and ``reveal`` (identity reveals with two keys); ``lengths`` holds the limits on
what people write. Messages between moderators and a post's author are messaging threads
(``outreach``)."""

from tandem.moderation.models.audit import (
    AuditAction,
    AuditEntry,
    AuditEntryQuerySet,
    AuditLogError,
)
from tandem.moderation.models.community import (
    CommunitySettings,
    CommunityVisit,
    PreModeration,
    SlowMode,
    TrustOverride,
    WatchedWord,
    WatchedWordAction,
)
from tandem.moderation.models.escalation import (
    DEFAULT_ESCALATE_AFTER_MINUTES,
    Escalation,
    EscalationContact,
    EscalationTarget,
    SafetySettings,
)
from tandem.moderation.models.lengths import (
    NOTE_MAX_LENGTH,
    OUTREACH_MAX_LENGTH,
    REASON_MAX_LENGTH,
)
from tandem.moderation.models.people import ModeratorDuty, ModeratorNote, Sanction, SanctionKind
from tandem.moderation.models.reveal import (
    REVEAL_REQUEST_LIFETIME,
    REVEAL_SHOWN_FOR,
    RevealRequest,
    RevealState,
)
from tandem.moderation.models.review import (
    REPORT_RISK,
    ItemState,
    Level,
    Outcome,
    Report,
    ReportReason,
    ReviewItem,
    Risk,
    ScreeningDecision,
)

__all__ = [
    "DEFAULT_ESCALATE_AFTER_MINUTES",
    "NOTE_MAX_LENGTH",
    "OUTREACH_MAX_LENGTH",
    "REASON_MAX_LENGTH",
    "REPORT_RISK",
    "REVEAL_REQUEST_LIFETIME",
    "REVEAL_SHOWN_FOR",
    "AuditAction",
    "AuditEntry",
    "AuditEntryQuerySet",
    "AuditLogError",
    "CommunitySettings",
    "CommunityVisit",
    "Escalation",
    "EscalationContact",
    "EscalationTarget",
    "ItemState",
    "Level",
    "ModeratorDuty",
    "ModeratorNote",
    "Outcome",
    "PreModeration",
    "Report",
    "ReportReason",
    "RevealRequest",
    "RevealState",
    "ReviewItem",
    "Risk",
    "SafetySettings",
    "Sanction",
    "SanctionKind",
    "ScreeningDecision",
    "SlowMode",
    "TrustOverride",
    "WatchedWord",
    "WatchedWordAction",
]
