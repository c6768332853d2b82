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
        if self.rate is None:
            return None
        exact = self.rate * 100
        # Decimal division to 30 digits, then one half-up rounding: enough for any item count.
        value = Decimal(exact.numerator) / Decimal(exact.denominator)
        return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

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


def summarize_by(rows: QuerySet, field: str) -> dict:
    """Summaries grouped by one column (``pillar_id``, ``department_id``, ``publication_id``…),
    in one GROUP BY query. Keys with no rows are absent: callers default to ``EMPTY``."""
    grouped = rows.order_by().values(field).annotate(**_AGGREGATES)
    return {
        row[field]: Summary(row["achieved"], row["not_achieved"], row["excluded"])
        for row in grouped
    }


def summarize_by_columns(rows: QuerySet, *fields: str) -> list[tuple[dict, Summary]]:
    """Summaries grouped by several columns (``publication_id``, ``pillar_id`` and the labels
    that go with them), in one GROUP BY query: (the row's ``fields``, its Summary) pairs."""
    grouped = rows.order_by().values(*fields).annotate(**_AGGREGATES)
    return [
        (
            {f: row[f] for f in fields},
            Summary(row["achieved"], row["not_achieved"], row["excluded"]),
        )
        for row in grouped
    ]
