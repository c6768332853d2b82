"""Queries per public page do not depend on the number of initiatives (24 vs 10,000), ≤ 10."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from initiatives.models import Initiative
from tests.constants import KITAKYUSHU, OSAKA
from tests.factories import grow_and_publish

PAGES = [
    "/",
    f"/plans/{OSAKA}/",
    f"/plans/{OSAKA}/pillars/3/",
    f"/plans/{OSAKA}/initiatives/2-1/",
    f"/plans/{KITAKYUSHU}/",
    f"/plans/{KITAKYUSHU}/pillars/2/",
    "/initiatives/",
    f"/initiatives/?plan={OSAKA}&result=achieved&q=委託",
    "/initiatives/?fy=2024&page=2",
    f"/plans/{OSAKA}/badge.svg",
    "/meetings/",
    f"/meetings/{KITAKYUSHU}/schedule/",
    "/en/",
    f"/en/plans/{OSAKA}/",
    "/open-data/home.json",
    f"/open-data/plans/{OSAKA}.json",
    f"/open-data/plans/{OSAKA}/pillars/3.json",
    f"/open-data/plans/{OSAKA}/initiatives/2-1.json",
    "/open-data/initiatives.json?result=not_achieved",
    "/open-data/meetings.json",
    f"/open-data/schedules/{KITAKYUSHU}.json",
    "/compare/",
    "/open-data/compare.json?sort=rate",
]


def _queries(client, url) -> int:
    cache.clear()  # every count is a cache miss: the most a page ever costs
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_it_costs_the_same_queries_at_24_and_at_10000_initiatives(client, seeded, page_cache):
    small = {url: _queries(client, url) for url in PAGES}
    grow_and_publish(total=10_000)
    assert Initiative.objects.filter(plan__slug=OSAKA).count() == 10_000
    large = {url: _queries(client, url) for url in PAGES}
    print("\nqueries per page (24 → 10,000 initiatives):")
    for url in PAGES:
        print(f"  {small[url]:>2} → {large[url]:>2}  {url}")
    assert large == small
    assert max(large.values()) <= 10


@pytest.mark.django_db
def test_it_shows_the_grown_figures_it_counted(client, seeded):
    grow_and_publish(total=10_000)
    page = client.get(f"/plans/{OSAKA}/").content.decode()
    # Pillars 2, 3 and 6: 24 seed items + 9,976 added, all evaluated; one in three not achieved.
    assert "達成6667項目 / 評価対象10000項目" in page
    assert "約66.7%" in page
    listing = client.get("/initiatives/?plan=" + OSAKA).content.decode()
    assert "10000件中 1〜20件目を表示" in listing
