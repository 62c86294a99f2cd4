"""Regular expressions that keep Python's fast literal-prefix search (the privacy rules)."""

from __future__ import annotations

import re


class FastSearch:
    r"""A compiled pattern that keeps Python's fast literal-prefix search.

    A leading ``\b`` or lookbehind stops ``re`` from skipping ahead to the pattern's first
    characters (about 100x slower on a long text), so it is split off and checked only where
    the rest of the pattern matches.
    """

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.guard: re.Pattern[str] | None = None
        head, body = _split_leading_assertion(pattern)
        if head:
            self.guard = re.compile(head)
        self.body = re.compile(body)

    def search(self, text: str) -> bool:
        pos = 0
        while True:
            found = self.body.search(text, pos)
            if found is None:
                return False
            if self.guard is None or self.guard.match(text, found.start()):
                return True
            pos = found.start() + 1


def _split_leading_assertion(pattern: str) -> tuple[str, str]:
    if pattern.startswith(r"\b"):
        return r"\b", pattern[2:]
    if pattern.startswith(("(?<!", "(?<=")):
        depth, i, in_class = 0, 0, False
        while i < len(pattern):
            char = pattern[i]
            if char == "\\":
                i += 2
                continue
            if in_class:
                in_class = char != "]"
            elif char == "[":
                in_class = True
            elif char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
                if depth == 0:
                    return pattern[: i + 1], pattern[i + 1 :]
            i += 1
    return "", pattern
