"""The meeting lists read their ids by SQL compiled once per process (xmeetings.pages'
``_ListedIds``), not by the ORM on every request: they list the same meetings in the same order,
count the same, and every page and JSON document is byte for byte what the ORM's listing
renders, in Japanese and English, with every filter and page, on the days the lists turn."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.paginator import Paginator

from reformtracker import memos
from tests.constants import KITAKYUSHU, OSAKA
from tests.factories import make_meetings
from xmeetings import pages
from xmeetings.models import Meeting

TOKYO = ZoneInfo("Asia/Tokyo")

URLS = [
    "/meetings/",
    "/meetings/?when=held",
    "/meetings/?when=all&page=2",
    f"/meetings/?plan={KITAKYUSHU}",
    f"/meetings/?plan={KITAKYUSHU}&when=held&page=3",
    f"/meetings/?plan={OSAKA}&when=all",
    "/meetings/?plan=nothing-here",
    "/meetings/?page=999",
    "/en/meetings/?when=held&page=2",
    f"/en/meetings/?plan={KITAKYUSHU}&when=all",
    "/open-data/meetings.json",
    "/open-data/meetings.json?when=upcoming&page=2",
    f"/open-data/meetings.json?plan={KITAKYUSHU}&when=held",
    "/en/open-data/meetings.json?when=all&page=3",
]

# The seed's first meeting held and five to come; the day the first of them turns held; today.
DAYS = [datetime(2025, 6, 1, 10, tzinfo=TOKYO), datetime(2025, 7, 11, 0, 1, tzinfo=TOKYO)]


@pytest.fixture
def meetings(seeded):
    """The seed's meetings and 60 more of Kitakyushu's, some held long ago, some to come, so
    every list has several pages."""
    plan = Meeting.objects.get(number=1, plan__slug=KITAKYUSHU).plan
    make_meetings(plan, 30, first_fiscal_year=2000)
    make_meetings(plan, 30, first_fiscal_year=2030)


def _orm_listing(plan_slug, when, today):
    """What the lists read before: the ORM's queryset, compiled per request."""
    return pages._listing_queryset(plan_slug, when, today)


@pytest.mark.parametrize("today", [date(2025, 6, 1), date(2025, 7, 11), date(2031, 1, 1)])
def test_the_prepared_listing_gives_the_ids_and_count_the_orm_gives(
    meetings, settings, time_machine, today
):
    time_machine.move_to(datetime.combine(today, datetime.min.time(), TOKYO), tick=False)
    for plan_slug in (None, KITAKYUSHU, OSAKA, "nothing-here"):
        for when in pages.WHEN:
            orm = Paginator(_orm_listing(plan_slug, when, today), settings.MEETINGS_PER_PAGE)
            for number in range(1, orm.num_pages + 2):
                listing = pages.meeting_listing(plan_slug, when, number)
                expected = orm.get_page(number)
                shape = (plan_slug, when, number)
                assert listing.ids == list(expected.object_list), shape
                assert listing.page.paginator.count == orm.count, shape
                assert listing.page.number == expected.number, shape
                assert listing.page.has_next() == expected.has_next(), shape


@pytest.mark.parametrize("memo", [False, True], ids=["memo off", "memo on"])
@pytest.mark.parametrize("moment", DAYS, ids=["1 June 2025", "11 July 2025"])
def test_every_meeting_page_and_document_is_byte_identical_to_the_orms(
    client, meetings, settings, monkeypatch, time_machine, memo, moment
):
    time_machine.move_to(moment, tick=False)
    settings.PUBLIC_DATA_MEMO = memo
    memos.clear()
    fast = {url: client.get(url) for url in URLS}
    kept = {url: client.get(url).content for url in URLS}
    monkeypatch.setattr(pages, "_ListedIds", _orm_listing)
    memos.clear()
    plain = {url: client.get(url) for url in URLS}
    for url in URLS:
        assert fast[url].status_code == plain[url].status_code == 200, url
        assert fast[url].content == plain[url].content, url
        assert kept[url] == plain[url].content, url
    # Not vacuous: the lists show meetings, and pages past the first differ from it.
    assert "第1回" in fast[f"/meetings/?plan={KITAKYUSHU}"].content.decode()
    assert fast["/meetings/?when=all&page=2"].content != fast["/meetings/"].content
