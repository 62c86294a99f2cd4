"""The risk screen's cost and robustness, what bad rule data does, and the statistical second
reader (the model)."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from tandem.moderation import screening

# --- Cost and robustness ------------------------------------------------------------------


def test_the_forum_bench_vocabulary_fires_nothing() -> None:
    """bench.forum_seed generates posts from the peer seed's words and stops if a rule fires."""
    from bench.forum_seed import make_text

    rng = random.Random(5)
    fired = {rule.id for _ in range(300) for rule in screening.screen(make_text(rng, 400)).fired}
    assert fired == set()


def test_a_pathological_text_stays_cheap() -> None:
    screening.screen("warm up")
    start = time.perf_counter()
    screening.screen("i want to going to tonight not never " * 60)
    screening.screen("a " * 1000)
    assert time.perf_counter() - start < 2


# --- Bad rule data fails loudly -----------------------------------------------------------

_LEXICON = 'language = "zz"\n[spelling]\ntonite = "tonight"\n[classes]\nsad = ["so sad"]\n'
_RULE = 'id = "x"\ncategory = "suicide"\nlevel = "flag"\nlabel = "x"\n'


@pytest.mark.parametrize(
    ("rules", "lexicon", "message"),
    [
        (_RULE.replace("flag", "loud") + 'phrases = ["x"]\n', _LEXICON, "unknown level"),
        (_RULE.replace("suicide", "mood") + 'phrases = ["x"]\n', _LEXICON, "unknown category"),
        (_RULE + 'phrase = ["x"]\n', _LEXICON, "unknown keys"),
        (_RULE, _LEXICON, "no phrases, patterns or combinations"),
        (_RULE + '[[rules.when]]\nall = ["sadd"]\n', _LEXICON, "unknown classes"),
        (_RULE + '[[rules.when]]\nall = ["sad"]\nscope = "page"\n', _LEXICON, "scope must be"),
        (_RULE + '[[rules.when]]\nal = ["sad"]\n', _LEXICON, "unknown keys"),
        (_RULE + 'phrases = ["(so|very sad"]\n', _LEXICON, "unbalanced"),
        (_RULE + 'phrases = ["ki* me"]\n', _LEXICON, "three letters"),
        (_RULE + 'phrases = ["~2 sad"]\n', _LEXICON, "start and end with a word"),
        (_RULE + "patterns = ['(unclosed']\n", _LEXICON, "bad pattern"),
        (_RULE + 'phrases = ["x"]\n[[rules]]\n' + _RULE + 'phrases = ["y"]\n', _LEXICON, "twice"),
        (_RULE + 'phrases = ["sad tonite"]\n', _LEXICON, "spelling table rewrites"),
        (_RULE + 'phrases = ["x"]\n', _LEXICON.replace('["so sad"]', "[]"), "has no terms"),
        (_RULE + 'phrases = ["x"]\n', "language = ", "zz"),
    ],
)
def test_bad_rule_data_is_refused_at_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rules: str, lexicon: str, message: str
) -> None:
    (tmp_path / "rules_zz.toml").write_text(f'language = "zz"\n[[rules]]\n{rules}')
    (tmp_path / "lexicon_zz.toml").write_text(lexicon)
    monkeypatch.setattr(screening, "DATA_DIR", tmp_path)
    screening.load_rules.cache_clear()
    try:
        with pytest.raises(ValueError, match=message):
            screening.screen("so sad tonight", "zz")
    finally:
        monkeypatch.undo()
        screening.load_rules.cache_clear()


# --- The statistical second reader --------------------------------------------------------


def test_the_model_is_loaded_once_and_shipped_small() -> None:
    assert screening.load_model_once() is screening.load_model_once()
    assert screening.MODEL_PATH.stat().st_size < 1_000_000


def test_the_model_rules_have_their_own_ids_and_labels() -> None:
    labels = screening.rule_labels()
    assert labels["model_risk"] == "The wording resembles posts that described risk"
    assert "model_imminent" in labels
    assert screening.MODEL_RULES["flag"].level == "flag"
    assert screening.MODEL_RULES["high"].level == "high"


def _with_model(monkeypatch: pytest.MonkeyPatch, risk: float, imminent: float) -> None:
    """Make the second reader say ``risk`` and ``imminent`` for every text."""
    model = screening.load_model_once()
    monkeypatch.setattr(
        type(model), "probabilities", lambda self, *args, **kwargs: (risk, imminent)
    )


@pytest.mark.parametrize(
    "text",
    [
        "I'm going to kill myself tonight",  # high
        "email me at sam@example.org",  # hold
        "I feel like such a burden",  # flag
        "I used to self-harm",  # remind
        "I went for a walk today",  # nothing
        "In the film he says he will end it all tonight",
    ],
)
def test_the_model_never_lowers_what_the_rules_decided(
    monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    rules = screening.screen(text, use_model=False)
    _with_model(monkeypatch, 0.0, 0.0)
    both = screening.screen(text)
    assert both.fired == rules.fired
    assert both.level == rules.level and both.decision == rules.decision


def test_the_model_can_raise_to_flag_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "Soon. Probably this weekend. I just need the flat to myself."
    assert not screening.screen(text, use_model=False).flags
    _with_model(monkeypatch, 0.99, 0.0)
    result = screening.screen(text)
    assert result.decision in {"flag", "hold"}
    assert "model_risk" in {rule.id for rule in result.fired} or result.is_high
    plain = screening.screen("I went for a walk today")
    assert [rule.id for rule in plain.fired] == ["model_risk"]
    assert plain.decision == "flag" and plain.reasons == (
        "The wording resembles posts that described risk",
    )


def test_a_confident_model_holds_unless_the_rules_read_past_film_or_joke(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _with_model(monkeypatch, 0.99, 0.99)
    # A confident second reader holds on its own: missing imminent risk is the worse mistake.
    result = screening.screen("I went for a walk today")
    assert result.is_high
    assert [rule.id for rule in result.fired] == ["model_imminent"]
    # It does not overrule the past or a film: no hold, no flag over a reminder.
    assert screening.screen("I used to self-harm").level == "remind"
    assert not screening.screen("In the film he says he will end it all tonight").holds
    # Below its threshold it holds nothing.
    _with_model(monkeypatch, 0.99, 0.0)
    assert screening.screen("I went for a walk today").level == "flag"


def test_a_broken_model_file_fails_loudly_at_load(tmp_path: Path) -> None:
    from tandem.moderation.screening.model import load_model

    bad = tmp_path / "screen_model.json"
    for content in (
        "{not json",
        '{"format": "something else"}',
        '{"format": "tandem-screen-model/1", "cancel_classes": [],'
        ' "heads": {"risk": {"bias": 0, "threshold": 0.5, "weights": {"w:x": "heavy"}},'
        ' "imminent": {"bias": 0, "threshold": 0.5, "weights": {"w:x": 1}}}}',
        '{"format": "tandem-screen-model/1", "cancel_classes": [],'
        ' "heads": {"risk": {"bias": 0, "threshold": 1.5, "weights": {"w:x": 1}}}}',
    ):
        bad.write_text(content, encoding="utf-8")
        with pytest.raises(screening.LexiconError):
            load_model(bad)
    with pytest.raises(screening.LexiconError):
        load_model(tmp_path / "missing.json")
