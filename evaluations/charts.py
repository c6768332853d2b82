"""Geometry for the server-rendered SVG charts; templates draw them, each beside a data table.

Only geometry lives here. The figures come from ``Summary`` (rates.py) and the labels from the
templates, so a chart can never show a number its table does not.
"""

from __future__ import annotations

from dataclasses import dataclass

from evaluations.rates import Summary

BAR_HEIGHT = 28
GAP = 14
TOP = 8
WIDTH = 640
TRACK = 560
ROW = BAR_HEIGHT + GAP + 22  # label line + bar + gap


@dataclass(frozen=True)
class Bar:
    label: str
    summary: Summary
    url: str
    y_label: int
    y_bar: int
    achieved_width: float
    not_achieved_width: float

    @property
    def not_achieved_x(self) -> float:
        return self.achieved_width

    @property
    def text_y(self) -> int:
        return self.y_bar + BAR_HEIGHT // 2 + 5


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    track: int
    bar_height: int


def stacked_bars(rows: list[tuple[str, Summary, str]]) -> BarChart | None:
    """One horizontal bar per row: achieved and not achieved as shares of the evaluated items.

    Rows with nothing evaluated are left out (their rate is undefined, and a zero-length bar
    would read as 0%). Returns None when no row is left.
    """
    bars = []
    y = TOP
    for label, summary, url in rows:
        if summary.evaluated == 0:
            continue
        share = TRACK / summary.evaluated
        bars.append(
            Bar(
                label=label,
                summary=summary,
                url=url,
                y_label=y + 16,
                y_bar=y + 22,
                achieved_width=round(summary.achieved * share, 2),
                not_achieved_width=round(summary.not_achieved * share, 2),
            )
        )
        y += ROW
    if not bars:
        return None
    return BarChart(bars=bars, width=WIDTH, height=y, track=TRACK, bar_height=BAR_HEIGHT)
