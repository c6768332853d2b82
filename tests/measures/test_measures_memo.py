"""The compare and department pages, and their JSON, kept per process (PUBLIC_DATA_MEMO) by the
publications and the live rows they show: the same as freshly read, a publication or a live
edit shows at once, and a kept page reads only those live rows."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from initiatives.models import Department, Plan, RatingRule
from reformtracker import memos
from tests.constants import OSAKA
from tests.measures.grown import chart_the_seed, next_time_point

pytestmark = pytest.mark.django_db

COMPARE = [f"/plans/{OSAKA}/compare/", f"/open-data/plans/{OSAKA}/compare.json"]
DEPARTMENTS = [f"/plans/{OSAKA}/departments/", f"/open-data/plans/{OSAKA}/departments.json"]
PAGES = [*COMPARE, *DEPARTMENTS, f"/en/plans/{OSAKA}/compare/", f"/en/plans/{OSAKA}/departments/"]


@pytest.fixture
def memo(settings, seeded):
    settings.PUBLIC_DATA_MEMO = True
    settings.PUBLIC_PAGE_FINGERPRINT_SECONDS = 0  # tests publish and look at once
    memos.clear()
    chart_the_seed()
    yield Plan.objects.get(slug=OSAKA)
    memos.clear()


def _pages(client) -> dict[str, bytes]:
    pages = {}
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content
    return pages


def test_kept_pages_are_the_same_as_freshly_read_ones(client, settings, memo):
    warm = _pages(client)
    kept = _pages(client)
    settings.PUBLIC_DATA_MEMO = False
    assert kept == warm == _pages(client)


@pytest.mark.parametrize(
    ("url", "live"), [(COMPARE[0], 1), (COMPARE[1], 1), *((u, 2) for u in DEPARTMENTS)]
)
def test_a_kept_page_reads_only_the_fingerprint_and_its_live_rows(client, memo, url, live):
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    sqls = [q["sql"].lower() for q in ctx.captured_queries]
    # The fingerprint, the plan with its city, and for departments the city's departments.
    assert len(sqls) == 1 + live
    assert not any("evaluations_published" in sql for sql in sqls)


def test_a_publication_shows_at_once(client, memo):
    before = _pages(client)
    next_time_point(memo, 2026)
    after = _pages(client)
    for url in PAGES:
        assert after[url] != before[url], url
    assert "令和8年度末時点" in after[COMPARE[0]].decode()


def test_live_edits_of_the_plan_and_its_departments_show_at_once(client, memo):
    _pages(client)
    memo.title = "改題したプラン"
    memo.save(update_fields=["title"])
    department = Department.objects.get(initiatives__plan=memo, initiatives__code="2-1")
    department.name_en = "Renamed Bureau"
    department.save(update_fields=["name_en"])
    assert "改題したプラン" in client.get(COMPARE[0]).content.decode()
    assert "改題したプラン" in client.get(DEPARTMENTS[1]).content.decode()
    assert "Renamed Bureau" in client.get(DEPARTMENTS[1]).content.decode()
    assert "Renamed Bureau" in client.get(f"/en/plans/{OSAKA}/departments/").content.decode()


def _headline(client) -> str:
    groups = json.loads(client.get("/open-data/compare.json").content)["groups"]
    [osaka] = [p for g in groups for p in g["plans"] if p["plan"] == OSAKA]
    return osaka["headline"]


def test_kept_bands_follow_the_plans_bands_and_each_publication(client, seeded, settings):
    settings.PUBLIC_DATA_MEMO = True
    settings.PUBLIC_PAGE_FINGERPRINT_SECONDS = 0
    memos.clear()
    plan = chart_the_seed(RatingRule.INDICATOR_BANDS)
    kept = _headline(client)
    assert _headline(client) == kept and kept.startswith("A ")
    plan.indicator_bands = [["甲", 50], ["乙", 0]]
    plan.save(update_fields=["indicator_bands"])
    renamed = _headline(client)
    assert renamed.startswith("甲 ")
    next_time_point(plan, 2026)
    published = _headline(client)
    settings.PUBLIC_DATA_MEMO = False
    assert published == _headline(client)
    memos.clear()
