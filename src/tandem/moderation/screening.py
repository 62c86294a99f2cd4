"""The risk screen: transparent rules kept as data (``data/rules_<language>.toml``), loaded
once per process, run on every new post and reply before anyone else sees it.

The screen only *classifies*. What happens next (hold, remind, notify) is decided by
``moderation.posting``; nothing is ever deleted because a rule fired.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_LANGUAGE = "en"

# Order of severity: the strongest level among the rules that fired decides.
LEVEL_ORDER = {"remind": 1, "hold": 2, "high": 3}


_WORD = re.compile(r"[\w']+")


def word_stream(text: str) -> str:
    """The words of ``text`` separated by single spaces and padded with one at each end, so a
    phrase is a plain substring search (fast) that respects word boundaries."""
    return " " + " ".join(_WORD.findall(text)) + " "


class _Search:
    """A compiled pattern that keeps Python's fast literal-prefix search.

    A leading ``\b`` or lookbehind stops ``re`` from skipping ahead to the pattern's first
    characters (about 100x slower on a long text), so it is split off and checked only where
    the rest of the pattern matches.
    """

    def __init__(self, pattern: str) -> None:
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


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    level: str
    label: str
    guidance: bool
    phrases: tuple[str, ...]
    patterns: tuple[_Search, ...]
    unless: re.Pattern[str] | None

    def _hits(self, text: str, stream: str) -> bool:
        return any(phrase in stream for phrase in self.phrases) or any(
            pattern.search(text) for pattern in self.patterns
        )

    def fires(self, text: str, stream: str | None = None) -> bool:
        """Whether the rule fires on ``text`` (normalised). ``unless`` expressions run only when
        the rule would fire, since most texts fire nothing."""
        if not self._hits(text, stream if stream is not None else word_stream(text)):
            return False
        if self.unless is None:
            return True
        cleaned = self.unless.sub(" ", text)
        return self._hits(cleaned, word_stream(cleaned))


@dataclass(frozen=True)
class RuleSet:
    language: str
    rules: tuple[Rule, ...]

    def by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}


@dataclass(frozen=True)
class ScreenResult:
    """The rules that fired on one text, strongest first, and what that means."""

    language: str
    fired: tuple[Rule, ...]

    @property
    def level(self) -> str | None:
        return self.fired[0].level if self.fired else None

    @property
    def is_high(self) -> bool:
        return self.level == "high"

    @property
    def holds(self) -> bool:
        return self.level in {"high", "hold"}

    @property
    def reminds(self) -> bool:
        return self.level == "remind"

    @property
    def needs_guidance(self) -> bool:
        return any(rule.guidance for rule in self.fired)


def _compile(parts: list[str]) -> re.Pattern[str] | None:
    if not parts:
        return None
    return re.compile("|".join(f"(?:{part})" for part in parts))


@functools.cache
def load_rules(language: str = DEFAULT_LANGUAGE) -> RuleSet:
    """Read and compile the rules for ``language`` (falling back to English), once."""
    path = DATA_DIR / f"rules_{language}.toml"
    if not path.exists():
        path = DATA_DIR / f"rules_{DEFAULT_LANGUAGE}.toml"
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    rules = []
    for raw in data["rules"]:
        if raw["level"] not in LEVEL_ORDER:
            raise ValueError(f"{path.name}: rule {raw['id']} has an unknown level")
        phrases = tuple(word_stream(normalise(p)) for p in raw.get("phrases", []))
        patterns = tuple(_Search(p) for p in raw.get("patterns", []))
        if not phrases and not patterns:
            raise ValueError(f"{path.name}: rule {raw['id']} has no phrases or patterns")
        rules.append(
            Rule(
                id=raw["id"],
                category=raw["category"],
                level=raw["level"],
                label=raw["label"],
                guidance=bool(raw.get("guidance", False)),
                phrases=phrases,
                patterns=patterns,
                unless=_compile(list(raw.get("unless", []))),
            )
        )
    rules.sort(key=lambda rule: -LEVEL_ORDER[rule.level])
    return RuleSet(language=data.get("language", language), rules=tuple(rules))


def normalise(text: str) -> str:
    return text.lower().replace("\u2019", "'").replace("\u2018", "'")


def screen(text: str, language: str = DEFAULT_LANGUAGE) -> ScreenResult:
    """Return the rules that fire on ``text``, strongest first."""
    ruleset = load_rules(language)
    normalised = normalise(text)
    stream = word_stream(normalised)
    fired = tuple(rule for rule in ruleset.rules if rule.fires(normalised, stream))
    return ScreenResult(language=ruleset.language, fired=fired)


def needs_guidance(text: str, language: str = DEFAULT_LANGUAGE) -> bool:
    """Whether a draft mentions suicide or self-harm, so the editor shows guidance."""
    return bool(text) and screen(text, language).needs_guidance


def rule_labels(language: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    return {rule.id: rule.label for rule in load_rules(language).rules}
