"""Server-rendered SVG charts: coordinates are worked out here, templates only draw them.

No JavaScript and no inline styles (the CSP forbids them): the templates give each shape a
class, and ``toolbox.css`` colours the classes with the design tokens, so the charts follow
light and dark mode like the rest of the page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from tandem.toolbox.models import Circle, NetworkMember, StatusRating

# --- Status ratings over time ----------------------------------------------------------------

CHART_WIDTH = 320
CHART_HEIGHT = 130
CHART_LEFT = 32  # room for the 0/5/10 labels
CHART_RIGHT = 10
CHART_TOP = 10
CHART_BOTTOM = 26  # room for the first and last dates
RATING_MAX = 10


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    rating: int
    when: datetime


@dataclass(frozen=True)
class GridLine:
    y: float
    label: str


@dataclass(frozen=True)
class RatingChart:
    """A line of ratings, oldest first, and a sentence that says what it shows."""

    points: list[ChartPoint]
    polyline: str
    grid: list[GridLine]
    first_label: str
    last_label: str
    description: str
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    left: int = CHART_LEFT
    right_edge: int = CHART_WIDTH - CHART_RIGHT
    bottom: int = CHART_HEIGHT - CHART_BOTTOM
    label_y: int = CHART_HEIGHT - 6

    @property
    def is_empty(self) -> bool:
        return not self.points


def _short_date(value: datetime) -> str:
    return formats.date_format(timezone.localtime(value), "j M")


def rating_chart(ratings: Sequence[StatusRating]) -> RatingChart:
    """Lay out ``ratings`` (any order) on a time axis, 0 at the bottom and 10 at the top."""
    ordered = sorted(ratings, key=lambda r: (r.recorded_at, r.pk or 0))
    plot_width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM

    def y_for(rating: float) -> float:
        return round(CHART_TOP + plot_height * (1 - rating / RATING_MAX), 1)

    grid = [GridLine(y=y_for(value), label=str(value)) for value in (0, 5, 10)]
    if not ordered:
        return RatingChart(
            points=[],
            polyline="",
            grid=grid,
            first_label="",
            last_label="",
            description=_("No ratings yet."),
        )
    start = ordered[0].recorded_at.timestamp()
    span = ordered[-1].recorded_at.timestamp() - start
    points = []
    for index, rating in enumerate(ordered):
        if span > 0:
            share = (rating.recorded_at.timestamp() - start) / span
        else:
            # Same moment (or a single rating): spread evenly so every point shows.
            share = index / (len(ordered) - 1) if len(ordered) > 1 else 0.5
        points.append(
            ChartPoint(
                x=round(CHART_LEFT + plot_width * share, 1),
                y=y_for(rating.rating),
                rating=rating.rating,
                when=rating.recorded_at,
            )
        )
    first, last = ordered[0], ordered[-1]
    if len(ordered) == 1:
        description = _("One rating: %(rating)s out of 10 on %(date)s.") % {
            "rating": first.rating,
            "date": _short_date(first.recorded_at),
        }
    else:
        description = _(
            "%(count)s ratings, from %(first)s out of 10 on %(first_date)s to %(last)s out of "
            "10 on %(last_date)s. Lowest %(low)s, highest %(high)s."
        ) % {
            "count": len(ordered),
            "first": first.rating,
            "first_date": _short_date(first.recorded_at),
            "last": last.rating,
            "last_date": _short_date(last.recorded_at),
            "low": min(r.rating for r in ordered),
            "high": max(r.rating for r in ordered),
        }
    return RatingChart(
        points=points,
        polyline=" ".join(f"{p.x},{p.y}" for p in points),
        grid=grid,
        first_label=_short_date(first.recorded_at),
        last_label=_short_date(last.recorded_at) if len(ordered) > 1 else "",
        description=description,
    )


# --- Network map -----------------------------------------------------------------------------

# Wider than tall: names beside the outer ring need room on both sides.
MAP_WIDTH = 600
MAP_HEIGHT = 430
MAP_CX = MAP_WIDTH / 2
MAP_CY = MAP_HEIGHT / 2
# Outer edge of each ring; people sit in the middle of their ring.
RING_EDGES = {Circle.INNER: 80.0, Circle.MIDDLE: 145.0, Circle.OUTER: 205.0}
RING_PLACES = {Circle.INNER: 52.0, Circle.MIDDLE: 113.0, Circle.OUTER: 176.0}
# Each ring is started at a different angle so names on neighbouring rings do not line up.
RING_OFFSETS = {Circle.INNER: -90.0, Circle.MIDDLE: -67.0, Circle.OUTER: -41.0}
LABEL_MAX_CHARS = 14


@dataclass(frozen=True)
class MapNode:
    member: NetworkMember
    x: float
    y: float
    label: str
    label_x: float
    label_y: float
    anchor: str

    @property
    def diamond(self) -> str:
        x, y = self.x, self.y
        corners = [(x, y - 8), (x + 8, y), (x, y + 8), (x - 8, y)]
        return " ".join(f"{round(a, 1)},{round(b, 1)}" for a, b in corners)

    @property
    def square_x(self) -> float:
        return round(self.x - 6, 1)

    @property
    def square_y(self) -> float:
        return round(self.y - 6, 1)


@dataclass(frozen=True)
class MapRing:
    circle: str
    radius: float
    label: str
    label_y: float


@dataclass(frozen=True)
class NetworkMap:
    nodes: list[MapNode]
    rings: list[MapRing]
    hidden_counts: dict[str, int] = field(default_factory=dict)
    width: int = MAP_WIDTH
    height: int = MAP_HEIGHT
    cx: float = MAP_CX
    cy: float = MAP_CY

    @property
    def hidden_total(self) -> int:
        return sum(self.hidden_counts.values())


def _short(text: str) -> str:
    text = text.strip()
    return text if len(text) <= LABEL_MAX_CHARS else text[: LABEL_MAX_CHARS - 1] + "…"


def network_map(
    members_by_circle: dict[str, list[NetworkMember]], totals: dict[str, int]
) -> NetworkMap:
    """Place each member evenly around the middle of their ring.

    ``totals`` are the full counts per ring; members not passed in are counted as hidden so
    the page can say "and N more in the list".
    """
    ring_labels = {
        Circle.INNER: _("Closest"),
        Circle.MIDDLE: _("Middle"),
        Circle.OUTER: _("More distant"),
    }
    rings = [
        MapRing(
            circle=str(circle),
            radius=RING_EDGES[circle],
            label=str(ring_labels[circle]),
            label_y=round(MAP_CY + RING_EDGES[circle] - 6, 1),
        )
        for circle in Circle
    ]
    nodes: list[MapNode] = []
    hidden: dict[str, int] = {}
    for circle in Circle:
        members = members_by_circle.get(circle, [])
        hidden[str(circle)] = max(0, totals.get(circle, 0) - len(members))
        for index, member in enumerate(members):
            angle = math.radians(RING_OFFSETS[circle] + 360.0 * index / max(1, len(members)))
            radius = RING_PLACES[circle]
            x = MAP_CX + radius * math.cos(angle)
            y = MAP_CY + radius * math.sin(angle)
            right_side = math.cos(angle) >= 0
            nodes.append(
                MapNode(
                    member=member,
                    x=round(x, 1),
                    y=round(y, 1),
                    label=_short(member.name),
                    label_x=round(x + (10 if right_side else -10), 1),
                    label_y=round(y + 4, 1),
                    anchor="start" if right_side else "end",
                )
            )
    return NetworkMap(nodes=nodes, rings=rings, hidden_counts=hidden)
