"""The risk screen's rules: every rule with positive and negative examples, labelled sentences by
kind of risk, figures of speech, negation and clause-scoped cancellation."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from tandem.moderation import screening
from tandem.moderation.tests.helpers_screening import _ids

DATA = Path(__file__).parent / "data"


def _cases(name: str) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = tomllib.loads((DATA / name).read_text(encoding="utf-8"))["case"]
    return cases


RULE_CASES = {"en": _cases("screening_en.toml"), "nb": _cases("screening_nb.toml")}
LABELLED = _cases("screening_cases.toml")
RULES = [
    (language, rule.id)
    for language in ("en", "nb")
    for rule in screening.load_rules(language).rules
]


# --- Every rule, by the sentences that must and must not fire it --------------------------


def test_the_labelled_files_have_enough_sentences() -> None:
    assert len(RULE_CASES["en"]) >= 60
    assert sum(1 for case in RULE_CASES["en"] if not case["fires"]) >= 25
    assert len(RULE_CASES["nb"]) >= 30
    labels = {case["label"] for case in LABELLED}
    assert labels == {"imminent", "concern", "ordinary", "privacy"}
    assert len(LABELLED) >= 500


@pytest.mark.parametrize(
    ("language", "case"),
    [(language, case) for language, cases in RULE_CASES.items() for case in cases],
    ids=[
        f"{language}:{case['text'][:40]}"
        for language, cases in RULE_CASES.items()
        for case in cases
    ],
)
def test_each_labelled_sentence_fires_exactly_its_rules(
    language: str, case: dict[str, Any]
) -> None:
    assert _ids(case["text"], language) == set(case["fires"]), case["text"]


@pytest.mark.parametrize(
    ("language", "rule_id"), RULES, ids=[f"{lang}:{rid}" for lang, rid in RULES]
)
def test_every_rule_has_a_positive_and_a_negative_example(language: str, rule_id: str) -> None:
    cases = RULE_CASES[language]
    assert [case for case in cases if rule_id in case["fires"]], f"no sentence fires {rule_id}"
    assert [case for case in cases if rule_id not in case["fires"]]


# --- Sentences by kind of risk ------------------------------------------------------------


@pytest.mark.parametrize("case", LABELLED, ids=[f"{c['label']}:{c['text'][:40]}" for c in LABELLED])
def test_sentences_by_kind_of_risk(case: dict[str, Any]) -> None:
    """Imminent risk is held with crisis resources; a concern reaches a moderator or shows a
    reminder but is never held as high risk; ordinary posts are published unflagged (a
    reminder is allowed); identifying details are held without crisis resources."""
    result = screening.screen(case["text"])
    why = [(rule.id, found) for rule, found in screening.explain(case["text"])]
    label = case["label"]
    if label == "imminent":
        assert result.is_high and result.decision == "hold", why
    elif label == "concern":
        assert result.level is not None and not result.is_high, why
    elif label == "ordinary":
        assert result.decision == "pass", why
    else:
        assert result.decision == "hold" and not result.is_high, why


@pytest.mark.parametrize(
    "text",
    [
        "I could kill for a coffee",
        "this exam is killing me",
        "I'm dying to see that film",
        "this traffic is killing me",
        "I could murder a coffee",
        "my feet are killing me",
        "my phone battery died",
        "I nearly died laughing",
        "that concert was to die for",
        "We play bridge on Thursdays",
        "spent the morning hanging a picture",
        "my mum will kill me if I'm late lol",
        "denne trafikken dreper meg",
        "jeg ler meg ihjel",
    ],
)
def test_common_figures_of_speech_never_fire(text: str) -> None:
    assert screening.screen(text).fired == ()


@pytest.mark.parametrize(
    ("text", "high"),
    [
        ("I'm not going to kill myself", False),
        ("I would never take my own life", False),
        ("I don't want to die", False),
        ("not thinking about killing myself at all", False),
        ("I'm not okay, I want to kill myself", True),
        ("I can't stop thinking about killing myself", True),
        ("I'm not sure I won't kill myself tonight", True),
        ("No one knows I want to die", True),
        ("I'm not joking, I'm going to kill myself", True),
    ],
)
def test_negation_cancels_only_what_it_negates(text: str, high: bool) -> None:
    assert screening.screen(text).is_high is high


def test_the_past_turns_a_hold_into_a_reminder() -> None:
    result = screening.screen("I tried to kill myself when I was 17.", use_model=False)
    assert result.level == "remind" and result.reminds
    # The second reader may put it in front of a moderator, but it is never held.
    assert not screening.screen("I tried to kill myself when I was 17.").holds
    assert screening.screen("I tried to kill myself tonight.").is_high


def test_a_quotation_from_a_film_or_song_is_not_held() -> None:
    assert not screening.screen("In the film he says he will end it all tonight").holds
    assert screening.screen("I will end it all tonight").is_high


# --- Clause-scoped cancellation -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "high"),
    [
        # The past in the clause of the risk words still cancels...
        ("I tried to kill myself when I was 17.", False),
        ("years ago I wanted to kill myself", False),
        # ...but not risk words in another clause that says now or soon.
        ("Years ago I tried, but tonight I'm going to kill myself", True),
        ("I used to self-harm, now I want to kill myself tonight", True),
        ("this exam is killing me, and tonight I'm going to end my life", True),
        # A quotation still cancels its whole sentence: it is about what the sentence says.
        ("In the film he says he will end it all tonight", False),
    ],
)
def test_cancelling_words_are_scoped_to_the_clause_of_the_risk_words(text: str, high: bool) -> None:
    assert screening.screen(text, use_model=False).is_high is high, screening.explain(text)
