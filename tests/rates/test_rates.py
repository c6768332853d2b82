"""達成率: achieved / evaluated as an exact fraction; shown half-up to one decimal, 約 when rounded."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluations.choices import Result
from evaluations.models import Entry, PublishedResult
from evaluations.rates import EMPTY, UNDEFINED, Summary, summarize, summarize_by
from tests.factories import make_initiative, make_pillar, make_plan, make_published_round

counts = st.integers(min_value=0, max_value=10**6)


def half_up_tenths_of_percent(achieved: int, evaluated: int) -> Decimal:
    """The percent to one decimal, rounded half-up, by integer arithmetic only."""
    # tenths of a percent = achieved * 1000 / evaluated; add half the divisor, then floor.
    tenths = (achieved * 1000 * 2 + evaluated) // (evaluated * 2)
    return Decimal(tenths).scaleb(-1)


def is_exact_in_tenths(achieved: int, evaluated: int) -> bool:
    return (achieved * 1000) % evaluated == 0


# --- the Osaka release ---------------------------------------------------------------------------


def test_19_of_23_is_about_82_point_6_percent():
    summary = Summary(achieved=19, not_achieved=4, excluded=1)
    assert summary.checked == 24
    assert summary.evaluated == 23
    assert summary.rate == Fraction(19, 23)
    assert summary.rate_percent == Decimal("82.6")
    assert summary.is_approximate
    assert summary.rate_display() == "約82.6%"
    assert summary.rate_display("en") == "approx. 82.6%"
    assert summary.rate_display_long_ja() == "約82.6パーセント"
    assert summary.fraction_label == "19項目/23項目"


def test_the_rate_is_over_evaluated_items_never_over_checked_ones():
    summary = Summary(achieved=19, not_achieved=4, excluded=1)
    assert summary.rate == Fraction(summary.achieved, summary.evaluated)
    assert summary.rate != Fraction(summary.achieved, summary.checked)
    # 19/24 would be 79.2%: the excluded item must not pull the rate down.
    assert summary.rate_percent != half_up_tenths_of_percent(19, 24)


def test_excluded_items_change_the_counts_but_not_the_rate():
    base = Summary(achieved=3, not_achieved=1)
    with_excluded = Summary(achieved=3, not_achieved=1, excluded=5)
    assert with_excluded.checked == base.checked + 5
    assert with_excluded.evaluated == base.evaluated
    assert with_excluded.rate == base.rate
    assert with_excluded.rate_display() == base.rate_display()


# --- exact, approximate and undefined ------------------------------------------------------------


def test_an_exact_half_is_shown_as_50_point_0_percent_without_yaku():
    summary = Summary(achieved=1, not_achieved=1)
    assert summary.rate == Fraction(1, 2)
    assert summary.rate_percent == Decimal("50.0")
    assert not summary.is_approximate
    assert summary.rate_display() == "50.0%"
    assert summary.rate_display_long_ja() == "50.0パーセント"


def test_all_achieved_is_100_point_0_percent_and_none_achieved_is_0_point_0_percent():
    assert Summary(achieved=4).rate_display() == "100.0%"
    assert Summary(not_achieved=4).rate_display() == "0.0%"
    assert Summary(not_achieved=4).rate == 0


@pytest.mark.parametrize("summary", [EMPTY, Summary(), Summary(excluded=1), Summary(excluded=7)])
def test_nothing_evaluated_gives_an_undefined_rate_shown_as_a_dash(summary):
    assert summary.evaluated == 0
    assert summary.rate is None
    assert summary.rate_percent is None
    assert summary.rate_percent_str is None
    assert not summary.is_approximate
    assert summary.rate_display() == UNDEFINED == "—"
    assert summary.rate_display("en") == "—"
    assert summary.rate_display_long_ja() == "—"
    assert "0" not in summary.rate_display()
    assert summary.as_dict()["rate_percent"] is None
    assert summary.as_dict()["checked"] == summary.excluded


def test_one_eighth_is_exactly_12_point_5_percent_and_takes_no_yaku():
    summary = Summary(achieved=1, not_achieved=7)
    assert summary.rate * 100 == Fraction(25, 2)
    assert summary.rate_display() == "12.5%"


def test_one_sixteenth_rounds_half_up_to_6_point_3_not_to_the_even_6_point_2():
    summary = Summary(achieved=1, not_achieved=15)
    assert summary.rate * 100 == Fraction(625, 100)  # exactly on the half
    assert summary.rate_percent == Decimal("6.3")
    assert summary.rate_display() == "約6.3%"


def test_three_sixteenths_rounds_half_up_to_18_point_8():
    # 18.75 exactly: banker's rounding would also give 18.8, so this pins the odd side.
    summary = Summary(achieved=3, not_achieved=13)
    assert summary.rate * 100 == Fraction(1875, 100)
    assert summary.rate_display() == "約18.8%"


def test_summaries_add_up_count_by_count():
    total = Summary(1, 2, 3) + Summary(10, 20, 30)
    assert (total.achieved, total.not_achieved, total.excluded) == (11, 22, 33)
    assert total + EMPTY == total


# --- properties ----------------------------------------------------------------------------------


@given(counts, counts, counts)
def test_the_shown_percent_is_the_half_up_rounding_of_the_exact_rate(achieved, not_achieved, excl):
    summary = Summary(achieved, not_achieved, excl)
    evaluated = achieved + not_achieved
    if evaluated == 0:
        assert summary.rate is None
        assert summary.rate_display() == "—"
        return
    expected = half_up_tenths_of_percent(achieved, evaluated)
    assert summary.rate == Fraction(achieved, evaluated)
    assert summary.rate_percent == expected
    assert summary.rate_percent.as_tuple().exponent == -1
    assert summary.is_approximate == (not is_exact_in_tenths(achieved, evaluated))
    prefix = "約" if summary.is_approximate else ""
    assert summary.rate_display() == f"{prefix}{expected}%"


@given(counts, counts, counts)
def test_the_counts_are_consistent(achieved, not_achieved, excluded):
    summary = Summary(achieved, not_achieved, excluded)
    assert summary.evaluated == achieved + not_achieved
    assert summary.checked == summary.evaluated + excluded
    data = summary.as_dict()
    assert (data["achieved"], data["not_achieved"], data["excluded"]) == (
        achieved,
        not_achieved,
        excluded,
    )
    if summary.rate is not None:
        assert 0 <= summary.rate <= 1
        assert Decimal("0.0") <= summary.rate_percent <= Decimal("100.0")


# --- on database rows ----------------------------------------------------------------------------

OSAKA_LIKE = [Result.ACHIEVED] * 19 + [Result.NOT_ACHIEVED] * 4 + [Result.EXCLUDED]


@pytest.mark.django_db
def test_summarize_counts_published_rows_in_one_query(django_assert_num_queries):
    publication = make_published_round(make_plan(), OSAKA_LIKE)
    rows = PublishedResult.objects.filter(publication=publication)
    with django_assert_num_queries(1):
        summary = summarize(rows)
    assert (summary.achieved, summary.not_achieved, summary.excluded) == (
        OSAKA_LIKE.count(Result.ACHIEVED),
        OSAKA_LIKE.count(Result.NOT_ACHIEVED),
        OSAKA_LIKE.count(Result.EXCLUDED),
    )
    assert summary.rate == Fraction(19, 23)
    assert summary.rate_display() == "約82.6%"


@pytest.mark.django_db
def test_summarize_counts_live_entries_the_same_way_as_published_rows():
    publication = make_published_round(make_plan(), OSAKA_LIKE)
    entries = Entry.objects.filter(round=publication.round)
    published = PublishedResult.objects.filter(publication=publication)
    assert summarize(entries) == summarize(published)


@pytest.mark.django_db
def test_summarize_of_no_rows_is_undefined_not_zero():
    publication = make_published_round(make_plan(), [Result.EXCLUDED])
    assert summarize(PublishedResult.objects.none()) == EMPTY
    only_excluded = summarize(PublishedResult.objects.filter(publication=publication))
    assert only_excluded.checked == 1
    assert only_excluded.rate is None
    assert only_excluded.rate_display() == "—"


@pytest.mark.django_db
def test_summarize_by_pillar_groups_in_one_query(django_assert_num_queries):
    plan = make_plan()
    first, second, third = (make_pillar(plan) for _ in range(3))
    wanted = {
        first: [Result.ACHIEVED, Result.ACHIEVED, Result.NOT_ACHIEVED],
        second: [Result.NOT_ACHIEVED, Result.EXCLUDED],
        third: [Result.EXCLUDED],
    }
    results = {
        make_initiative(plan, pillar=pillar): result
        for pillar, pillar_results in wanted.items()
        for result in pillar_results
    }
    publication = make_published_round(plan, results)
    rows = PublishedResult.objects.filter(publication=publication)

    with django_assert_num_queries(1):
        by_pillar = summarize_by(rows, "pillar_id")

    assert set(by_pillar) == {p.pk for p in wanted}
    for pillar, pillar_results in wanted.items():
        summary = by_pillar[pillar.pk]
        assert summary.achieved == pillar_results.count(Result.ACHIEVED)
        assert summary.not_achieved == pillar_results.count(Result.NOT_ACHIEVED)
        assert summary.excluded == pillar_results.count(Result.EXCLUDED)
    assert by_pillar[first.pk].rate == Fraction(2, 3)
    assert by_pillar[second.pk].rate == 0
    assert by_pillar[third.pk].rate is None
    assert sum(by_pillar.values(), EMPTY) == summarize(rows)


@pytest.mark.django_db
def test_summarize_by_leaves_out_groups_without_rows():
    plan = make_plan()
    tracked = make_pillar(plan)
    empty = make_pillar(plan)
    publication = make_published_round(
        plan, {make_initiative(plan, pillar=tracked): Result.ACHIEVED}
    )
    by_pillar = summarize_by(PublishedResult.objects.filter(publication=publication), "pillar_id")
    assert empty.pk not in by_pillar
    assert by_pillar.get(empty.pk, EMPTY).rate_display() == "—"
