"""Indicators (KPI) of initiatives on the read side: what a publication freezes, an initiative's
series over its 時点 with progress, and the geometry of its small SVG line chart.

Progress and the bands are computed in ``evaluations.rates`` (``indicator_progress``,
``summarize_indicators_by``); values are Decimals shown with their unit, never floats.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from evaluations.labels import asof
from evaluations.models import IndicatorValue, PublishedIndicatorValue
from evaluations.rates import indicator_progress, percent, percent_display
from initiatives.models import Indicator
from reformtracker.display import language


def freeze(publication, round_) -> int:
    """Copies the round's actuals, with each indicator as it stands, into the publication
    (two queries). Called by the publishing service inside its transaction."""
    values = IndicatorValue.objects.filter(round=round_).select_related("indicator")
    rows = [
        PublishedIndicatorValue(
            publication=publication,
            indicator=value.indicator,
            initiative_id=value.indicator.initiative_id,
            order=value.indicator.order,
            name=value.indicator.name,
            unit=value.indicator.unit,
            direction=value.indicator.direction,
            baseline_value=value.indicator.baseline_value,
            baseline_year=value.indicator.baseline_year,
            target_value=value.indicator.target_value,
            target_year=value.indicator.target_year,
            actual=value.value,
        )
        for value in values
    ]
    PublishedIndicatorValue.objects.bulk_create(rows)
    return len(rows)


def holds(publication, round_) -> bool:
    """Whether ``publication`` already holds exactly the round's actuals (two queries): a
    re-publication that changes only an actual is a new 時点, not a repeat."""
    now = set(IndicatorValue.objects.filter(round=round_).values_list("indicator_id", "value"))
    then = set(publication.indicator_values.values_list("indicator_id", "actual"))
    return now == then


def plain(value: Decimal) -> str:
    """A Decimal without trailing zeros or exponent, for data: 330.0000 → "330", 1.50 → "1.5"."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def number(value: Decimal) -> str:
    """A Decimal as people read it: no trailing zeros, thousands separated (1,288 / 151.5)."""
    whole, _dot, fraction = plain(value).partition(".")
    sign = "-" if whole.startswith("-") else ""
    grouped = f"{int(whole.lstrip('-') or 0):,}"
    return sign + grouped + (f".{fraction}" if fraction else "")


@dataclass(frozen=True)
class Point:
    label: str
    actual: Decimal
    progress: Fraction

    @property
    def actual_text(self) -> str:
        return number(self.actual)

    @property
    def progress_text(self) -> str:
        return percent_display(self.progress, language())


@dataclass
class Series:
    """One indicator over the 時点 that published it, oldest first."""

    name: str
    unit: str
    direction: str
    baseline: Decimal
    baseline_year: int
    target: Decimal
    target_year: int
    points: list[Point]
    chart: dict | None = None

    @property
    def direction_label(self) -> str:
        return str(Indicator.Direction(self.direction).label)

    @property
    def baseline_text(self) -> str:
        return number(self.baseline)

    @property
    def target_text(self) -> str:
        return number(self.target)

    @property
    def latest(self) -> Point | None:
        return self.points[-1] if self.points else None


WIDTH, HEIGHT, PAD_X, PAD_Y = 320, 120, 40, 16


def _chart(series: Series) -> dict:
    """Polyline geometry: 時点 evenly across, values between the lowest and highest of the
    baseline, the target and the actuals; the target as a dashed line."""
    values = [series.baseline, series.target, *(p.actual for p in series.points)]
    low, high = min(values), max(values)
    span = (high - low) or Decimal(1)

    def y(value: Decimal) -> float:
        return round(HEIGHT - PAD_Y - float((value - low) / span) * (HEIGHT - 2 * PAD_Y), 1)

    count = len(series.points)
    step = (WIDTH - 2 * PAD_X) / max(count - 1, 1)
    points = [
        {"x": round(PAD_X + n * step, 1), "y": y(p.actual), "point": p}
        for n, p in enumerate(series.points)
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "points": points,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
        "target_y": y(series.target),
        "baseline_y": y(series.baseline),
        "x_start": PAD_X,
        "x_end": WIDTH - PAD_X,
    }


def series_of(initiative, publication_ids) -> list[Series]:
    """The initiative's indicators over the given (current) publications, one query."""
    rows = (
        PublishedIndicatorValue.objects.filter(
            initiative=initiative, publication_id__in=list(publication_ids)
        )
        .select_related("publication__round")
        .order_by("order", "indicator_id", "publication__round__as_of", "publication_id")
    )
    by_indicator: dict[int, Series] = {}
    for row in rows:
        series = by_indicator.get(row.indicator_id)
        if series is None:  # the newest row's names come last; take the definition as frozen
            series = by_indicator[row.indicator_id] = Series(
                row.name,
                row.unit,
                row.direction,
                row.baseline_value,
                row.baseline_year,
                row.target_value,
                row.target_year,
                [],
            )
        series.points.append(
            Point(
                asof(row.publication.round),
                row.actual,
                indicator_progress(row.baseline_value, row.target_value, row.actual, row.direction),
            )
        )
    result = list(by_indicator.values())
    for series in result:
        series.chart = _chart(series)
    return result


def series_json(series: list[Series]) -> list[dict]:
    return [
        {
            "name": s.name,
            "unit": s.unit,
            "direction": s.direction,
            "baseline": {"value": plain(s.baseline), "fiscal_year": s.baseline_year},
            "target": {"value": plain(s.target), "fiscal_year": s.target_year},
            "actuals": [
                {
                    "as_of_label": p.label,
                    "value": plain(p.actual),
                    "progress_percent": str(percent(p.progress)),
                }
                for p in s.points
            ],
        }
        for s in series
    ]
