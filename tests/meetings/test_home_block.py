"""Kitakyushu publishes no item results, so its home-page block shows what it does publish — its
three pillars, its next and last X会議 honestly labelled, its schedule — not a giant 「—」; the
home page still costs the same queries whatever the number of meetings."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reformtracker import memos
from tests.constants import KITAKYUSHU
from tests.factories import make_meetings
from xmeetings.models import Meeting

TOKYO = ZoneInfo("Asia/Tokyo")


def _kitakyushu_block(page: str) -> str:
    start = page.index(f'id="plan-{KITAKYUSHU}"')
    return page[start : page.index("</section>", start)]


def test_on_2026_11_26_the_block_shows_pillars_no_next_meeting_and_the_last_one_held(
    client, seeded, time_machine
):
    time_machine.move_to(datetime(2026, 11, 26, 10, tzinfo=TOKYO), tick=False)
    page = client.get("/").content.decode()
    block = _kitakyushu_block(page)
    assert '<p class="headline-rate">—</p>' not in block
    for pillar in ("局区X方針", "経営分析・事業分析", "プラチナ市役所プロジェクト"):
        assert pillar in block
    assert "予定されているX会議は登録されていません。" in block
    assert re.search(r"令和7年度 第6回\s*1月下旬（開催日は未記録）・開催済", block)
    assert f'href="/meetings/{KITAKYUSHU}/schedule/"' in block


def test_in_june_2025_the_next_meeting_is_early_july_and_says_it_is_planned(
    client, seeded, time_machine
):
    time_machine.move_to(datetime(2025, 6, 1, 10, tzinfo=TOKYO), tick=False)
    block = _kitakyushu_block(client.get("/").content.decode())
    assert re.search(r"令和7年度 第2回\s*7月上旬（予定）・開催予定", block)
    assert re.search(r"令和7年度 第1回\s*5月23日・開催済", block)
    time_machine.move_to(datetime(2025, 7, 4, 10, tzinfo=TOKYO), tick=False)
    block = _kitakyushu_block(client.get("/").content.decode())
    assert re.search(r"令和7年度 第2回\s*7月上旬（予定）・開催時期", block)


def test_osakas_block_keeps_its_headline_rate(client, seeded):
    page = client.get("/").content.decode()
    assert "約82.6%" in page


@pytest.mark.django_db
def test_the_home_page_costs_the_same_queries_with_6_and_with_1206_meetings(
    client, seeded, time_machine
):
    time_machine.move_to(datetime(2025, 6, 1, 10, tzinfo=TOKYO), tick=False)

    def cost():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx.captured_queries)

    small = cost()
    plan = Meeting.objects.get(number=1).plan
    make_meetings(plan, 600, first_fiscal_year=1950)
    make_meetings(plan, 600, first_fiscal_year=2030)
    assert cost() == small


@pytest.mark.django_db
def test_with_the_facts_kept_per_process_a_meeting_marked_held_shows_at_once(
    client, seeded, time_machine, settings
):
    settings.PUBLIC_DATA_MEMO = True
    memos.clear()
    time_machine.move_to(datetime(2025, 6, 1, 10, tzinfo=TOKYO), tick=False)
    block = _kitakyushu_block(client.get("/").content.decode())
    assert re.search(r"令和7年度 第2回\s*7月上旬（予定）・開催予定", block)
    meeting = Meeting.objects.get(plan__slug=KITAKYUSHU, fiscal_year=2025, number=2)
    meeting.status = Meeting.Status.HELD
    meeting.save()
    block = _kitakyushu_block(client.get("/").content.decode())
    assert re.search(r"令和7年度 第2回\s*7月上旬[^・<]*・開催済", block)
    # A new day moves the phases too.
    time_machine.move_to(datetime(2025, 7, 4, 10, tzinfo=TOKYO), tick=False)
    block = _kitakyushu_block(client.get("/").content.decode())
    assert re.search(r"令和7年度 第3回\s*8月下旬（予定）・開催予定", block)
    memos.clear()
