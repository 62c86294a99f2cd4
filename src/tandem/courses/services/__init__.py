"""Every change of state in courses, one module per topic, re-exported here:
``from tandem.courses import services``."""

from __future__ import annotations

from tandem.courses.services.calendar_feed import create_feed, revoke_feed
from tandem.courses.services.courses import (
    Schedule,
    add_facilitator,
    create_course,
    delete_topic,
    save_topic,
    set_session_cancelled,
    update_course,
)
from tandem.courses.services.enrolment import (
    approve,
    decline,
    enrol,
    invite,
    leave,
    places_taken,
    promote_waiting,
)
from tandem.courses.services.schedule import (
    TickSummary,
    archive_ended_boards,
    nudge_invited,
    release_due_topics,
    run_schedule,
    send_session_reminders,
)

__all__ = [
    "Schedule",
    "TickSummary",
    "add_facilitator",
    "approve",
    "archive_ended_boards",
    "create_course",
    "create_feed",
    "decline",
    "delete_topic",
    "enrol",
    "invite",
    "leave",
    "nudge_invited",
    "places_taken",
    "promote_waiting",
    "release_due_topics",
    "revoke_feed",
    "run_schedule",
    "save_topic",
    "send_session_reminders",
    "set_session_cancelled",
    "update_course",
]
