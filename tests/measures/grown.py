"""Indicator data at seed size and at 10,000 initiatives, for the performance tests of the
measures pages and bench/bench_measures.py (a plain module: tests and the bench import it).

Like ``tests.factories.grow_and_publish`` the rows are bulk-written, not made through the
services (10,000 indicators through them would take minutes); they are the rows publishing
writes: an ``Indicator`` per initiative and its actual frozen in a publication
(``PublishedIndicatorValue``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from evaluations.choices import Result
from evaluations.models import (
    Publication,
    PublishedIndicatorValue,
    PublishedPillar,
    PublishedResult,
    Round,
)
from initiatives.models import Indicator, Initiative, Plan
from tests.constants import OSAKA
from tests.factories import grow_and_publish

# The seed item whose page carries the chart.
CHARTED = "2-1"


def _indicator_for(initiative_id: int, n: int) -> Indicator:
    # Every third one 減らす, so both directions are in the data.
    if n % 3 == 2:
        return Indicator(
            initiative_id=initiative_id,
            name="処理時間",
            unit="時間",
            direction=Indicator.Direction.DECREASE,
            baseline_value=Decimal("120"),
            baseline_year=2024,
            target_value=Decimal("60"),
            target_year=2027,
        )
    return Indicator(
        initiative_id=initiative_id,
        name="削減額",
        unit="億円",
        baseline_value=Decimal("0"),
        baseline_year=2024,
        target_value=Decimal("330"),
        target_year=2027,
    )


def _actual(indicator: Indicator, n: int) -> Decimal:
    """Spread over every band: n % 11 tenths of the way, and a little past the target."""
    share = Decimal(n % 12) / 10
    return indicator.baseline_value + (indicator.target_value - indicator.baseline_value) * share


def publish_actuals(publication: Publication, indicators: list[Indicator]) -> None:
    """The actuals of ``indicators`` frozen in ``publication``, as publishing freezes them."""
    PublishedIndicatorValue.objects.bulk_create(
        (
            PublishedIndicatorValue(
                publication=publication,
                indicator=indicator,
                initiative_id=indicator.initiative_id,
                order=indicator.order,
                name=indicator.name,
                unit=indicator.unit,
                direction=indicator.direction,
                baseline_value=indicator.baseline_value,
                baseline_year=indicator.baseline_year,
                target_value=indicator.target_value,
                target_year=indicator.target_year,
                actual=_actual(indicator, n + publication.pk),
            )
            for n, indicator in enumerate(indicators)
        ),
        batch_size=1000,
    )


def next_time_point(plan: Plan, fiscal_year: int) -> Publication:
    """A year-end 時点 of ``fiscal_year`` holding every item of the plan's latest one, every
    fourth with the other result (so the compare page has changes to list), and every
    indicator's actual anew."""
    latest = Publication.objects.filter(round__plan=plan).latest("round__as_of", "published_at")
    round_ = Round.objects.create(
        plan=plan, fiscal_year=fiscal_year, as_of=date(fiscal_year + 1, 3, 31), state="closed"
    )
    publication = Publication.objects.create(
        round=round_, published_at=datetime(fiscal_year + 1, 6, 1, 5, tzinfo=UTC)
    )
    PublishedPillar.objects.bulk_create(
        PublishedPillar(
            publication=publication,
            pillar_id=p.pillar_id,
            order=p.order,
            name=p.name,
            office_tracks_items=p.office_tracks_items,
        )
        for p in latest.pillars.all()
    )
    flip = {Result.ACHIEVED: Result.NOT_ACHIEVED, Result.NOT_ACHIEVED: Result.ACHIEVED}
    rows = []
    for n, row in enumerate(latest.results.order_by("pk")):
        row.pk, row.publication = None, publication
        if n % 4 == 0:
            row.result = flip.get(row.result, row.result)
        rows.append(row)
    PublishedResult.objects.bulk_create(rows, batch_size=1000)
    indicators = Indicator.objects.filter(
        pk__in=latest.indicator_values.values("indicator_id")
    ).order_by("pk")
    publish_actuals(publication, list(indicators))
    return publication


def chart_the_seed(rule: str = "") -> Plan:
    """Osaka's 2-1 gets an indicator with its actual in the seed's publication and in a
    second 時点 (FY2025, ``next_time_point``), so its page draws the chart and the compare page
    has two 時点 to compare; ``rule`` (a ``RatingRule``) sets Osaka's rating rule."""
    plan = Plan.objects.get(slug=OSAKA)
    if rule:
        plan.rating_rule = rule
        plan.save(update_fields=["rating_rule"])
    item = plan.initiatives.get(code=CHARTED)
    indicator = _indicator_for(item.pk, 0)
    indicator.save()
    publication = PublishedResult.objects.filter(initiative=item).latest("publication_id")
    publish_actuals(publication.publication, [indicator])
    next_time_point(plan, 2025)
    return plan


def grow_with_indicators(total: int = 10_000) -> Publication:
    """After ``chart_the_seed``: Osaka grown to ``total`` initiatives and a 時点 holding them
    all (FY2026, ``grow_and_publish``), each with an indicator and its actual there (2-1 keeps
    the one it has), then another (FY2027, ``next_time_point``), so the compare page compares
    two 時点 of ``total`` items."""
    publication = grow_and_publish(total=total, fiscal_year=2026)
    plan = publication.round.plan
    charted = set(Indicator.objects.filter(initiative__plan=plan).values_list("initiative_id"))
    new_ids = [
        pk
        for pk in Initiative.objects.filter(plan=plan, pillar__office_tracks_items=True)
        .order_by("pk")
        .values_list("pk", flat=True)
        if (pk,) not in charted
    ]
    Indicator.objects.bulk_create(
        (_indicator_for(pk, n) for n, pk in enumerate(new_ids)), batch_size=1000
    )
    indicators = list(Indicator.objects.filter(initiative__plan=plan).order_by("pk"))
    publish_actuals(publication, indicators)
    return next_time_point(plan, 2027)
