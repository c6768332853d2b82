"""The Django admin's own dates and timestamps in Japanese are 和暦 (令和8年11月26日 10:09), as on
every other page; in English they stay ISO. Dates a form edits keep their ISO input."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories import note_written_at
from tests.personas import client_for, in_english

MOMENT = datetime(2026, 11, 26, 10, 9, tzinfo=ZoneInfo("Asia/Tokyo"))


@pytest.fixture
def noted(world):
    """A plan note written at MOMENT: its history row is dated then."""
    return note_written_at(world, MOMENT, "管理画面の日付")


def test_the_history_list_dates_each_row_in_wareki_in_japanese(world, noted):
    page = client_for(world, "admin").get("/admin/evaluations/historyevent/").content.decode()
    assert "令和8年11月26日 10:09" in page
    assert "2026年11月26日" not in page and "Nov. 26, 2026" not in page
    # The column keeps its label and sorts by the timestamp itself.
    header = re.search(
        r'<th scope="col" class="([^"]*column-wareki_at[^"]*)">(.*?)</th>', page, re.S
    )
    assert "sortable" in header[1]
    assert "日時" in header[2]


def test_the_history_list_keeps_iso_in_english(world, noted):
    page = in_english(client_for(world, "admin")).get("/admin/evaluations/historyevent/")
    body = page.content.decode()
    assert "2026-11-26 10:09" in body
    assert "令和8年11月26日" not in body


def test_a_view_only_page_shows_its_timestamp_in_wareki(world, noted):
    page = client_for(world, "admin").get(f"/admin/evaluations/historyevent/{noted.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "令和8年11月26日 10:09" in body
    assert "日時" in body  # the field's own label


def test_a_rounds_list_and_its_fixed_as_of_date_read_in_wareki_while_the_due_date_stays_editable(
    world,
):
    admin = client_for(world, "admin")
    listing = admin.get("/admin/evaluations/round/").content.decode()
    assert "令和7年3月31日" in listing  # 時点 2025-03-31
    assert "令和7年5月31日" in listing  # 提出期限 2025-05-31
    page = admin.get(f"/admin/evaluations/round/{world.round.pk}/change/").content.decode()
    assert "令和7年3月31日" in page  # the 時点, read-only once the round exists
    due = re.search(r'<input[^>]*name="due_on"[^>]*>', page)[0]
    assert 'value="2025-05-31"' in due
    english = in_english(client_for(world, "admin")).get("/admin/evaluations/round/")
    assert "2025-03-31" in english.content.decode()
