"""The risk screen: transparent rules kept as data (``data/rules_<language>.toml`` and
``data/lexicon_<language>.toml``), loaded once per process, run on every new post and reply
before anyone else sees it. ``docs/screening.md`` explains how it reads a text.

The screen only *classifies*. What happens next (hold, flag, remind, notify) is decided by
``moderation.posting``; nothing is ever deleted because a rule fired.

Modules: ``normaliser`` (undoing spacing, leetspeak, slang), ``lexicon`` (term classes and
the one-pass matcher), ``rules`` (reading and checking rule files), ``engine`` (combinations,
negation, figures of speech; :class:`ScreenResult`).
"""

from __future__ import annotations

import functools
from pathlib import Path

from tandem.moderation.screening.engine import Screener, ScreenResult
from tandem.moderation.screening.lexicon import LexiconError
from tandem.moderation.screening.model import SHORT_WINDOW, Model, load_model
from tandem.moderation.screening.normaliser import Doc
from tandem.moderation.screening.rules import (
    LEVEL_ORDER,
    Combination,
    Rule,
    RuleSet,
    load_rule_file,
)

__all__ = [
    "DATA_DIR",
    "DEFAULT_LANGUAGE",
    "LEVEL_ORDER",
    "MODEL_RULES",
    "Combination",
    "LexiconError",
    "Rule",
    "RuleSet",
    "ScreenResult",
    "available_languages",
    "explain",
    "load_model_once",
    "load_rules",
    "needs_guidance",
    "normalise",
    "rule_labels",
    "screen",
]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_LANGUAGE = "en"
MODEL_PATH = DATA_DIR / "screen_model.json"

# The statistical second reader's rules: stored as ScreeningDecisions like any other rule, so
# moderators see when the wording, not a rule, raised a post.
MODEL_RULES = {
    "flag": Rule(
        id="model_risk",
        category="distress",
        level="flag",
        label="The wording resembles posts that described risk",
        guidance=False,
    ),
    "high": Rule(
        id="model_imminent",
        category="suicide",
        level="high",
        label="The wording closely resembles posts that described risk happening now",
        guidance=True,
    ),
}


def available_languages() -> tuple[str, ...]:
    """The languages with a rule file, English first."""
    return _languages(DATA_DIR)


@functools.cache
def _languages(data_dir: Path) -> tuple[str, ...]:
    found = sorted(path.stem.removeprefix("rules_") for path in data_dir.glob("rules_*.toml"))
    return tuple(sorted(found, key=lambda language: language != DEFAULT_LANGUAGE))


@functools.cache
def load_rules(language: str = DEFAULT_LANGUAGE) -> RuleSet:
    """Read, check and compile the rules for ``language`` (falling back to English), once.

    Bad rule data raises :class:`LexiconError` (a ``ValueError``): better a failed start than
    a rule that silently never fires.
    """
    path = DATA_DIR / f"rules_{language}.toml"
    if not path.exists():
        path = DATA_DIR / f"rules_{DEFAULT_LANGUAGE}.toml"
    return load_rule_file(path, DATA_DIR)


@functools.lru_cache(maxsize=16)
def _screener(rulesets: tuple[RuleSet, ...]) -> Screener:
    return Screener(rulesets)


def _rulesets(language: str | None) -> tuple[RuleSet, ...]:
    if language is None:
        return tuple(load_rules(each) for each in available_languages())
    return (load_rules(language),)


@functools.cache
def load_model_once() -> Model:
    """The second reader's weights, read once per process (a bad file raises
    :class:`LexiconError`)."""
    return load_model(MODEL_PATH)


def screen(text: str, language: str | None = None, *, use_model: bool = True) -> ScreenResult:
    """Return the rules that fire on ``text``, strongest first.

    Posts carry no language and people mix languages, so by default every language's rules
    run; ``language`` limits the screen to one language's rules. The statistical second
    reader (``screening.model``) may then *raise* the level, never lower it: to ``flag``
    when the wording resembles risk posts, to ``high`` when it is confident that it reads
    imminent risk; never where the rules read the words as past, recovery, a film or song, a
    figure of speech or a joke, nor on a few words with no lexicon class of risk.
    ``use_model=False`` gives the rules alone.
    """
    rulesets = _rulesets(language)
    found, doc, present = _screener(rulesets).read(text)
    fired = tuple(rule for rule, _why in found)
    if use_model and doc.tokens:
        extra = _model_rule(fired, doc, present)
        if extra is not None:
            fired = tuple(sorted((*fired, extra), key=lambda rule: -LEVEL_ORDER[rule.level]))
    if fired:
        return ScreenResult(language=fired[0].language, fired=fired)
    return ScreenResult(language=rulesets[0].language, fired=())


def _model_rule(fired: tuple[Rule, ...], doc: Doc, present: frozenset[str]) -> Rule | None:
    """The model's rule when it raises the level the rules reached, else ``None``."""
    strongest = fired[0].strength if fired else 0
    if strongest >= LEVEL_ORDER["high"]:
        return None
    model = load_model_once()
    classes = {key.partition(":")[2] for key in present}
    # Where the rules read the words as past, quoted, figurative or a joke, the model does
    # not overrule them: no hold, and no flag on a post they chose to remind about.
    cancelled = not classes.isdisjoint(model.cancel_classes)
    if cancelled and strongest >= LEVEL_ORDER["remind"]:
        return None
    # Not one risk word in the post: a few words alone are too little ("I can't sleep.").
    short = 0
    if model.risk_classes and classes.isdisjoint(model.risk_classes):
        short = SHORT_WINDOW + 1
    risk, imminent = model.probabilities(doc.tokens, doc.sentence, doc.clause, short)
    if imminent >= model.imminent.threshold and not cancelled:
        return MODEL_RULES["high"]
    if risk >= model.risk.threshold and strongest < LEVEL_ORDER["flag"]:
        return MODEL_RULES["flag"]
    return None


def explain(text: str, language: str | None = None) -> list[tuple[Rule, str]]:
    """Return the rules that fire on ``text`` and the words that made each fire."""
    return _screener(_rulesets(language)).explain(text)


def needs_guidance(text: str, language: str | None = None) -> bool:
    """Whether a draft mentions suicide or self-harm, so the editor shows guidance."""
    return bool(text) and screen(text, language).needs_guidance


def rule_labels(language: str | None = None) -> dict[str, str]:
    """Map rule ids to what moderators see; English labels win where languages share an id."""
    labels: dict[str, str] = {rule.id: rule.label for rule in MODEL_RULES.values()}
    for ruleset in _rulesets(language):
        for rule in ruleset.rules:
            labels.setdefault(rule.id, rule.label)
    return labels


def normalise(text: str) -> str:
    """Return ``text`` as the screen reads it (words, with "." between sentences and ","
    between clauses): for people checking why a rule did or did not fire."""
    return _screener(_rulesets(None)).doc(text).text()
