"""The year facet as a small bar chart, drawn on the server as SVG geometry for a template.

No script and no chart library: the template draws one ``<rect>`` per bar, each a link that
filters the search to its years. Years without records are bars of height 0, so the gaps of
the distribution show; long spans are grouped into buckets of several years.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 240
HEIGHT = 64
MAX_BARS = 48


@dataclass(frozen=True)
class Bar:
    """One bar: the years it covers, their record count and its geometry (SVG user units)."""

    first: int
    last: int
    count: int
    x: float
    y: float
    width: float
    height: float

    @property
    def years(self) -> str:
        """The bar's year filter value: ``1990`` or ``1990..1994``."""
        return str(self.first) if self.first == self.last else f"{self.first}..{self.last}"


@dataclass(frozen=True)
class Histogram:
    """The bars, the drawing size and the year range covered."""

    bars: list[Bar]
    width: int
    height: int
    first: int
    last: int
    peak: int


def year_histogram(counts: Sequence[tuple[int, int]]) -> Histogram | None:
    """Bars for (year, count) pairs; None when there is no year to draw.

    Args:
        counts: record counts per year, in any order.
    """
    by_year: dict[int, int] = {}
    for year, n in counts:
        by_year[int(year)] = by_year.get(int(year), 0) + int(n)
    if not by_year:
        return None
    first, last = min(by_year), max(by_year)
    step = max(1, -(-(last - first + 1) // MAX_BARS))  # years per bar
    buckets: list[tuple[int, int, int]] = []
    for start in range(first, last + 1, step):
        end = min(start + step - 1, last)
        buckets.append((start, end, sum(by_year.get(y, 0) for y in range(start, end + 1))))
    peak = max(n for _s, _e, n in buckets)
    slot = WIDTH / len(buckets)
    gap = 1.0 if slot > 3 else 0.0
    bars = []
    for i, (start, end, n) in enumerate(buckets):
        # A bar of a year with records is at least 2 units high, so it stays visible.
        h = 0.0 if n == 0 else max(2.0, round(HEIGHT * n / peak, 2))
        bars.append(
            Bar(start, end, n, round(i * slot, 2), round(HEIGHT - h, 2), round(slot - gap, 2), h)
        )
    return Histogram(bars=bars, width=WIDTH, height=HEIGHT, first=first, last=last, peak=peak)
