"""Rules as data: reading ``data/rules_<language>.toml`` and its lexicon, checking them
loudly (a typo in a class name must stop the process at start-up, not silently never fire).

A rule fires when any one of its combinations (``[[rules.when]]``) is found, or one of its
``phrases`` or ``patterns``. A combination is a conjunction of lexicon classes read the way a
person reads risk: "an intent" *and* "a way of ending life" in one clause, not negated, not
in a sentence that is about a film or the past.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tandem.moderation.screening.lexicon import LexiconError, Term, compile_classes, compile_term
from tandem.moderation.screening.patterns import FastSearch

# Order of severity: the strongest level among the rules that fired decides.
LEVEL_ORDER = {"remind": 1, "flag": 2, "hold": 3, "high": 4}
CATEGORIES = frozenset(
    {"suicide", "self_harm", "method", "abuse", "violence", "distress", "eating", "identifying"}
)
SCOPES = ("clause", "sentence", "post")
# Classes the engine itself reads in every language's lexicon.
NEGATION, NEGATION_BREAKER, NEGATION_GAP = "negation", "negation_breaker", "negation_gap"
IGNORE = "ignore"  # set phrases that hide what they overlap ("not going to lie")

_RULE_KEYS = {"id", "category", "level", "label", "guidance", "phrases", "patterns", "unless"}
_RULE_KEYS |= {"requires"}
_RULE_KEYS |= {"when"}
_WHEN_KEYS = {"all", "scope", "within", "anywhere", "not", "not_scope", "negation", "ordered"}


@dataclass(frozen=True, slots=True)
class Combination:
    """Classes that must all be found, each piece distinct, within one ``scope``.

    ``parts``: per piece, the class keys any one of which will do. ``within``: the most tokens
    from the first piece's start to the last piece's end. ``anywhere``: classes that must also
    appear somewhere in the post. ``blockers``: classes that cancel the combination when found
    in the same ``blocker_scope`` (figures of speech, the past, quotations). ``negation``:
    whether a negation cue just before a piece ("not", "never", "won't") cancels it.
    ``ordered``: whether the pieces must come in the order of ``parts`` ("I'm going to" before
    "kill" before "him": "my boss is going to kill me" is no threat).
    """

    parts: tuple[tuple[str, ...], ...]
    scope: str = "sentence"
    within: int | None = None
    anywhere: tuple[tuple[str, ...], ...] = ()
    blockers: tuple[str, ...] = ()
    blocker_scope: str = "sentence"
    negation: bool = True
    ordered: bool = False
    needs: tuple[frozenset[str], ...] = ()  # parts and anywhere as sets, for a quick check

    def __post_init__(self) -> None:
        needed = tuple(frozenset(keys) for keys in (*self.parts, *self.anywhere))
        object.__setattr__(self, "needs", needed)


@dataclass(frozen=True, eq=False)
class Rule:
    """One rule: what moderators see (``id``, ``label``), how strong it is (``level``), and
    how it is found. ``language`` is the rule file it came from."""

    id: str
    category: str
    level: str
    label: str
    guidance: bool
    language: str = "en"
    when: tuple[Combination, ...] = ()
    patterns: tuple[FastSearch, ...] = ()
    unless: re.Pattern[str] | None = None
    requires: re.Pattern[str] | None = None

    @property
    def strength(self) -> int:
        return LEVEL_ORDER[self.level]

    def pattern_fires(self, light: str) -> bool:
        """Whether a pattern matches the light text (the ``unless`` parts blanked out)."""
        if not self.patterns or (self.requires is not None and not self.requires.search(light)):
            return False
        if not any(pattern.search(light) for pattern in self.patterns):
            return False
        if self.unless is None:
            return True
        cleaned = self.unless.sub(" ", light)
        return any(pattern.search(cleaned) for pattern in self.patterns)


@dataclass(frozen=True, eq=False)
class RuleSet:
    """One language's rules, strongest first, with the lexicon classes they read."""

    language: str
    rules: tuple[Rule, ...]
    classes: dict[str, list[Term]] = field(default_factory=dict)
    spelling: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise LexiconError(f"{path.name}: {error}") from error


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise LexiconError(f"{where} must be a list of strings")
    return list(value)


def load_lexicon(
    path: Path, language: str
) -> tuple[dict[str, list[Term]], dict[str, tuple[str, ...]]]:
    """Read a lexicon file: its classes (compiled) and its spelling fixes."""
    data = _read(path)
    unknown = set(data) - {"language", "classes", "spelling"}
    if unknown:
        raise LexiconError(f"{path.name}: unknown keys {sorted(unknown)}")
    raw_classes = data.get("classes", {})
    classes = {
        name: _strings(terms, f"{path.name}: class {name}") for name, terms in raw_classes.items()
    }
    spelling = {}
    for word, meaning in data.get("spelling", {}).items():
        if not isinstance(meaning, str) or not meaning.split():
            raise LexiconError(f"{path.name}: spelling of {word!r} must be words")
        spelling[word.replace("'", "")] = tuple(meaning.replace("'", "").split())
    return compile_classes(language, classes), spelling


def load_rule_file(path: Path, lexicon_dir: Path) -> RuleSet:
    """Read, check and compile one rule file and the lexicon of its language."""
    data = _read(path)
    language = data.get("language")
    if not isinstance(language, str):
        raise LexiconError(f"{path.name}: says no language")
    lexicon_path = lexicon_dir / f"lexicon_{language}.toml"
    classes, spelling = load_lexicon(lexicon_path, language) if lexicon_path.exists() else ({}, {})
    rules: list[Rule] = []
    seen: set[str] = set()
    for raw in data.get("rules", []):
        rule, phrases = _rule(raw, language, classes, path.name)
        if rule.id in seen:
            raise LexiconError(f"{path.name}: rule {rule.id} appears twice")
        seen.add(rule.id)
        if phrases:
            classes[phrases[0].key] = phrases
        rules.append(rule)
    if not rules:
        raise LexiconError(f"{path.name}: has no rules")
    rules.sort(key=lambda rule: -rule.strength)
    return RuleSet(language=language, rules=tuple(rules), classes=classes, spelling=spelling)


def _rule(
    raw: dict[str, Any], language: str, classes: dict[str, list[Term]], where: str
) -> tuple[Rule, list[Term]]:
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not rule_id:
        raise LexiconError(f"{where}: a rule has no id")
    where = f"{where}: rule {rule_id}"
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise LexiconError(f"{where} has unknown keys {sorted(unknown)}")
    if raw.get("level") not in LEVEL_ORDER:
        raise LexiconError(f"{where} has an unknown level {raw.get('level')!r}")
    if raw.get("category") not in CATEGORIES:
        raise LexiconError(f"{where} has an unknown category {raw.get('category')!r}")
    if not isinstance(raw.get("label"), str) or not raw["label"]:
        raise LexiconError(f"{where} has no label")
    phrase_key = f"{language}:rule:{rule_id}"
    phrases = [
        term
        for source in _strings(raw.get("phrases", []), f"{where}: phrases")
        for term in compile_term(phrase_key, source)
    ]
    known = set(classes) | ({phrase_key} if phrases else set())
    when = [_combination(item, language, known, where) for item in raw.get("when", [])]
    if phrases:
        when.append(Combination(parts=((phrase_key,),)))
    try:
        patterns = tuple(FastSearch(p) for p in _strings(raw.get("patterns", []), where))
        unless_parts = _strings(raw.get("unless", []), f"{where}: unless")
        unless = re.compile("|".join(f"(?:{p})" for p in unless_parts)) if unless_parts else None
        requires = raw.get("requires")
        if requires is not None and not isinstance(requires, str):
            raise LexiconError(f"{where}: requires must be a regular expression")
        required = re.compile(requires) if requires else None
    except re.error as error:
        raise LexiconError(f"{where}: bad pattern: {error}") from error
    if not when and not patterns:
        raise LexiconError(f"{where} has no phrases, patterns or combinations")
    rule = Rule(
        id=rule_id,
        category=raw["category"],
        level=raw["level"],
        label=raw["label"],
        guidance=bool(raw.get("guidance", False)),
        language=language,
        when=tuple(when),
        patterns=patterns,
        unless=unless,
        requires=required,
    )
    return rule, phrases


def _keys(names: str, language: str, known: set[str], where: str) -> tuple[str, ...]:
    keys = tuple(f"{language}:{name.strip()}" for name in names.split("|"))
    missing = [key for key in keys if key not in known]
    if missing:
        raise LexiconError(f"{where} names unknown classes {missing}")
    return keys


def _combination(raw: Any, language: str, known: set[str], where: str) -> Combination:
    if not isinstance(raw, dict):
        raise LexiconError(f"{where}: each [[rules.when]] must be a table")
    unknown = set(raw) - _WHEN_KEYS
    if unknown:
        raise LexiconError(f"{where}: [[rules.when]] has unknown keys {sorted(unknown)}")
    parts = tuple(_keys(part, language, known, where) for part in _strings(raw.get("all"), where))
    if not parts:
        raise LexiconError(f"{where}: a combination needs at least one class in `all`")
    scope, blocker_scope = raw.get("scope", "sentence"), raw.get("not_scope", "sentence")
    if scope not in SCOPES or blocker_scope not in SCOPES:
        raise LexiconError(f"{where}: scope must be one of {SCOPES}")
    within = raw.get("within")
    if within is not None and (not isinstance(within, int) or within < 1):
        raise LexiconError(f"{where}: within must be a positive number of words")
    blockers = tuple(
        key
        for names in _strings(raw.get("not", []), where)
        for key in _keys(names, language, known, where)
    )
    anywhere = tuple(
        _keys(p, language, known, where) for p in _strings(raw.get("anywhere", []), where)
    )
    return Combination(
        parts=parts,
        scope=scope,
        within=within,
        anywhere=anywhere,
        blockers=blockers,
        blocker_scope=blocker_scope,
        negation=bool(raw.get("negation", True)),
        ordered=bool(raw.get("ordered", False)),
    )
