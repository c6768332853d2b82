"""The X会議 feed per plan is valid iCalendar (read back by the ``icalendar`` parser, strictly):
approximate dates are all-day events over their whole period with the city's wording, UIDs stay
the same when a meeting is redated, and the feed is kept and answered 304 like the meeting pages."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from evaluations.services import meetings as services
from tests.constants import KITAKYUSHU
from xmeetings.models import Meeting

URL = f"/meetings/{KITAKYUSHU}/calendar.ics"


def _events(client, url=URL) -> dict[str, object]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content
    assert body.endswith(b"\r\n") and b"\n" not in body.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    calendar = Calendar.from_ical(body)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


def _by_number(events, number):
    return next(e for summary, e in events.items() if f"第{number}回" in summary)


def test_each_meeting_is_an_all_day_event_over_the_days_its_date_covers(client, seeded):
    events = _events(client)
    assert len(events) == 6
    first, second, sixth = (_by_number(events, n) for n in (1, 2, 6))
    assert (first.decoded("DTSTART"), first.decoded("DTEND")) == (
        date(2025, 5, 23),
        date(2025, 5, 24),
    )
    assert (second.decoded("DTSTART"), second.decoded("DTEND")) == (
        date(2025, 7, 1),
        date(2025, 7, 11),
    )
    assert (sixth.decoded("DTSTART"), sixth.decoded("DTEND")) == (
        date(2026, 1, 21),
        date(2026, 2, 1),
    )
    description = str(second["DESCRIPTION"])
    assert "令和7年7月上旬" in description
    assert "旬（上旬は1〜10日" in description
    assert str(first["DESCRIPTION"]).startswith("開催日：令和7年5月23日")
    assert all(isinstance(e.decoded("DTSTAMP"), datetime) for e in events.values())


def test_an_approximate_meeting_to_come_is_tentative_and_does_not_block_the_calendar(
    client, seeded, time_machine
):
    time_machine.move_to(datetime(2025, 6, 1, 9, tzinfo=ZoneInfo("Asia/Tokyo")), tick=False)
    events = _events(client)
    second = _by_number(events, 2)
    assert (str(second["STATUS"]), str(second["TRANSP"])) == ("TENTATIVE", "TRANSPARENT")
    assert "（予定）" in str(second["DESCRIPTION"])
    assert str(_by_number(events, 1)["STATUS"]) == "CONFIRMED"


def test_a_meetings_uid_stays_when_it_is_redated_and_renumbered(client, seeded, world):
    before = {str(e["UID"]) for e in _events(client).values()}
    assert len(before) == 6
    meeting = Meeting.objects.get(plan__slug=KITAKYUSHU, number=6)
    services.edit_meeting(
        user=world.users["admin"],
        meeting_id=meeting.pk,
        date_text="1月27日",
        number=7,
        fiscal_year=2025,
        title="",
        summary="",
        status="scheduled",
    )
    events = _events(client)
    assert {str(e["UID"]) for e in events.values()} == before
    moved = _by_number(events, 7)
    assert moved.decoded("DTEND") - moved.decoded("DTSTART") == timedelta(days=1)


def test_a_month_or_a_year_only_spans_the_month_or_the_year(client, seeded, world):
    for number, text in ((7, "2月"), (8, "年度中")):
        services.create_meeting(
            user=world.users["admin"],
            plan_slug=KITAKYUSHU,
            fiscal_year=2025,
            number=number,
            date_text=text,
        )
    events = _events(client)
    month, year = _by_number(events, 7), _by_number(events, 8)
    assert (month.decoded("DTSTART"), month.decoded("DTEND")) == (
        date(2026, 2, 1),
        date(2026, 3, 1),
    )
    assert (year.decoded("DTSTART"), year.decoded("DTEND")) == (date(2025, 4, 1), date(2026, 4, 1))
    assert "年度までしか公表されていない" in str(year["DESCRIPTION"])


def test_text_with_commas_semicolons_and_long_japanese_lines_round_trips(client, seeded, world):
    meeting = Meeting.objects.get(plan__slug=KITAKYUSHU, number=3)
    services.add_topic(user=world.users["admin"], meeting_id=meeting.pk, name="公園;文化,スポーツ")
    services.edit_meeting(
        user=world.users["admin"],
        meeting_id=meeting.pk,
        date_text="8月下旬",
        number=3,
        fiscal_year=2025,
        title="公共施設マネジメントと政策連携団体のあり方についての議論（全庁横断的テーマ）",
        summary="一行目\n二行目",
        status="scheduled",
    )
    event = _by_number(_events(client), 3)
    assert "公共施設マネジメントと政策連携団体のあり方" in str(event["SUMMARY"])
    assert "議題：公園;文化,スポーツ" in str(event["DESCRIPTION"])
    assert "一行目\n二行目" in str(event["DESCRIPTION"])


def test_an_unknown_plan_has_no_feed(client, seeded):
    assert client.get("/meetings/nothing-here/calendar.ics").status_code == 404


@pytest.mark.parametrize("memo", [True, False])
def test_the_feed_gets_an_etag_and_a_304_and_changes_with_an_edit(
    client, seeded, settings, page_cache, world, memo
):
    settings.PUBLIC_DATA_MEMO = memo
    first = client.get(URL)
    assert client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    services.add_topic(
        user=world.users["admin"],
        meeting_id=Meeting.objects.get(plan__slug=KITAKYUSHU, number=4).pk,
        name="環境施設",
    )
    changed = client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
    unfolded = changed.content.decode().replace("\r\n ", "")
    assert changed.status_code == 200 and "環境施設" in unfolded
