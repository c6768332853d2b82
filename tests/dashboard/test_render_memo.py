"""The per-publication memo (PUBLIC_DATA_MEMO) behind the uncached dashboard's speed.

With the page cache off every request still runs the view and renders the page; what is kept
is only what a publication fixes for good (figures, excluded items, trend, the markup of the
headline, 1–5 table and charts). These tests check that it changes nothing a visitor sees, that
a new publication shows at once, and that live edits (titles, English names) are never stale.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from initiatives.models import Pillar, Plan
from reformtracker import memos
from tests.constants import KITAKYUSHU, OSAKA
from tests.factories import grow_and_publish

PAGES = ["/", "/en/", f"/plans/{OSAKA}/", f"/en/plans/{OSAKA}/", f"/plans/{KITAKYUSHU}/"]


@pytest.fixture
def memo(settings):
    settings.PUBLIC_DATA_MEMO = True
    settings.PUBLIC_PAGE_FINGERPRINT_SECONDS = 0  # tests publish and look at once
    memos.clear()
    yield
    memos.clear()


def _pages(client) -> dict[str, str]:
    pages = {}
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["X-Public-Cache"] == "bypass"  # the page cache is off: rendered
        pages[url] = response.content.decode()
    return pages


@pytest.mark.django_db
def test_memoised_pages_are_the_same_as_freshly_read_ones(client, seeded, settings, memo):
    warm = _pages(client)  # fills the memo
    memoised = _pages(client)  # served from it
    settings.PUBLIC_DATA_MEMO = False
    fresh = _pages(client)
    assert memoised == fresh
    assert warm == fresh


@pytest.mark.django_db
def test_a_memoised_dashboard_reads_only_live_rows_and_the_fingerprint(client, seeded, memo):
    client.get("/")
    with CaptureQueriesContext(connection) as ctx:
        client.get("/")
    sqls = [q["sql"].lower() for q in ctx.captured_queries]
    # the count of plans (dashboards or the directory), fingerprint, plans with their
    # municipalities, pillars, and the X会議 and schedules of the plans without a publication
    # (Kitakyushu's) as plain rows: their next and last X会議 depend on today and on those
    # rows, and are kept per process for them (xmeetings.pages.plan_meeting_facts)
    assert len(sqls) == 6
    assert not any("publishedresult" in sql or "publishedpillar" in sql for sql in sqls)


@pytest.mark.django_db
def test_a_new_publication_shows_at_once(client, seeded, memo):
    before = client.get(f"/plans/{OSAKA}/").content.decode()
    assert "達成6667項目 / 評価対象10000項目" not in before
    grow_and_publish(total=10_000)
    after = client.get(f"/plans/{OSAKA}/").content.decode()
    assert "達成6667項目 / 評価対象10000項目" in after
    assert "約66.7%" in client.get("/").content.decode()


@pytest.mark.django_db
def test_live_edits_are_never_stale(client, seeded, memo):
    client.get("/en/")
    plan = Plan.objects.get(slug=OSAKA)
    plan.title_en = "A renamed plan"
    plan.save()
    pillar = Pillar.objects.filter(plan=plan, office_tracks_items=True).order_by("order").first()
    pillar.name_en = "A renamed pillar"
    pillar.save()
    page = client.get("/en/").content.decode()
    assert "A renamed plan" in page
    assert f"{pillar.order} A renamed pillar" in page  # the chart's label and its table


@pytest.mark.django_db
def test_the_kept_page_chrome_follows_the_language_and_the_page(client, seeded, settings):
    rendered = {url: client.get(url).content.decode() for url in [*PAGES, "/initiatives/"]}
    # As in production: the header and footer are kept per process by Django's {% cache %}.
    settings.CACHES = {
        **settings.CACHES,
        "template_fragments": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-template-fragments",
        },
    }
    for _ in range(2):  # the first pass fills the fragment cache, the second reads it
        for url, fresh in rendered.items():
            assert client.get(url).content.decode() == fresh, url
    english, japanese = rendered["/en/"], rendered["/"]
    assert "Find initiatives" in english and "取組項目をさがす" in japanese
    assert 'href="/initiatives/" aria-current="page"' in rendered["/initiatives/"]
    assert 'aria-current="page"' not in rendered[f"/plans/{OSAKA}/"].split("</nav>")[0]
