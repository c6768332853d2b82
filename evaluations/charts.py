"""Geometry for the server-rendered SVG charts; templates draw them, each beside a data table.

Only geometry lives here. The figures come from ``Summary`` (rates.py) and the labels from the
templates, so a chart can never show a number its table does not.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

from evaluations.rates import Summary

BAR_HEIGHT = 28
GAP = 14
TOP = 8
WIDTH = 640
ROW = BAR_HEIGHT + GAP + 22  # label line + bar + gap
FONT_SIZE = 14  # .chart-label and .chart-value in static/css/site.css
VALUE_GAP = 8  # between the end of the track and the value
LANGUAGES = ("ja", "en")

# Advance widths in em, rounded up from the widest sans-serif faces a browser may pick (Noto
# Sans JP, DejaVu Sans, Liberation Sans; bold): an estimate that is never short, so a label
# sized by it is never clipped (tests/browser/test_chart_labels.py measures the real text).
_WIDE = 1.0  # 漢字, かな, 全角
_NARROW = {" ": 0.36, ".": 0.4, ",": 0.4, ":": 0.4, "(": 0.45, ")": 0.45, "%": 1.0, "—": 1.0}
_CAPITAL = 0.82
_LETTER = 0.68  # lower-case letters and digits


def text_width(text: str, size: int = FONT_SIZE) -> float:
    """How wide ``text`` can be at ``size`` px, bold or not (an upper bound, in px)."""
    em = 0.0
    for char in text:
        if unicodedata.east_asian_width(char) in ("W", "F"):
            em += _WIDE
        elif char in _NARROW:
            em += _NARROW[char]
        elif char.isupper() or char in "mw":
            em += _CAPITAL
        else:
            em += _LETTER
    return em * size


def _value_width(summaries) -> int:
    """Room for the longest value label any language writes (「約82.6%」, "approx. 82.6%"):
    the geometry is then the same in both languages, whichever renders it."""
    labels = [s.rate_display(language) for s in summaries for language in LANGUAGES]
    return math.ceil(max((text_width(label) for label in labels), default=0))


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

    @property
    def value_x(self) -> int:
        return self.track + VALUE_GAP


def stacked_bars(rows: list[tuple[str, Summary, str]]) -> BarChart | None:
    """One horizontal bar per row: achieved and not achieved as shares of the evaluated items.

    Rows with nothing evaluated are left out (their rate is undefined, and a zero-length bar
    would read as 0%). Returns None when no row is left.
    """
    rows = [row for row in rows if row[1].evaluated]
    # The value's room is taken from the track, so the longest value fits inside WIDTH; a label
    # (on its own line above its bar) longer than WIDTH widens the drawing instead.
    track = WIDTH - VALUE_GAP - _value_width(summary for _label, summary, _url in rows)
    width = max([WIDTH, *(math.ceil(text_width(label)) for label, _s, _u in rows)])
    bars = []
    y = TOP
    for label, summary, url in rows:
        share = track / summary.evaluated
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
    return BarChart(bars=bars, width=width, height=y, track=track, bar_height=BAR_HEIGHT)
