"""How long the texts moderators and members write about a person or a post may be."""

from __future__ import annotations

REASON_MAX_LENGTH = 1000
NOTE_MAX_LENGTH = 4000
OUTREACH_MAX_LENGTH = 4000
