"""Each plan's rating rule, in words and as a formula a citizen can recompute, checked against
an independent computation."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluations import rating_rules
from evaluations.rates import Summary
from initiatives.models import Plan, RatingRule
from tests.constants import KITAKYUSHU, OSAKA

counts = st.integers(min_value=0, max_value=5000)


def _by_hand(achieved: int, evaluated: int) -> tuple[str, bool]:
    """Round half up to one decimal with integers only, as a citizen would on paper."""
    tenths_times_2 = achieved * 2000 // evaluated  # 2 × (percent × 10), floored
    tenths = (tenths_times_2 + 1) // 2
    exact = achieved * 1000 % evaluated == 0
    return f"{tenths // 10}.{tenths % 10}", not exact


@given(achieved=counts, not_achieved=counts, excluded=counts)
def test_the_osaka_rule_gives_what_a_citizen_computes_by_hand(achieved, not_achieved, excluded):
    plan = Plan(rating_rule=RatingRule.ACHIEVED_OVER_EVALUATED)
    shown = rating_rules.headline(plan, Summary(achieved, not_achieved, excluded))
    evaluated = achieved + not_achieved
    if evaluated == 0:
        assert shown.display == "—"
        return
    value, approximate = _by_hand(achieved, evaluated)
    assert shown.display == (f"約{value}%" if approximate else f"{value}%")
    # The formula names the counts it divides, and excluded items stay out of both.
    assert f"達成{achieved}項目 ÷ 評価対象{evaluated}項目" in shown.formula
    assert f"評価対象外{excluded}項目は除く" in shown.formula
    assert shown.formula.endswith(shown.display)


@given(achieved=counts, not_achieved=counts, excluded=counts)
def test_a_plan_without_a_headline_never_gets_one_whatever_its_counts(
    achieved, not_achieved, excluded
):
    plan = Plan(rating_rule=RatingRule.NO_HEADLINE)
    shown = rating_rules.headline(plan, Summary(achieved, not_achieved, excluded))
    assert not shown.exists
    assert shown.display is None and shown.formula is None


@given(achieved=st.integers(1, 500), not_achieved=st.integers(0, 500))
def test_the_exact_quotient_in_the_formula_truncates_and_marks_what_goes_on(achieved, not_achieved):
    evaluated = achieved + not_achieved
    plan = Plan(rating_rule=RatingRule.ACHIEVED_OVER_EVALUATED)
    formula = rating_rules.headline(plan, Summary(achieved, not_achieved, 0)).formula
    shown = formula.split("＝ ")[1].split("%")[0]
    exact = Fraction(achieved * 100, evaluated)
    digits = shown.rstrip("…")
    assert Fraction(digits) <= exact < Fraction(digits) + Fraction(1, 1000)
    assert shown.endswith("…") == (Fraction(digits) != exact)


@pytest.mark.django_db
def test_osakas_plan_page_shows_its_rule_and_the_19_over_23_it_published(client, seeded):
    page = client.get(f"/plans/{OSAKA}/").content.decode()
    assert "達成率（達成 ÷ 評価対象）" in page
    assert (
        "達成19項目 ÷ 評価対象23項目（達成19＋未達成4。評価対象外1項目は除く）＝ 82.608…% → 約82.6%"
        in page
    )
    assert "results.csv" in page  # the listed items to recompute it from


@pytest.mark.django_db
def test_kitakyushus_plan_page_says_it_publishes_no_plan_wide_figure(client, seeded):
    page = client.get(f"/plans/{KITAKYUSHU}/").content.decode()
    assert "全体の数値なし" in page
    assert "公表されていない全体の数値を算出しません" in page
    assert 'data-testid="rating-formula"' not in page


@pytest.mark.django_db
def test_an_unknown_rule_is_refused_by_the_database(seeded):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.filter(slug=OSAKA).update(rating_rule="best_looking")


@pytest.mark.django_db
def test_the_english_plan_page_gives_the_formula_in_english(client, seeded):
    page = client.get(f"/en/plans/{OSAKA}/").content.decode()
    assert "19 achieved ÷ 23 evaluated" in page
    assert "→ approx. 82.6%" in page
