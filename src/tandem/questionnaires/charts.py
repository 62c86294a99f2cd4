"""The trend chart of one instrument's scores, laid out here and drawn by the template.

Server-rendered SVG, no JavaScript and no inline styles (CSP): every shape has a class that
``questionnaires.css`` colours with the design tokens. Bands are shaded behind the line, and
an arrow labelled "Better" points the way better scores go, so a rising line is never read as
good news on the PHQ-9. The person's goals (started, achieved, paused...) are drawn as marks
on the same time axis, so a change of score can be read beside what the person was working on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tandem.questionnaires.instruments import Instrument
from tandem.questionnaires.selectors import ScoredResponse
from tandem.toolbox.selectors.goals import GoalMark

WIDTH = 360
HEIGHT = 180
LEFT = 36
RIGHT = 70  # room for the "Better" arrow
TOP = 10
BOTTOM = 26


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: int
    label: str
    # The person's note on this point, when the reader may see it (``visible_note``).
    note: str = ""


@dataclass(frozen=True)
class TrendRow:
    """One score in the table under the chart, with the note the reader may see."""

    item: ScoredResponse
    note: str


def visible_note(item: ScoredResponse, *, shared_only: bool) -> str:
    """The person's note on ``item`` as the reader may see it: all of their own notes for the
    owner; for anyone else (``shared_only``) only a note the owner chose to share."""
    response = item.response
    return response.note if response.note and (response.note_shared or not shared_only) else ""


@dataclass(frozen=True)
class Shade:
    y: float
    height: float
    css: str
    label: str


@dataclass(frozen=True)
class GoalMarker:
    x: float
    date: str
    label: str


@dataclass(frozen=True)
class TrendChart:
    points: list[Point]
    polyline: str
    shades: list[Shade]
    scale_max: int
    description: str
    better_up: bool
    goals: list[GoalMarker] = field(default_factory=list)
    first_label: str = ""
    last_label: str = ""
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_width: int = WIDTH - RIGHT - LEFT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM
    label_y: int = HEIGHT - 6
    arrow_x: int = WIDTH - RIGHT + 30

    @property
    def is_empty(self) -> bool:
        return not self.points


def _day(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "j M Y")


def _date(item: ScoredResponse) -> str:
    assert item.submitted_at is not None  # noqa: S101 - only submitted responses are charted
    return _day(item.submitted_at)


def trend_chart(
    instrument: Instrument,
    history: Sequence[ScoredResponse],
    goals: Sequence[GoalMark] = (),
    *,
    shared_only: bool = False,
) -> TrendChart:
    """Lay ``history`` (oldest first) out on a time axis from 0 to the instrument's top, with
    the marks of ``goals`` (oldest first) that fall between the first and the last score, and
    the person's notes on the points (only the shared ones when ``shared_only``)."""
    scale_max = 100 if instrument.key == "who5" else instrument.max_total
    plot_height = HEIGHT - TOP - BOTTOM
    plot_width = WIDTH - LEFT - RIGHT

    def y_for(value: float) -> float:
        return round(TOP + plot_height * (1 - value / scale_max), 1)

    shades = [
        Shade(
            y=y_for(min(band.high + 1, scale_max)),
            height=round(y_for(band.low) - y_for(min(band.high + 1, scale_max)), 1),
            css=f"band-{index % 2}",
            label=band.label,
        )
        for index, band in enumerate(instrument.bands)
    ]
    charted = [item for item in history if item.score.value is not None]
    times = [item.submitted_at.timestamp() for item in charted if item.submitted_at]
    start, end = (min(times), max(times)) if times else (0.0, 0.0)
    span = (end - start) or 1.0
    points = [
        Point(
            x=round(LEFT + plot_width * ((stamp - start) / span if len(times) > 1 else 0.5), 1),
            y=y_for(item.score.value or 0),
            value=item.score.value or 0,
            label=_date(item),
            note=visible_note(item, shared_only=shared_only),
        )
        for item, stamp in zip(charted, times, strict=True)
    ]
    # With one score the axis has no length: no goal can be placed beside it.
    markers = [
        GoalMarker(
            x=round(LEFT + plot_width * (mark.at.timestamp() - start) / span, 1),
            date=_day(mark.at),
            label=mark.label,
        )
        for mark in goals
        if len(times) > 1 and start <= mark.at.timestamp() <= end
    ]
    direction = (
        _("Higher scores are better.")
        if instrument.higher_is_better
        else _("Lower scores are better.")
    )
    if points:
        description = ngettext(
            "%(title)s score of %(first)s: %(count)s answer, %(b)s, on a scale of 0 to "
            "%(max)s. %(direction)s",
            "%(title)s scores from %(first)s to %(last)s: %(count)s answers, first %(a)s, "
            "latest %(b)s, on a scale of 0 to %(max)s. %(direction)s",
            len(points),
        ) % {
            "title": instrument.title,
            "first": points[0].label,
            "last": points[-1].label,
            "count": len(points),
            "a": points[0].value,
            "b": points[-1].value,
            "max": scale_max,
            "direction": direction,
        }
        if markers:
            description += " " + _("Goals on the same dates: %(goals)s.") % {
                "goals": "; ".join(f"{marker.date}, {marker.label}" for marker in markers)
            }
    else:
        description = _("No %(title)s answers yet.") % {"title": instrument.title}
    return TrendChart(
        points=points,
        polyline=" ".join(f"{p.x},{p.y}" for p in points),
        shades=shades,
        scale_max=scale_max,
        description=description,
        better_up=instrument.higher_is_better,
        goals=markers,
        first_label=points[0].label if points else "",
        last_label=points[-1].label if points else "",
    )
