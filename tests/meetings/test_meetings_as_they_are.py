"""X会議 as they are today: 「7月上旬」 is 開催予定 before 7月1日, 開催時期 from the 1st to the 10th,
開催済 after its last day or once the office marks it held, and never 「（予定）」 and 開催済 at once."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from evaluations.services import meetings as services
from tests.constants import KITAKYUSHU
from xmeetings.models import Meeting

TOKYO = ZoneInfo("Asia/Tokyo")


def _on(time_machine, day: date, hour: int = 10):
    time_machine.move_to(datetime(day.year, day.month, day.day, hour, tzinfo=TOKYO), tick=False)


def _second_meeting():
    return Meeting.objects.get(plan__slug=KITAKYUSHU, fiscal_year=2025, number=2)  # 7月上旬


def _row_of(page: str, number: int) -> str:
    rows = re.findall(r"<tr>.*?</tr>", page, flags=re.S)
    return next(r for r in rows if f"第{number}回" in r)


@pytest.mark.parametrize(
    ("today", "phase"),
    [
        (date(2025, 6, 30), Meeting.Phase.UPCOMING),
        (date(2025, 7, 1), Meeting.Phase.IN_PERIOD),
        (date(2025, 7, 10), Meeting.Phase.IN_PERIOD),
        (date(2025, 7, 11), Meeting.Phase.HELD),
    ],
)
def test_early_july_is_upcoming_then_in_its_period_then_held(seeded, today, phase):
    assert _second_meeting().phase_on(today) == phase


def test_an_exact_day_is_held_the_day_after_and_today_on_its_day(seeded):
    first = Meeting.objects.get(plan__slug=KITAKYUSHU, fiscal_year=2025, number=1)  # 5/23
    assert first.phase_on(date(2025, 5, 22)) == Meeting.Phase.UPCOMING
    assert first.phase_on(date(2025, 5, 23)) == Meeting.Phase.TODAY
    assert first.phase_on(date(2025, 5, 24)) == Meeting.Phase.HELD


def test_on_2026_11_26_no_meeting_reads_planned_and_held_at_once(client, seeded, time_machine):
    _on(time_machine, date(2026, 11, 26))
    page = client.get(f"/meetings/?plan={KITAKYUSHU}&when=held").content.decode()
    for number in range(1, 7):
        row = _row_of(page, number)
        assert "開催済" in row
        assert "予定" not in row, row
    assert "開催日は未記録" in _row_of(page, 2)
    assert "開催日は未記録" not in _row_of(page, 1)  # 5/23 is an exact day
    upcoming = client.get(f"/meetings/?plan={KITAKYUSHU}").content.decode()
    assert "これからの会議は登録されていません。" in upcoming


def test_in_early_july_the_second_meeting_is_listed_as_in_its_period(client, seeded, time_machine):
    _on(time_machine, date(2025, 7, 5))
    page = client.get(f"/meetings/?plan={KITAKYUSHU}").content.decode()
    row = _row_of(page, 2)
    assert "開催時期" in row and "（予定）" in row
    assert "第1回" not in page  # 5/23 is held, on the other list
    held = client.get(f"/meetings/?plan={KITAKYUSHU}&when=held").content.decode()
    assert "開催済" in _row_of(held, 1)


def test_the_office_marking_it_held_makes_it_held_before_its_period_ends(
    client, seeded, world, time_machine
):
    _on(time_machine, date(2025, 7, 3))
    meeting = _second_meeting()
    # The seed's plan belongs to Kitakyushu; its office is a superuser here (the admin persona).
    services.mark_meeting_held(user=world.users["admin"], meeting_id=meeting.pk)
    meeting.refresh_from_db()
    assert meeting.phase_on(date(2025, 7, 3)) == Meeting.Phase.HELD
    held = client.get(f"/meetings/?plan={KITAKYUSHU}&when=held").content.decode()
    assert "開催日は未記録" in _row_of(held, 2)
    services.mark_meeting_held(
        user=world.users["admin"], meeting_id=meeting.pk, held_on=date(2025, 7, 2)
    )
    meeting.refresh_from_db()
    assert meeting.date_label_ja == "7月2日"
    held = client.get(f"/meetings/?plan={KITAKYUSHU}&when=held").content.decode()
    assert "開催日は未記録" not in _row_of(held, 2)


def test_the_json_says_each_meetings_phase_and_precision(client, seeded, time_machine):
    _on(time_machine, date(2025, 7, 5))
    meetings = client.get(f"/open-data/meetings.json?plan={KITAKYUSHU}").json()["meetings"]
    by_number = {m["number"]: m for m in meetings}
    assert by_number[1]["phase"] == "held" and by_number[1]["date"]["precision"] == "day"
    assert by_number[2]["phase"] == "in_period" and by_number[2]["date"]["precision"] == "part"
    assert by_number[3]["phase"] == "upcoming" and not by_number[3]["held"]


def test_the_initiative_page_lists_its_meetings_with_their_phase(
    client, seeded, world, time_machine
):
    _on(time_machine, date(2025, 6, 1))
    meeting = _second_meeting()
    initiative = meeting.plan.initiatives.order_by("pk").first()
    services.link_initiative(
        user=world.users["admin"], meeting_id=meeting.pk, initiative_id=initiative.pk
    )
    page = client.get(initiative.get_absolute_url()).content.decode()
    block = page.split("関連する会議", 1)[1]
    assert "第2回X会議（7月上旬・予定）：開催予定" in block
    _on(time_machine, date(2025, 7, 20))
    page = client.get(initiative.get_absolute_url()).content.decode()
    assert "第2回X会議（7月上旬・開催日は未記録）：開催済" in page


def test_the_every_plan_list_links_each_plans_meetings_schedule_and_feed_even_with_none_to_come(
    client, seeded, time_machine
):
    _on(time_machine, date(2026, 11, 26))
    page = client.get("/meetings/").content.decode()
    assert "これからの会議は登録されていません。" in page
    assert f'href="/meetings/{KITAKYUSHU}/schedule/"' in page
    assert f'href="/meetings/{KITAKYUSHU}/calendar.ics"' in page
    assert "osaka" not in page.split("計画ごとのX会議", 1)[1].split("</ul>", 1)[0]  # no meetings
