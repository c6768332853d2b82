"""The achievement maths (達成率), in one place.

Every figure shown anywhere — pages, PDF, Excel, JSON, badges — comes from ``summarize`` or
``summarize_by``; nothing else counts results. The rate is achieved / evaluated (never / checked):
評価対象外 items are checked but not evaluated. It is kept as an exact Fraction; only display rounds,
half-up to one decimal, with 「約」 when rounding changed the value and 「—」 when nothing was evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Count, Q, QuerySet

from evaluations.choices import Result

UNDEFINED = "—"

_AGGREGATES = {
    "achieved": Count("pk", filter=Q(result=Result.ACHIEVED)),
    "not_achieved": Count("pk", filter=Q(result=Result.NOT_ACHIEVED)),
    "excluded": Count("pk", filter=Q(result=Result.EXCLUDED)),
}


def percent(share: Fraction) -> Decimal:
    """``share`` (0–1) as a percent rounded half-up to one decimal: 19/23 → Decimal('82.6')."""
    exact = share * 100
    # Decimal division to 30 digits, then one half-up rounding: enough for any item count.
    value = Decimal(exact.numerator) / Decimal(exact.denominator)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def percent_display(share: Fraction, language: str = "ja") -> str:
    """「約72.5%」 / 「50.0%」 (English "approx. 72.5%"): 「約」 when rounding changed it."""
    shown = percent(share)
    if Fraction(shown) == share * 100:
        return f"{shown}%"
    return f"approx. {shown}%" if language.startswith("en") else f"約{shown}%"


@dataclass(frozen=True)
class Summary:
    """Counts of one set of results, as the 評価結果 table 1–5 lists them."""

    achieved: int = 0
    not_achieved: int = 0
    excluded: int = 0

    @property
    def evaluated(self) -> int:
        return self.achieved + self.not_achieved

    @property
    def checked(self) -> int:
        return self.evaluated + self.excluded

    @property
    def rate(self) -> Fraction | None:
        if self.evaluated == 0:
            return None
        return Fraction(self.achieved, self.evaluated)

    @property
    def rate_percent(self) -> Decimal | None:
        """Percent, rounded half-up to one decimal: 19/23 → Decimal('82.6')."""
        return None if self.rate is None else percent(self.rate)

    @property
    def is_approximate(self) -> bool:
        """True when the shown value differs from the exact one (and so takes 「約」)."""
        if self.rate is None:
            return False
        return Fraction(self.rate_percent) != self.rate * 100

    @property
    def rate_percent_str(self) -> str | None:
        return None if self.rate_percent is None else str(self.rate_percent)

    def rate_display(self, language: str = "ja") -> str:
        """「約82.6%」 / 「50.0%」 / 「—」 (English: "approx. 82.6%")."""
        if self.rate_percent is None:
            return UNDEFINED
        if not self.is_approximate:
            return f"{self.rate_percent}%"
        if language.startswith("en"):
            return f"approx. {self.rate_percent}%"
        return f"約{self.rate_percent}%"

    def rate_display_long_ja(self) -> str:
        """As the Osaka release writes it: 「約82.6パーセント」."""
        if self.rate_percent is None:
            return UNDEFINED
        prefix = "約" if self.is_approximate else ""
        return f"{prefix}{self.rate_percent}パーセント"

    @property
    def fraction_label(self) -> str:
        """「19項目/23項目」, as in the release's row 5."""
        return f"{self.achieved}項目/{self.evaluated}項目"

    def as_dict(self) -> dict:
        return {
            "checked": self.checked,
            "evaluated": self.evaluated,
            "achieved": self.achieved,
            "not_achieved": self.not_achieved,
            "excluded": self.excluded,
            "rate_percent": self.rate_percent_str,
        }

    def __add__(self, other: Summary) -> Summary:
        return Summary(
            self.achieved + other.achieved,
            self.not_achieved + other.not_achieved,
            self.excluded + other.excluded,
        )


EMPTY = Summary()


def summarize(rows: QuerySet) -> Summary:
    """One SQL aggregate over any queryset of rows with a ``result`` column (entries or
    published results), already filtered to the plan, pillar, department or year wanted."""
    counts = rows.order_by().aggregate(**_AGGREGATES)
    return Summary(**counts)


def summarize_by(rows: QuerySet, field: str, *more: str) -> dict:
    """Summaries grouped by one column (``pillar_id``, ``department_id``, ``publication_id``…),
    in one GROUP BY query, keyed by its value; grouped by several, keyed by the tuple of their
    values. Keys with no rows are absent: callers default to ``EMPTY``."""
    fields = (field, *more)
    grouped = rows.order_by().values(*fields).annotate(**_AGGREGATES)
    return {
        (row[field] if not more else tuple(row[f] for f in fields)): Summary(
            row["achieved"], row["not_achieved"], row["excluded"]
        )
        for row in grouped
    }


# --- indicators (KPI): progress and the per-plan bands --------------------------------------------


def indicator_progress(baseline, target, actual, direction: str) -> Fraction:
    """(actual − baseline) ÷ (target − baseline), clamped to 0–1, exact. The sign of
    (target − baseline) carries 増やす or 減らす; 維持 (keep at least the target) is 1 or 0."""
    if direction == "maintain":
        return Fraction(1) if Fraction(actual) >= Fraction(target) else Fraction(0)
    span = Fraction(target) - Fraction(baseline)
    if span == 0:  # the database refuses this for 増やす/減らす; never divide by it
        return Fraction(1) if Fraction(actual) == Fraction(target) else Fraction(0)
    return min(max((Fraction(actual) - Fraction(baseline)) / span, Fraction(0)), Fraction(1))


@dataclass(frozen=True)
class BandSummary:
    """Items rated by the mean progress of their indicators into a plan's bands."""

    bands: tuple  # ((label, lowest percent, count), …), best first
    items: int

    def display(self, language: str = "ja") -> str:
        if not self.items:
            return UNDEFINED
        if language.startswith("en"):
            return ", ".join(f"{label}: {n}" for label, _low, n in self.bands)
        return "・".join(f"{label} {n}件" for label, _low, n in self.bands)


def band_of(share: Fraction, bands) -> str:
    """The first band (best first) whose lowest percent the progress reaches."""
    for label, low in bands:
        if share * 100 >= low:
            return label
    return bands[-1][0]


def item_progress(rows) -> dict:
    """{initiative id: mean progress of its indicators} over (initiative id, baseline, target,
    actual, direction) tuples."""
    shares: dict[int, list[Fraction]] = {}
    for initiative_id, baseline, target, actual, direction in rows:
        shares.setdefault(initiative_id, []).append(
            indicator_progress(baseline, target, actual, direction)
        )
    return {pk: sum(values, Fraction(0)) / len(values) for pk, values in shares.items()}


def summarize_indicators_by(rows: QuerySet, field: str, bands_of) -> dict:
    """Band counts grouped by ``field`` (``publication_id``) in one query over published
    indicator rows; ``bands_of(key)`` gives each group's bands (its plan's). Progress is exact
    (Fraction), so the item loop is here rather than in SQL, whose division differs between
    databases; it reads one row per indicator."""
    columns = rows.order_by().values_list(
        field, "initiative_id", "baseline_value", "target_value", "actual", "direction"
    )
    per_group: dict = {}
    for key, *rest in columns:
        per_group.setdefault(key, []).append(rest)
    result = {}
    for key, group in per_group.items():
        bands = bands_of(key)
        progress = item_progress(group)
        counts = {label: 0 for label, _low in bands}
        for share in progress.values():
            counts[band_of(share, bands)] += 1
        result[key] = BandSummary(
            tuple((label, low, counts[label]) for label, low in bands), len(progress)
        )
    return result
