"""The measures pages (indicators, comparisons, departments, feeds) keep the constant-query
rule: the same number of queries, at most 10, at seed size and with 10,000 initiatives each
carrying an indicator."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from initiatives.models import Indicator, Initiative, RatingRule
from tests.constants import KITAKYUSHU, OSAKA
from tests.measures.grown import CHARTED, chart_the_seed, grow_with_indicators

pytestmark = [
    pytest.mark.django_db,
    # Slow (10,000 initiatives and indicators, twice): one pass only. The counts are the
    # ORM's queries, the same on both databases.
    pytest.mark.skipif(
        connection.vendor == "postgresql", reason="runs in the SQLite pass of make test"
    ),
]

# The plan page states the rule and, under the indicator rule, its bands: its count must not
# grow either, and stays within the same bound (≤ 10) as under Osaka's rule.
PLAN_PAGE = f"/plans/{OSAKA}/"
PAGES = [
    f"/plans/{OSAKA}/initiatives/{CHARTED}/",
    f"/open-data/plans/{OSAKA}/initiatives/{CHARTED}.json",
    f"/plans/{OSAKA}/compare/",
    f"/open-data/plans/{OSAKA}/compare.json",
    f"/plans/{OSAKA}/departments/",
    f"/open-data/plans/{OSAKA}/departments.json",
    f"/plans/{KITAKYUSHU}/departments/",
    "/compare/",
    "/open-data/compare.json",
    "/open-data/compare.json?sort=rate",
    "/feed/",
    f"/plans/{OSAKA}/feed/",
    f"/plans/{OSAKA}/initiatives/{CHARTED}/feed/",
    "/en/feed/",
]


def _queries(client, url) -> int:
    cache.clear()  # every count is a cache miss: the most a page ever costs
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("rule", [RatingRule.ACHIEVED_OVER_EVALUATED, RatingRule.INDICATOR_BANDS])
def test_the_measures_pages_cost_the_same_queries_at_seed_size_and_at_10000(
    client, seeded, page_cache, rule
):
    chart_the_seed(rule)
    small = {url: _queries(client, url) for url in [PLAN_PAGE, *PAGES]}
    grow_with_indicators(10_000)
    assert Initiative.objects.filter(plan__slug=OSAKA).count() == 10_000
    assert Indicator.objects.filter(initiative__plan__slug=OSAKA).count() == 10_000
    large = {url: _queries(client, url) for url in [PLAN_PAGE, *PAGES]}
    print(f"\nqueries per page, {rule} (seed → 10,000 initiatives with indicators):")
    for url in large:
        print(f"  {small[url]:>2} → {large[url]:>2}  {url}")
    assert large == small
    assert max(large.values()) <= 10
