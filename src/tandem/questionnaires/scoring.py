"""Scoring, one function per instrument, from the stored answers and nothing else.

Answers are ``{"<item number>": value}``. A response with a required item missing, or a value
outside the item's range, is not scored: its ``Score`` says which items are missing and has no
total, so no page can show half a score as if it were whole. The band tables are the published
cut-offs; ``tests/test_scoring.py`` works them out by hand at every edge.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass, field

Answers = Mapping[str, int]

# Safety flags a result page acts on (``safety.py``).
SELF_HARM_THOUGHTS = "self_harm_thoughts"
LOW_WELLBEING = "likely_depression"
POOR_WELLBEING = "poor_wellbeing"


@dataclass(frozen=True)
class Band:
    key: str
    low: int
    high: int
    label: str


@dataclass(frozen=True)
class Score:
    instrument: str
    max_total: int
    higher_is_better: bool
    total: int | None = None
    band: Band | None = None
    # WHO-5's raw score times four, 0-100.
    percentage: int | None = None
    missing: tuple[int, ...] = ()
    flags: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_complete(self) -> bool:
        return self.total is not None

    @property
    def value(self) -> int | None:
        """The number charts and tables show: WHO-5's percentage, else the total."""
        return self.percentage if self.percentage is not None else self.total


PHQ9_BANDS = (
    Band("minimal", 0, 4, "Minimal"),
    Band("mild", 5, 9, "Mild"),
    Band("moderate", 10, 14, "Moderate"),
    Band("moderately_severe", 15, 19, "Moderately severe"),
    Band("severe", 20, 27, "Severe"),
)
GAD7_BANDS = (
    Band("minimal", 0, 4, "Minimal"),
    Band("mild", 5, 9, "Mild"),
    Band("moderate", 10, 14, "Moderate"),
    Band("severe", 15, 21, "Severe"),
)
# WHO-5 bands are on the percentage scale; "poor" also applies to a higher percentage when any
# item was answered 0 or 1 (see score_who5).
WHO5_BANDS = (
    Band(LOW_WELLBEING, 0, 28, "Very low wellbeing"),
    Band(POOR_WELLBEING, 29, 49, "Low wellbeing"),
    Band("good", 50, 100, "Good wellbeing"),
)
# Change of this many percentage points on the WHO-5 is taken as meaningful.
WHO5_MEANINGFUL_CHANGE = 10


def band_for(bands: tuple[Band, ...], value: int) -> Band:
    return next(band for band in bands if band.low <= value <= band.high)


def _collect(answers: Answers, items: int, top: int) -> tuple[list[int], tuple[int, ...]]:
    """The values of items 1..``items`` and the numbers of those missing or out of 0..top."""
    values: list[int] = []
    missing: list[int] = []
    for number in range(1, items + 1):
        value = answers.get(str(number))
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
            missing.append(number)
        else:
            values.append(value)
    return values, tuple(missing)


def score_phq9(answers: Answers) -> Score:
    """PHQ-9: items 1-9 (0-3) add up to 0-27; item 10 is asked but never added. Any answer
    above 0 on item 9 is flagged, whatever the total and even when other items are missing."""
    values, missing = _collect(answers, 9, 3)
    item9 = answers.get("9")
    flags = frozenset({SELF_HARM_THOUGHTS} if isinstance(item9, int) and 0 < item9 <= 3 else set())
    base = Score("phq9", 27, False, missing=missing, flags=flags)
    if missing:
        return base
    total = sum(values)
    return Score("phq9", 27, False, total=total, band=band_for(PHQ9_BANDS, total), flags=flags)


def score_gad7(answers: Answers) -> Score:
    values, missing = _collect(answers, 7, 3)
    if missing:
        return Score("gad7", 21, False, missing=missing)
    total = sum(values)
    return Score("gad7", 21, False, total=total, band=band_for(GAD7_BANDS, total))


def score_who5(answers: Answers) -> Score:
    """WHO-5: five items 0-5, raw 0-25, percentage = raw x 4 (higher is better).

    At or below 28 % is flagged as likely depression; below 50 %, or any single item answered
    0 or 1, as poor wellbeing."""
    values, missing = _collect(answers, 5, 5)
    if missing:
        return Score("who5", 25, True, missing=missing)
    total = sum(values)
    percentage = total * 4
    band = band_for(WHO5_BANDS, percentage)
    flags: set[str] = set()
    if percentage <= WHO5_BANDS[0].high:
        flags = {LOW_WELLBEING, POOR_WELLBEING}
    elif percentage < WHO5_BANDS[2].low or min(values) <= 1:
        flags = {POOR_WELLBEING}
        band = WHO5_BANDS[1]
    return Score(
        "who5", 25, True, total=total, band=band, percentage=percentage, flags=frozenset(flags)
    )


def score_qpr15(answers: Answers) -> Score:
    """QPR-15: fifteen items 0-4, total 0-60, higher means more recovery. No bands: pages show
    the change from one response to the next."""
    values, missing = _collect(answers, 15, 4)
    if missing:
        return Score("qpr15", 60, True, missing=missing)
    return Score("qpr15", 60, True, total=sum(values))


def score_defined(
    key: str,
    answers: Answers,
    *,
    items: int,
    values: Set[int],
    bands: tuple[Band, ...],
    totals: tuple[int, int],
    higher_is_better: bool,
) -> Score:
    """An instrument defined in the portal: items 1..``items``, each one of ``values``; the
    total is their sum and ``bands`` (checked to cover ``totals`` when defined) name it."""
    missing = tuple(
        number
        for number in range(1, items + 1)
        if isinstance(answers.get(str(number)), bool) or answers.get(str(number)) not in values
    )
    if missing:
        return Score(key, totals[1], higher_is_better, missing=missing)
    total = sum(answers[str(number)] for number in range(1, items + 1))
    band = next((b for b in bands if b.low <= total <= b.high), None)
    return Score(key, totals[1], higher_is_better, total=total, band=band)
