"""Every screening rule, with positive and negative examples from a labelled data file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from tandem.moderation import screening

CASES: list[dict[str, Any]] = tomllib.loads(
    (Path(__file__).parent / "data" / "screening_en.toml").read_text(encoding="utf-8")
)["case"]
RULE_IDS = [rule.id for rule in screening.load_rules("en").rules]


def test_the_labelled_file_has_enough_sentences() -> None:
    assert len(CASES) >= 40
    assert sum(1 for case in CASES if not case["fires"]) >= 15


@pytest.mark.parametrize("case", CASES, ids=[case["text"][:40] for case in CASES])
def test_each_labelled_sentence_fires_exactly_its_rules(case: dict[str, Any]) -> None:
    fired = {rule.id for rule in screening.screen(case["text"]).fired}
    assert fired == set(case["fires"]), case["text"]


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_every_rule_has_a_positive_and_a_negative_example(rule_id: str) -> None:
    positives = [case for case in CASES if rule_id in case["fires"]]
    negatives = [case for case in CASES if rule_id not in case["fires"]]
    assert positives, f"no sentence fires {rule_id}"
    assert negatives


@pytest.mark.parametrize(
    "text",
    ["I could kill for a coffee", "this exam is killing me", "I'm dying to see that film"],
)
def test_common_figures_of_speech_never_fire(text: str) -> None:
    assert screening.screen(text).fired == ()


def test_the_strongest_level_decides() -> None:
    result = screening.screen("I self-harm and I want to kill myself")
    assert result.level == "high"
    assert result.is_high and result.holds and not result.reminds
    assert result.fired[0].level == "high"


def test_a_reminder_rule_alone_publishes_with_a_reminder() -> None:
    result = screening.screen("I used to self-harm")
    assert result.level == "remind"
    assert result.reminds and not result.holds


def test_identifying_details_hold_without_crisis_resources() -> None:
    result = screening.screen("email me at sam@example.org")
    assert result.level == "hold"
    assert result.holds and not result.is_high


def test_curly_apostrophes_count_as_straight_ones() -> None:
    assert screening.screen("I don\u2019t want to be here anymore").is_high


def test_rules_load_once_and_unknown_languages_fall_back_to_english() -> None:
    assert screening.load_rules("en") is screening.load_rules("en")
    assert screening.load_rules("xx").language == "en"


def test_draft_guidance_shows_for_self_harm_and_suicide_only() -> None:
    assert screening.needs_guidance("I cut myself last night")
    assert screening.needs_guidance("thinking about suicide")
    assert not screening.needs_guidance("call me on 07700 900123")
    assert not screening.needs_guidance("")


def test_a_rule_file_with_an_unknown_level_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "rules_zz.toml").write_text(
        'language = "zz"\n[[rules]]\nid = "x"\ncategory = "x"\nlevel = "loud"\nlabel = "x"\n'
        'phrases = ["x"]\n'
    )
    monkeypatch.setattr(screening, "DATA_DIR", tmp_path)
    screening.load_rules.cache_clear()
    try:
        with pytest.raises(ValueError, match="unknown level"):
            screening.load_rules("zz")
    finally:
        monkeypatch.undo()
        screening.load_rules.cache_clear()
