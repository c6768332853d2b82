"""The Atom feeds are stored by the page cache like the result pages: a repeated request reads
nothing but the publications' fingerprint, a publication shows in them at once, and a meeting
whose dates have passed shows as held from the next day (their key carries the date)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations.choices import Result
from initiatives.models import Plan
from reformtracker import memos
from tests.constants import KITAKYUSHU, OSAKA
from tests.factories import make_published_round
from xmeetings.models import Meeting

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
FEEDS = [
    "/feed/",
    f"/plans/{OSAKA}/feed/",
    f"/plans/{OSAKA}/initiatives/2-1/feed/",
    "/en/feed/",
]


def _get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("url", FEEDS)
def test_a_repeated_feed_request_reads_only_the_publications_fingerprint(
    client, seeded, page_cache, url
):
    first, _queries = _get(client, url)
    assert first["X-Public-Cache"] == "miss"
    again, queries = _get(client, url)
    assert again["X-Public-Cache"] == "hit"
    assert again.content == first.content
    # page_cache reads the fingerprint on every request (PUBLIC_PAGE_FINGERPRINT_SECONDS = 0).
    assert len(queries) == 1
    assert 'FROM "evaluations_publication"' in queries[0] and "COUNT(" in queries[0]


def test_a_repeated_feed_request_reads_nothing_while_the_fingerprint_is_fresh(
    client, seeded, page_cache, settings
):
    settings.PUBLIC_PAGE_FINGERPRINT_SECONDS = 60
    _get(client, "/feed/")
    again, queries = _get(client, "/feed/")
    assert again["X-Public-Cache"] == "hit"
    assert queries == []


def test_a_publication_shows_in_every_feed_that_follows_it_at_once(client, seeded, page_cache):
    plan = Plan.objects.get(slug=OSAKA)
    urls = ["/feed/", f"/plans/{OSAKA}/feed/", f"/plans/{OSAKA}/initiatives/2-1/feed/"]
    before = {url: _get(client, url)[0].content for url in urls}
    assert all(_get(client, url)[0]["X-Public-Cache"] == "hit" for url in urls)
    results = dict.fromkeys(
        plan.initiatives.filter(pillar__office_tracks_items=True), Result.ACHIEVED
    )
    make_published_round(
        plan, results, fiscal_year=2025, published_at=datetime(2026, 6, 1, tzinfo=UTC)
    )
    for url in urls:
        response, _queries = _get(client, url)
        assert response["X-Public-Cache"] == "miss", url
        assert response.content != before[url]
        newest = feedparser.parse(response.content).entries[0]
        assert "令和7年度末時点" in newest.title, url
    assert feedparser.parse(_get(client, urls[2])[0].content).entries[0].summary == "達成"


def test_a_meeting_shows_as_held_the_day_after_its_date_though_the_feed_was_stored(
    client, seeded, page_cache, time_machine
):
    plan = Plan.objects.get(slug=KITAKYUSHU)
    Meeting(plan=plan, fiscal_year=2027, number=9, date_year=2027, date_month=7, date_day=15).save()
    url = f"/plans/{KITAKYUSHU}/feed/"

    def held_titles():
        response, _queries = _get(client, url)
        entries = feedparser.parse(response.content).entries
        titles = [e.title for e in entries if e.tags[0].term == "meeting_held"]
        return response["X-Public-Cache"], [t for t in titles if "第9回" in t]

    # Two minutes before midnight, then one after: well within the stored feed's lifetime
    # (PUBLIC_PAGE_CACHE_SECONDS), so only the date in its key can make it new.
    time_machine.move_to(datetime(2027, 7, 15, 23, 58, tzinfo=TOKYO), tick=False)
    assert held_titles() == ("miss", [])
    assert held_titles() == ("hit", [])
    time_machine.move_to(datetime(2027, 7, 16, 0, 1, tzinfo=TOKYO), tick=False)
    status, titles = held_titles()
    assert status == "miss"
    assert len(titles) == 1 and titles[0].endswith("を開催しました")


@pytest.fixture
def memo(settings):
    settings.PUBLIC_DATA_MEMO = True
    settings.PUBLIC_PAGE_FINGERPRINT_SECONDS = 0  # tests publish and look at once
    memos.clear()
    yield
    memos.clear()


def test_feeds_kept_per_process_are_the_same_as_freshly_read_ones(client, seeded, settings, memo):
    warm = {url: _get(client, url)[0].content for url in FEEDS}
    kept = {url: _get(client, url)[0].content for url in FEEDS}
    settings.PUBLIC_DATA_MEMO = False
    assert kept == warm == {url: _get(client, url)[0].content for url in FEEDS}


def test_a_kept_feed_shows_a_renamed_plan_and_a_publication_at_once(client, seeded, memo):
    plan = Plan.objects.get(slug=OSAKA)
    for url in FEEDS:
        _get(client, url)
    plan.title = "改題したプラン"
    plan.save(update_fields=["title"])
    for url in ["/feed/", f"/plans/{OSAKA}/feed/"]:
        entries = feedparser.parse(_get(client, url)[0].content).entries
        published = [e.title for e in entries if e.tags[0].term == "publication"]
        assert published and all(t.startswith("改題したプラン：") for t in published), url
    results = dict.fromkeys(
        plan.initiatives.filter(pillar__office_tracks_items=True), Result.ACHIEVED
    )
    make_published_round(
        plan, results, fiscal_year=2025, published_at=datetime(2026, 6, 1, tzinfo=UTC)
    )
    for url in FEEDS:
        entries = feedparser.parse(_get(client, url)[0].content).entries
        titles = [e.title for e in entries if e.tags[0].term == "publication"]
        assert "令和7年度末時点" in titles[0] or "FY2025" in titles[0], url
