"""The meeting lists grow with the data, so they come a page at a time, at the same number of
queries with the seed's six meetings and with 1,200; the per-process page memo digests only the
rows of the page it keeps."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.constants import KITAKYUSHU
from tests.factories import make_meetings
from xmeetings.models import Meeting
from xmeetings.pages import meeting_listing, meeting_rows

PAGES = [
    "/meetings/",
    "/meetings/?when=held",
    f"/meetings/?plan={KITAKYUSHU}&when=held",
    f"/meetings/?plan={KITAKYUSHU}&when=all&page=2",
    "/en/meetings/?when=held",
    "/open-data/meetings.json",
    f"/open-data/meetings.json?plan={KITAKYUSHU}&when=held",
    f"/meetings/{KITAKYUSHU}/calendar.ics",
]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def _grow():
    """1,200 more meetings of Kitakyushu's plan: 600 held long ago, 600 still to come."""
    plan = Meeting.objects.get(number=1).plan
    make_meetings(plan, 600, first_fiscal_year=1950)
    make_meetings(plan, 600, first_fiscal_year=2030)


def _costs(client) -> dict:
    return {url: _queries(client, url) for url in PAGES}


@pytest.mark.parametrize("memo", [False, True], ids=["memo off", "memo on"])
def test_each_meeting_page_costs_the_same_queries_at_6_and_at_1200_meetings(
    client, seeded, settings, memo, time_machine
):
    # 令和7年6月1日: the seed's first meeting held, five to come, so no list is empty.
    time_machine.move_to(datetime(2025, 6, 1, 10, tzinfo=ZoneInfo("Asia/Tokyo")), tick=False)
    settings.PUBLIC_DATA_MEMO = memo
    small = _costs(client)
    _grow()
    assert Meeting.objects.count() == 1206
    large = _costs(client)
    print("\nqueries per meeting page (6 → 1,206 meetings):")
    for url in PAGES:
        print(f"  {small[url]:>2} → {large[url]:>2}  {url}")
    assert large == small
    # With the memo on, a page not yet kept also reads the digest of its rows (one query per
    # table); once kept, the digest is all it reads.
    assert max(large.values()) <= (18 if memo else 10)
    if memo:
        again = _costs(client)
        assert all(again[url] < large[url] for url in PAGES if url.startswith("/meetings/?"))


def test_a_page_shows_at_most_a_page_of_meetings_and_says_where_it_is(client, seeded, settings):
    _grow()
    held = Meeting.objects.held_by(timezone.localdate())
    page = client.get("/meetings/?when=held&page=2").content.decode()
    assert page.count("<tr>") == settings.MEETINGS_PER_PAGE + 1  # and the heading row
    assert f"{held.count()}件中 21〜40件目を表示" in page
    api = client.get("/open-data/meetings.json?when=held&page=2").json()
    assert len(api["meetings"]) == settings.MEETINGS_PER_PAGE
    assert (api["count"], api["page"]) == (held.count(), 2)


def test_the_memo_digest_reads_only_the_page_it_keeps(seeded):
    _grow()
    first = meeting_listing(None, "held", 1)
    digest = meeting_rows(first)
    far = meeting_listing(None, "held", 20)
    # A meeting of another page changes: the first page's digest (and its kept page) stands.
    Meeting.objects.filter(pk=far.ids[0]).update(title="第20ページの会議")
    assert meeting_rows(meeting_listing(None, "held", 1)) == digest
    # One of its own meetings changes: a new digest, so the page is rendered afresh.
    Meeting.objects.filter(pk=first.ids[0]).update(title="第1ページの会議")
    assert meeting_rows(meeting_listing(None, "held", 1)) != digest


def test_an_edit_on_the_page_shows_at_once_with_the_memo_on(client, seeded, settings):
    settings.PUBLIC_DATA_MEMO = True
    url = f"/meetings/?plan={KITAKYUSHU}&when=held"
    assert "開催日の変更" not in client.get(url).content.decode()
    Meeting.objects.filter(plan__slug=KITAKYUSHU, number=2).update(title="開催日の変更")
    assert "開催日の変更" in client.get(url).content.decode()
