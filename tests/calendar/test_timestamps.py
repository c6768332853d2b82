"""Every timestamp shown in Japanese reads 和暦 (令和7年11月26日 10:09), through the one calendar
module, and stays ISO in English: a history row's and a publication's own names, Django's
object-history page of the admin, and a date a change of the plan records in its history."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import translation

from evaluations import history
from evaluations.models import Publication
from initiatives.models import Plan
from tests.factories import note_written_at
from tests.personas import client_for, in_english

MOMENT = datetime(2025, 11, 26, 10, 9, tzinfo=ZoneInfo("Asia/Tokyo"))


@pytest.fixture
def noted(world):
    """A plan note written at MOMENT: its history row is dated then."""
    return note_written_at(world, MOMENT, "和暦の時刻")


@pytest.fixture
def logged(world, time_machine):
    """An admin change of the plan, logged by Django at MOMENT for the superuser."""
    time_machine.move_to(MOMENT, tick=False)
    return LogEntry.objects.create(
        user=world.users["admin"],
        content_type=ContentType.objects.get_for_model(Plan),
        object_id=str(world.plan.pk),
        object_repr=str(world.plan),
        action_flag=CHANGE,
        change_message="計画名を変更",
    )


def test_a_history_row_is_named_by_its_wareki_time_and_its_actions_label(noted):
    with translation.override("ja"):
        assert str(noted) == f"令和7年11月26日 10:09 {noted.get_action_display()}"
    with translation.override("en"):
        assert str(noted).startswith("2025-11-26 10:09 ")
        assert "令和" not in str(noted)


def test_a_publication_is_named_by_its_wareki_date_in_japanese_and_iso_in_english(world):
    publication = Publication(round=world.round, published_at=MOMENT)
    with translation.override("ja"):
        assert str(publication).endswith("(令和7年11月26日)")
    with translation.override("en"):
        assert str(publication).endswith("(2025-11-26)")


def test_the_admins_history_page_of_an_object_dates_each_entry_in_wareki(world, logged):
    page = client_for(world, "admin").get(f"/admin/initiatives/plan/{world.plan.pk}/history/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "計画名を変更" in body
    assert "令和7年11月26日 10:09" in body
    assert "2025年11月26日" not in body and "2025-11-26 10:09" not in body
    # The machine-readable time stays ISO, beside what people read.
    assert 'datetime="2025-11-26T10:09:00+09:00"' in body


def test_the_admins_history_page_keeps_iso_in_english(world, logged):
    page = in_english(client_for(world, "admin")).get(
        f"/admin/initiatives/plan/{world.plan.pk}/history/"
    )
    body = page.content.decode()
    assert "2025-11-26 10:09" in body
    assert "令和" not in body and "Nov. 26, 2025" not in body


def test_the_admins_page_of_a_history_row_is_titled_by_its_wareki_time(world, noted):
    page = client_for(world, "admin").get(f"/admin/evaluations/historyevent/{noted.pk}/change/")
    assert f"令和7年11月26日 10:09 {noted.get_action_display()}" in page.content.decode()


def test_a_date_a_plan_change_records_reads_wareki_in_its_history():
    with translation.override("ja"):
        assert history.value_label("adopted_on", "2024-03-01", Plan) == "令和6年3月1日"
    with translation.override("en"):
        assert history.value_label("adopted_on", "2024-03-01", Plan) == "2024-03-01"
    # Anything else keeps its own value.
    with translation.override("ja"):
        assert history.value_label("title", "2024-03-01", Plan) == "2024-03-01"
