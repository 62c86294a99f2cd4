"""Scoring against hand-worked tables: every band edge, the direction of 'better', missing
items, and (Hypothesis) totals and bands for any complete set of answers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.questionnaires.instruments import INSTRUMENTS
from tandem.questionnaires.safety import follow_up_reasons
from tandem.questionnaires.scoring import (
    LOW_WELLBEING,
    POOR_WELLBEING,
    SELF_HARM_THOUGHTS,
    score_gad7,
    score_phq9,
    score_qpr15,
    score_who5,
)


def spread(total: int, items: int, top: int) -> dict[str, int]:
    """Answers adding up to ``total``, filled item by item (9 -> 3,3,3,0,...)."""
    answers = {}
    left = total
    for number in range(1, items + 1):
        value = min(top, left)
        answers[str(number)] = value
        left -= value
    assert left == 0
    return answers


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"),
        (14, "moderate"), (15, "moderately_severe"), (19, "moderately_severe"),
        (20, "severe"), (27, "severe"),
    ],
)  # fmt: skip
def test_phq9_band_edges(total: int, band: str) -> None:
    score = score_phq9(spread(total, 9, 3))
    assert score.total == total
    assert score.band is not None and score.band.key == band
    assert score.higher_is_better is False


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"),
        (14, "moderate"), (15, "severe"), (21, "severe"),
    ],
)  # fmt: skip
def test_gad7_band_edges(total: int, band: str) -> None:
    score = score_gad7(spread(total, 7, 3))
    assert (score.total, score.band and score.band.key) == (total, band)
    assert score.higher_is_better is False


def test_phq9_item_10_is_asked_but_never_added() -> None:
    answers = {**spread(12, 9, 3), "10": 3}
    assert score_phq9(answers).total == 12
    assert not INSTRUMENTS["phq9"].items[9].scored


def test_phq9_item_9_above_0_flags_whatever_the_total() -> None:
    answers = {str(n): 0 for n in range(1, 10)} | {"9": 1}
    score = score_phq9(answers)
    assert score.total == 1 and score.band is not None and score.band.key == "minimal"
    assert follow_up_reasons(score) == (SELF_HARM_THOUGHTS,)
    assert follow_up_reasons(score_phq9(spread(24, 8, 3) | {"9": 0})) == ()


def test_phq9_item_9_flags_even_when_other_items_are_missing() -> None:
    score = score_phq9({"9": 2})
    assert not score.is_complete and SELF_HARM_THOUGHTS in score.flags


@pytest.mark.parametrize(
    ("raw", "percentage", "band", "flags"),
    [
        (0, 0, "likely_depression", {LOW_WELLBEING, POOR_WELLBEING}),
        (7, 28, "likely_depression", {LOW_WELLBEING, POOR_WELLBEING}),
        (8, 32, "poor_wellbeing", {POOR_WELLBEING}),
        (12, 48, "poor_wellbeing", {POOR_WELLBEING}),
        (13, 52, "good", set()),
        (25, 100, "good", set()),
    ],
)
def test_who5_percentage_and_bands(raw: int, percentage: int, band: str, flags: set[str]) -> None:
    # Spread evenly so no item is 0-1 unless the total forces it (13 -> 3,3,3,2,2).
    base, extra = divmod(raw, 5)
    answers = {str(n): base + (1 if n <= extra else 0) for n in range(1, 6)}
    score = score_who5(answers)
    assert (score.total, score.percentage) == (raw, percentage)
    assert score.band is not None and score.band.key == band
    assert score.flags == flags
    assert score.higher_is_better is True


def test_who5_any_item_at_0_or_1_is_poor_wellbeing_even_above_50() -> None:
    score = score_who5({"1": 5, "2": 5, "3": 5, "4": 5, "5": 1})
    assert score.percentage == 84
    assert score.band is not None and score.band.key == "poor_wellbeing"
    assert score.flags == {POOR_WELLBEING}
    assert follow_up_reasons(score) == ()


def test_who5_at_28_percent_needs_the_follow_up() -> None:
    assert follow_up_reasons(score_who5(spread(7, 5, 5))) == (LOW_WELLBEING,)
    assert follow_up_reasons(score_who5({str(n): 2 for n in range(1, 5)} | {"5": 0})) == ()


def test_qpr15_has_no_bands_and_higher_is_better() -> None:
    assert score_qpr15(spread(0, 15, 4)).total == 0
    top = score_qpr15(spread(60, 15, 4))
    assert (top.total, top.band, top.higher_is_better) == (60, None, True)


@pytest.mark.parametrize("key", ["phq9", "gad7", "who5", "qpr15"])
def test_a_missing_required_item_is_not_scored_and_says_which(key: str) -> None:
    instrument = INSTRUMENTS[key]
    answers = {item.key: 1 for item in instrument.scored_items}
    del answers["2"]
    score = instrument.score(answers)
    assert (score.total, score.band, score.missing) == (None, None, (2,))


@pytest.mark.parametrize("key", ["phq9", "gad7", "who5", "qpr15"])
def test_out_of_range_values_are_not_scored(key: str) -> None:
    instrument = INSTRUMENTS[key]
    answers = {item.key: 1 for item in instrument.scored_items} | {"1": 99}
    assert instrument.score(answers).missing == (1,)
    assert instrument.score(answers | {"1": -1}).missing == (1,)
    assert instrument.score(answers | {"1": True}).missing == (1,)


def _complete(key: str) -> st.SearchStrategy[dict[str, int]]:
    instrument = INSTRUMENTS[key]
    return st.fixed_dictionaries(
        {item.key: st.sampled_from(sorted(item.values)) for item in instrument.scored_items}
    )


@given(answers=_complete("phq9"))
def test_phq9_any_complete_answers(answers: dict[str, int]) -> None:
    score = score_phq9(answers)
    assert score.total == sum(answers.values())
    assert score.band is not None and score.band.low <= score.total <= score.band.high
    assert (SELF_HARM_THOUGHTS in score.flags) == (answers["9"] > 0)


@given(answers=_complete("gad7"))
def test_gad7_any_complete_answers(answers: dict[str, int]) -> None:
    score = score_gad7(answers)
    assert score.total == sum(answers.values()) and 0 <= score.total <= 21
    assert score.band is not None and score.band.low <= score.total <= score.band.high


@given(answers=_complete("who5"))
def test_who5_any_complete_answers(answers: dict[str, int]) -> None:
    score = score_who5(answers)
    raw = sum(answers.values())
    assert (score.total, score.percentage) == (raw, raw * 4)
    assert (LOW_WELLBEING in score.flags) == (raw * 4 <= 28)
    poor = raw * 4 < 50 or min(answers.values()) <= 1
    assert (POOR_WELLBEING in score.flags) == poor
    assert score.band is not None
    assert (score.band.key == "good") == (not poor)


@given(answers=_complete("qpr15"))
def test_qpr15_any_complete_answers(answers: dict[str, int]) -> None:
    score = score_qpr15(answers)
    assert score.total == sum(answers.values()) and 0 <= score.total <= 60


def test_instruments_have_their_published_shape() -> None:
    shape = {k: (len(i.scored_items), i.max_total) for k, i in INSTRUMENTS.items()}
    assert shape == {"phq9": (9, 27), "gad7": (7, 21), "who5": (5, 25), "qpr15": (15, 60)}
    assert all(i.attribution for i in INSTRUMENTS.values())
