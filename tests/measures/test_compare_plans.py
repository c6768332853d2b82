"""Comparing cities fairly: every plan's latest headline with its own rule, its 時点 and its
number of evaluated items, grouped by rule and never ranked across rules."""

import json

import pytest

from initiatives.models import Plan, RatingRule
from tests.constants import KITAKYUSHU, OSAKA
from tests.factories import grow_and_publish

pytestmark = pytest.mark.django_db


def _groups(client, query=""):
    return json.loads(client.get("/open-data/compare.json" + query).content)["groups"]


def test_each_plan_stands_in_the_group_of_its_own_rule(client, seeded):
    groups = {g["rule"]: [p["plan"] for p in g["plans"]] for g in _groups(client)}
    assert groups == {
        RatingRule.ACHIEVED_OVER_EVALUATED: [OSAKA],
        RatingRule.NO_HEADLINE: [KITAKYUSHU],
    }


def test_osaka_shows_what_it_published_with_its_time_point_and_evaluated_items(client, seeded):
    osaka = _groups(client)[0]["plans"][0]
    assert osaka["as_of"] == "2025-03-31"
    assert osaka["as_of_label"] == "令和6年度末時点"
    assert (osaka["evaluated"], osaka["achieved"], osaka["excluded"]) == (23, 19, 1)
    assert osaka["headline"] == "約82.6%"
    assert osaka["formula"].startswith("達成19項目 ÷ 評価対象23項目")


def test_a_plan_without_a_headline_gets_none_rather_than_a_number(client, seeded):
    kitakyushu = _groups(client)[1]["plans"][0]
    assert kitakyushu["headline"] is None
    assert kitakyushu["rate_percent"] is None
    assert kitakyushu["formula"] is None


def test_sorting_by_rate_never_crosses_a_rules_border(client, seeded):
    # A second plan under Osaka's rule with a higher rate, and a third with no headline: the
    # sort reorders the first group only, and the plan without a headline stays in its own.
    grow_and_publish(total=30)  # Osaka now has 30 items: 2 in 3 achieved
    Plan.objects.filter(slug=KITAKYUSHU).update(rating_rule=RatingRule.ACHIEVED_OVER_EVALUATED)
    together = _groups(client, "?sort=rate")
    assert [g["rule"] for g in together] == [RatingRule.ACHIEVED_OVER_EVALUATED]
    plans = together[0]["plans"]
    # Kitakyushu evaluated nothing: it has no rate, so it comes after every plan with one.
    assert [p["plan"] for p in plans] == [OSAKA, KITAKYUSHU]
    Plan.objects.filter(slug=KITAKYUSHU).update(rating_rule=RatingRule.NO_HEADLINE)
    apart = _groups(client, "?sort=rate")
    assert [g["rule"] for g in apart] == [
        RatingRule.ACHIEVED_OVER_EVALUATED,
        RatingRule.NO_HEADLINE,
    ]
    assert json.loads(client.get("/open-data/compare.json").content)["ranked_across_rules"] is False


def test_the_page_is_one_table_per_rule_with_headers_for_screen_readers(client, seeded):
    page = client.get("/compare/").content.decode()
    assert page.count('<table class="compare-table">') == 2
    assert "算出方法：達成率（達成 ÷ 評価対象）" in page
    assert "算出方法：全体の数値なし" in page
    assert '<th scope="row"><a href="/plans/' in page
    assert "順位を付けず" in page


def test_the_english_page_names_the_rules_in_english(client, seeded):
    page = client.get("/en/compare/").content.decode()
    assert "Rule: achievement rate (achieved ÷ evaluated)" in page
    assert "approx. 82.6%" in page
