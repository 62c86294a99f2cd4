"""The crisis plan's address, which the crisis plan and the accessibility browser tests both open."""

from __future__ import annotations

CRISIS_PLAN = "/toolbox/crisis-plan/"
