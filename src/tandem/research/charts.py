"""The dashboard's charts, laid out here and drawn by the template as SVG.

No JavaScript and no inline styles (CSP): every shape has a class that ``research.css`` colours
with the design tokens, the same approach as the questionnaires' and courses' charts. Each
chart has a sentence saying what it shows, and the page puts the same figures in a table.
A count from 1 to 4 is drawn as no bar and labelled "< 5" (``research.cells``), so a chart
never tells more than its table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _

from tandem.research.cells import SMALLEST_SHOWN, suppressed
from tandem.research.selectors import ModuleRow, WeekRow

BAR_WIDTH = 360
LABEL_WIDTH = 150
ROW_HEIGHT = 22
BAR_HEIGHT = 14


@dataclass(frozen=True)
class HorizontalBar:
    label: str
    shown: int | str
    y: float
    width: float
    text_y: float
    value_x: float


@dataclass(frozen=True)
class BarChart:
    bars: list[HorizontalBar]
    description: str
    height: int
    label_width: int = LABEL_WIDTH
    width: int = LABEL_WIDTH + BAR_WIDTH + 50


def _length(value: int, scale: int) -> float:
    if value < SMALLEST_SHOWN or scale <= 0:
        return 0.0
    return round(BAR_WIDTH * value / scale, 1)


def horizontal_bars(rows: Sequence[tuple[str, int]], description: str) -> BarChart:
    scale = max((value for _label, value in rows), default=0)
    bars = []
    for index, (label, value) in enumerate(rows):
        y = index * ROW_HEIGHT + 4
        length = _length(value, scale)
        bars.append(
            HorizontalBar(
                label=label,
                shown=suppressed(value),
                y=y,
                width=length,
                text_y=y + BAR_HEIGHT - 3,
                value_x=LABEL_WIDTH + length + 6,
            )
        )
    return BarChart(bars=bars, description=description, height=len(rows) * ROW_HEIGHT + 8)


def module_visits_chart(rows: Sequence[ModuleRow]) -> BarChart:
    used = [row for row in rows if row.visits or row.postings]
    if not used:
        return horizontal_bars([], _("No module has been visited yet."))
    top = used[0]
    description = _(
        "Visits per module over the study. The most visited is %(module)s, with %(visits)s "
        "visits and %(postings)s postings."
    ) % {
        "module": top.label,
        "visits": suppressed(top.visits),
        "postings": suppressed(top.postings),
    }
    return horizontal_bars([(row.label, row.visits) for row in used], description)


@dataclass(frozen=True)
class Column:
    x: float
    y: float
    width: float
    height: float
    shown: int | str
    label: str


@dataclass(frozen=True)
class ColumnChart:
    columns: list[Column]
    description: str
    scale_max: int
    first_label: str
    last_label: str
    width: int = 420
    height: int = 170
    left: int = 30
    top: int = 10
    bottom: int = 146


def weekly_chart(weeks: Sequence[WeekRow]) -> ColumnChart:
    if not weeks:
        return ColumnChart([], _("Nobody has taken part yet."), 0, "", "")
    scale = max(week.people for week in weeks)
    plot_width = 420 - 30 - 6
    step = plot_width / len(weeks)
    plot_height = 146 - 10
    columns = []
    for index, week in enumerate(weeks):
        height = 0.0 if week.people < SMALLEST_SHOWN else plot_height * week.people / scale
        label = formats.date_format(week.week, "j M Y")
        columns.append(
            Column(
                x=round(30 + index * step + 1, 1),
                y=round(146 - height, 1),
                width=round(max(step - 2, 1), 1),
                height=round(height, 1),
                shown=suppressed(week.people),
                label=label,
            )
        )
    busiest = max(weeks, key=lambda week: week.people)
    description = _(
        "Participants active each week, from the week of %(first)s to the week of %(last)s. "
        "The busiest week, starting %(busiest)s, had %(people)s people."
    ) % {
        "first": columns[0].label,
        "last": columns[-1].label,
        "busiest": formats.date_format(busiest.week, "j M Y"),
        "people": suppressed(busiest.people),
    }
    return ColumnChart(columns, description, scale, columns[0].label, columns[-1].label)
