"""Small-cell suppression: one rule for the dashboard and every export.

A count from 1 to 4 in an aggregate table could point at a person in a small study, so it is
shown as "< 5". Zero stays zero: it says nobody, and hiding it would hide an empty module.
"""

from __future__ import annotations

SMALLEST_SHOWN = 5
SUPPRESSED = "< 5"


def suppressed(count: int) -> int | str:
    """``count`` as it may be shown: itself, or "< 5" for 1 to 4."""
    if 0 < count < SMALLEST_SHOWN:
        return SUPPRESSED
    return count
