"""The daily participation chart of a course's dashboard, laid out here and drawn by the
template as SVG (no JavaScript, no inline styles: classes coloured by the stylesheet), the
same approach as the questionnaires' trend chart. A table with the same figures follows it
for screen readers and for anyone who prefers numbers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _

from tandem.courses.selectors.dashboard import DayParticipation

WIDTH = 360
HEIGHT = 160
LEFT = 28
TOP = 10
BOTTOM = 24


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str
    label_x: float


@dataclass(frozen=True)
class ParticipationChart:
    bars: list[Bar]
    scale_max: int
    description: str
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM
    label_y: int = HEIGHT - 6


def participation_chart(days: Sequence[DayParticipation]) -> ParticipationChart:
    """Bars of people taking part each day (posted or reacted)."""
    scale_max = max([d.people for d in days] + [1])
    plot_height = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT) / max(len(days), 1)
    bars = []
    for index, day in enumerate(days):
        height = plot_height * day.people / scale_max
        x = LEFT + index * slot + slot * 0.15
        bars.append(
            Bar(
                x=round(x, 1),
                y=round(HEIGHT - BOTTOM - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                value=day.people,
                label=formats.date_format(day.day, "D j"),
                label_x=round(x + slot * 0.35, 1),
            )
        )
    description = _("People taking part each day: %(days)s.") % {
        "days": ", ".join(f"{b.label} {b.value}" for b in bars)
    }
    return ParticipationChart(bars=bars, scale_max=scale_max, description=description)
