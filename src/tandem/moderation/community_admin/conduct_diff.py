"""What changed between two versions of a code of conduct, line by line (``difflib``), for the
admin before they publish and for the audit log's summary."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

Change = Literal["added", "removed", "same"]


@dataclass(frozen=True)
class DiffLine:
    change: Change
    text: str


@dataclass(frozen=True)
class ConductDiff:
    lines: list[DiffLine]

    @property
    def added(self) -> int:
        return sum(1 for line in self.lines if line.change == "added")

    @property
    def removed(self) -> int:
        return sum(1 for line in self.lines if line.change == "removed")

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.removed)


def _lines(text: str) -> list[str]:
    # Line endings differ between browsers and what was stored; they are not a change.
    return [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]


def conduct_diff(old: str, new: str) -> ConductDiff:
    """The lines of ``new`` against ``old``: kept, added and removed, in reading order."""
    lines: list[DiffLine] = []
    for row in difflib.ndiff(_lines(old), _lines(new)):
        marker, text = row[:2], row[2:]
        if marker == "+ ":
            lines.append(DiffLine("added", text))
        elif marker == "- ":
            lines.append(DiffLine("removed", text))
        elif marker == "  ":
            lines.append(DiffLine("same", text))
        # "? " rows are ndiff's hints under a changed line: the two lines say enough.
    return ConductDiff(lines)
