"""年度・和暦・上旬/中旬/下旬: the round trips hold for every day, and the edges are the city's."""

import itertools
import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reformtracker.calendar_ja import (
    ApproxDate,
    CalendarError,
    Part,
    Phase,
    Precision,
    bounds,
    calendar_year_of_month,
    era_of,
    fiscal_month_index,
    fiscal_year_end,
    fiscal_year_of,
    format_date_ja,
    format_date_western_ja,
    fy_end_label_ja,
    fy_label_ja,
    parse_date,
    parse_fiscal_year,
)

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

days = st.dates(min_value=date(1927, 1, 1), max_value=date(2200, 12, 31))
fiscal_years = st.integers(min_value=1990, max_value=2200)
parts = st.sampled_from(list(Part))
months = st.integers(min_value=1, max_value=12)


def to_zenkaku(text: str) -> str:
    """半角 digits, letters and punctuation to their 全角 forms (what Excel users often type)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def approx_dates_in(fiscal_year: int):
    """Any exact day, third of a month, month, or the 年度 itself, inside the fiscal year."""
    first, last = bounds(fiscal_year)
    exact = st.dates(min_value=first, max_value=last).map(
        lambda d: ApproxDate(d.year, d.month, day=d.day)
    )
    vague = st.tuples(months, parts).map(
        lambda mp: ApproxDate(calendar_year_of_month(fiscal_year, mp[0]), mp[0], part=mp[1])
    )
    whole_month = months.map(lambda m: ApproxDate(calendar_year_of_month(fiscal_year, m), m))
    whole_year = st.just(ApproxDate.fiscal_year_only(fiscal_year))
    return st.one_of(exact, vague, whole_month, whole_year)


approx_dates = fiscal_years.flatmap(lambda fy: st.tuples(st.just(fy), approx_dates_in(fy)))


# --- fiscal years -------------------------------------------------------------------------------


@given(days)
def test_every_day_lies_within_the_bounds_of_its_fiscal_year(day):
    first, last = bounds(fiscal_year_of(day))
    assert first <= day <= last
    assert (first.month, first.day, last.month, last.day) == (4, 1, 3, 31)
    assert last.year == first.year + 1


@given(fiscal_years)
def test_fiscal_years_tile_the_calendar_without_gap_or_overlap(fiscal_year):
    _, last = bounds(fiscal_year)
    next_first, _ = bounds(fiscal_year + 1)
    assert next_first - last == timedelta(days=1)
    assert fiscal_year_end(fiscal_year) == last


@given(fiscal_years)
def test_a_fiscal_year_label_reads_back_as_the_same_year(fiscal_year):
    assert parse_fiscal_year(fy_label_ja(fiscal_year)) == fiscal_year


@given(fiscal_years)
def test_a_fiscal_year_label_in_zenkaku_reads_back_too(fiscal_year):
    assert parse_fiscal_year(to_zenkaku(fy_label_ja(fiscal_year))) == fiscal_year


@given(st.integers(min_value=1927, max_value=1989))
def test_showa_and_early_heisei_fiscal_year_labels_read_back(fiscal_year):
    assert parse_fiscal_year(fy_label_ja(fiscal_year)) == fiscal_year


def test_march_31_and_april_1_belong_to_different_fiscal_years():
    assert fiscal_year_of(date(2025, 3, 31)) == 2024
    assert fiscal_year_of(date(2025, 4, 1)) == 2025
    assert fy_label_ja(fiscal_year_of(date(2025, 3, 31))) == "令和6年度"
    assert fy_label_ja(fiscal_year_of(date(2025, 4, 1))) == "令和7年度"


def test_fiscal_year_2019_is_reiwa_gannendo_although_it_began_in_heisei():
    assert era_of(date(2019, 4, 1)) == ("平成", 31)
    assert fiscal_year_of(date(2019, 4, 1)) == 2019
    assert fy_label_ja(2019) == "令和元年度"
    assert fy_label_ja(2018) == "平成30年度"
    assert parse_fiscal_year("令和元年度") == 2019


def test_reiwa_6_nendo_is_fiscal_2024_and_its_end_is_march_31_2025():
    assert parse_fiscal_year("令和6年度") == 2024
    assert bounds(2024) == (date(2024, 4, 1), date(2025, 3, 31))
    assert fy_end_label_ja(2024) == "令和6年度末"
    assert fiscal_year_end(2024) == date(2025, 3, 31)


@pytest.mark.parametrize("text", ["R6", "R6年度", "ｒ６", "令和６年度", "2024", "２０２４年度"])
def test_the_short_and_zenkaku_forms_of_a_fiscal_year_are_read(text):
    assert parse_fiscal_year(text) == 2024


@given(months)
def test_fiscal_months_run_from_april_to_march(month):
    index = fiscal_month_index(month)
    assert 1 <= index <= 12
    assert (index == 1) == (month == 4)
    assert (index == 12) == (month == 3)
    assert calendar_year_of_month(2025, month) == (2025 if month >= 4 else 2026)


# --- eras and dates ------------------------------------------------------------------------------


@given(days)
def test_a_wareki_date_reads_back_as_the_same_day(day):
    assert parse_date(format_date_ja(day)) == day


@given(days)
def test_a_wareki_date_typed_in_zenkaku_reads_back(day):
    assert parse_date(to_zenkaku(format_date_ja(day))) == day


@given(days)
def test_the_short_romaji_form_reads_back(day):
    era, year = era_of(day)
    initial = {"令和": "R", "平成": "H", "昭和": "S"}[era]
    assert parse_date(f"{initial}{year}.{day.month}.{day.day}") == day


@given(
    days, st.sampled_from(["{y}/{m}/{d}", "{y}-{m:02d}-{d:02d}", "{y}年{m}月{d}日", "{y}.{m}.{d}"])
)
def test_western_formats_are_read(day, pattern):
    assert parse_date(pattern.format(y=day.year, m=day.month, d=day.day)) == day


@given(days)
def test_the_western_japanese_form_reads_back(day):
    assert parse_date(format_date_western_ja(day)) == day


def test_the_last_day_of_heisei_and_the_first_day_of_reiwa():
    assert format_date_ja(date(2019, 4, 30)) == "平成31年4月30日"
    assert format_date_ja(date(2019, 5, 1)) == "令和元年5月1日"
    assert parse_date("令和元年5月1日") == date(2019, 5, 1)
    assert parse_date("平成31年4月30日") == date(2019, 4, 30)


@pytest.mark.parametrize(
    "text",
    ["令和６年３月３１日", "Ｒ６．３．３１", "令和6年3月31日", "R6.3.31", "r6/3/31", "2024/3/31"],
)
def test_zenkaku_and_hankaku_forms_of_one_day_agree(text):
    assert parse_date(text) == date(2024, 3, 31)


@pytest.mark.parametrize(
    "text",
    [
        "令和元年4月30日",  # still 平成 on that day
        "平成31年5月1日",  # already 令和
        "昭和64年1月8日",  # already 平成
        "令和6年2月30日",  # no such day
        "令和6年13月1日",
        "2024/2/30",
        "そのうち",
        "",
    ],
)
def test_impossible_dates_are_refused_in_japanese(text):
    with pytest.raises(CalendarError) as excinfo:
        parse_date(text)
    assert JAPANESE.search(str(excinfo.value))


def test_reiwa_gannen_april_30_is_refused_because_reiwa_had_not_begun():
    with pytest.raises(CalendarError, match="令和の期間外"):
        parse_date("令和元年4月30日")


@pytest.mark.parametrize("text", ["令和0年度", "平成0年度", "R0", "来年度", "令和六年度"])
def test_impossible_fiscal_years_are_refused_in_japanese(text):
    with pytest.raises(CalendarError) as excinfo:
        parse_fiscal_year(text)
    assert JAPANESE.search(str(excinfo.value))
    assert text in str(excinfo.value)


# --- approximate dates ---------------------------------------------------------------------------


@given(approx_dates)
def test_an_approximate_date_reads_back_from_its_label_within_its_fiscal_year(fy_and_when):
    fiscal_year, when = fy_and_when
    assert ApproxDate.parse(when.label_ja(), fiscal_year=fiscal_year) == when


@given(approx_dates)
def test_an_approximate_date_label_in_zenkaku_reads_back(fy_and_when):
    fiscal_year, when = fy_and_when
    assert ApproxDate.parse(to_zenkaku(when.label_ja()), fiscal_year=fiscal_year) == when


@given(approx_dates)
def test_an_approximate_date_covers_a_nonempty_range_inside_its_fiscal_year(fy_and_when):
    fiscal_year, when = fy_and_when
    first, last = bounds(fiscal_year)
    assert first <= when.earliest <= when.latest <= last
    assert when.contains(when.earliest) and when.contains(when.latest)
    assert not when.contains(when.earliest - timedelta(days=1))
    assert not when.contains(when.latest + timedelta(days=1))
    assert when.is_exact == (when.earliest == when.latest)


@given(st.lists(approx_dates.map(lambda pair: pair[1]), min_size=2, max_size=12))
def test_sorting_approximate_dates_orders_them_by_their_earliest_day(whens):
    ordered = sorted(whens)
    earliest = [w.earliest for w in ordered]
    assert earliest == sorted(earliest)


@given(fiscal_years, months)
def test_the_thirds_of_a_month_cover_it_exactly_once(fiscal_year, month):
    year = calendar_year_of_month(fiscal_year, month)
    thirds = [ApproxDate(year, month, part=part) for part in (Part.EARLY, Part.MIDDLE, Part.LATE)]
    assert thirds[0].earliest == date(year, month, 1)
    for before, after in itertools.pairwise(thirds):
        assert after.earliest - before.latest == timedelta(days=1)
        assert before < after
    assert (thirds[-1].latest + timedelta(days=1)).day == 1


def test_late_february_ends_on_the_29th_in_a_leap_year_and_the_28th_otherwise():
    in_2024 = ApproxDate.parse("2月下旬", fiscal_year=2023)
    in_2025 = ApproxDate.parse("2月下旬", fiscal_year=2024)
    assert (in_2024.earliest, in_2024.latest) == (date(2024, 2, 21), date(2024, 2, 29))
    assert (in_2025.earliest, in_2025.latest) == (date(2025, 2, 21), date(2025, 2, 28))


def test_late_january_of_fiscal_2025_is_in_calendar_2026():
    when = ApproxDate.parse("1月下旬", fiscal_year=2025)
    assert (when.earliest, when.latest) == (date(2026, 1, 21), date(2026, 1, 31))
    assert fiscal_year_of(when.earliest) == 2025
    assert when.label_full_ja() == "令和8年1月下旬"


def test_the_thirds_are_days_1_to_10_11_to_20_and_21_to_the_end():
    assert ApproxDate.parse("7月上旬", fiscal_year=2025).sort_key() == (
        date(2025, 7, 1),
        date(2025, 7, 10),
    )
    assert ApproxDate.parse("7月中旬", fiscal_year=2025).sort_key() == (
        date(2025, 7, 11),
        date(2025, 7, 20),
    )
    assert ApproxDate.parse("7月下旬", fiscal_year=2025).sort_key() == (
        date(2025, 7, 21),
        date(2025, 7, 31),
    )


def test_an_exact_schedule_day_may_be_written_with_a_slash_or_in_kanji():
    assert ApproxDate.parse("5/23", fiscal_year=2025) == ApproxDate(2025, 5, day=23)
    assert ApproxDate.parse("5月23日", fiscal_year=2025) == ApproxDate(2025, 5, day=23)
    assert ApproxDate.parse("５月２３日", fiscal_year=2025) == ApproxDate(2025, 5, day=23)
    assert ApproxDate(2025, 5, day=23).label_full_ja() == "令和7年5月23日"


def test_an_exact_day_sorts_inside_the_third_that_contains_it():
    early_july = ApproxDate(2025, 7, part=Part.EARLY)
    assert ApproxDate(2025, 6, day=30) < early_july < ApproxDate(2025, 7, day=11)
    assert early_july.contains(date(2025, 7, 5))


@pytest.mark.parametrize(
    "text", ["7月末旬", "13月上旬", "0月上旬", "13月", "上旬", "13/1", "5/32", "2月30日", "来月"]
)
def test_unreadable_schedule_dates_are_refused_in_japanese(text):
    with pytest.raises(CalendarError) as excinfo:
        ApproxDate.parse(text, fiscal_year=2025)
    assert JAPANESE.search(str(excinfo.value))


def test_an_unknown_third_of_a_month_is_refused_in_japanese():
    with pytest.raises(CalendarError) as excinfo:
        Part("末旬")
    assert "末旬" in str(excinfo.value)
    assert "上旬・中旬・下旬" in str(excinfo.value)


def test_a_date_takes_a_day_or_a_third_but_not_both():
    with pytest.raises(CalendarError, match="どちらか一方"):
        ApproxDate(2025, 7, day=1, part=Part.EARLY)
    with pytest.raises(CalendarError, match="月も指定"):
        ApproxDate(2025, None, part=Part.EARLY)


# --- the periods of approximate dates, and where a day stands against them -----------------------

period_cases = [
    ("7月上旬", date(2025, 7, 1), date(2025, 7, 10)),
    ("7月中旬", date(2025, 7, 11), date(2025, 7, 20)),
    ("7月下旬", date(2025, 7, 21), date(2025, 7, 31)),
    ("2月下旬", date(2026, 2, 21), date(2026, 2, 28)),
    ("7月", date(2025, 7, 1), date(2025, 7, 31)),
    ("2月", date(2026, 2, 1), date(2026, 2, 28)),
    ("年度中", date(2025, 4, 1), date(2026, 3, 31)),
    ("令和7年度中", date(2025, 4, 1), date(2026, 3, 31)),
    ("5/23", date(2025, 5, 23), date(2025, 5, 23)),
]


@pytest.mark.parametrize(("text", "first", "last"), period_cases)
def test_each_kind_of_date_covers_the_days_the_city_means(text, first, last):
    when = ApproxDate.parse(text, fiscal_year=2025)
    assert (when.earliest, when.latest) == (first, last)
    assert when.phase(first - timedelta(days=1)) is Phase.BEFORE
    assert when.phase(first) is Phase.WITHIN
    assert when.phase(last) is Phase.WITHIN
    assert when.phase(last + timedelta(days=1)) is Phase.AFTER


def test_early_july_is_upcoming_in_june_in_its_period_until_the_10th_and_past_from_the_11th():
    early_july = ApproxDate.parse("7月上旬", fiscal_year=2025)
    assert early_july.phase(date(2025, 6, 30)) is Phase.BEFORE
    assert early_july.phase(date(2025, 7, 1)) is Phase.WITHIN
    assert early_july.phase(date(2025, 7, 10)) is Phase.WITHIN
    assert early_july.phase(date(2025, 7, 11)) is Phase.AFTER


def test_a_month_or_a_fiscal_year_only_is_labelled_as_written():
    assert ApproxDate.parse("７月", fiscal_year=2025).label_ja() == "7月"
    assert ApproxDate.parse("7月", fiscal_year=2025).label_full_ja() == "令和7年7月"
    assert ApproxDate.parse("7月", fiscal_year=2025).precision is Precision.MONTH
    whole = ApproxDate.parse("年度中", fiscal_year=2025)
    assert whole.precision is Precision.FISCAL_YEAR
    assert whole.label_ja() == whole.label_full_ja() == "令和7年度中"
    assert whole.label_en() == "during FY2025"
    assert ApproxDate.parse("1月", fiscal_year=2025).label_en() == "January 2026"


@given(approx_dates, days)
def test_a_day_is_in_exactly_one_phase_of_any_date_and_the_phases_follow_the_days(pair, day):
    _fiscal_year, when = pair
    phase = when.phase(day)
    assert phase is {True: Phase.WITHIN}.get(when.contains(day)) or phase is (
        Phase.BEFORE if day < when.earliest else Phase.AFTER
    )
    order = [Phase.BEFORE, Phase.WITHIN, Phase.AFTER]
    later = when.phase(day + timedelta(days=1))
    assert order.index(later) >= order.index(phase)


@given(approx_dates)
def test_a_date_lies_in_its_fiscal_year_and_its_precision_matches_its_span(pair):
    fiscal_year, when = pair
    assert when.fiscal_year == fiscal_year
    span = (when.latest - when.earliest).days + 1
    expected = {
        Precision.DAY: range(1, 2),
        Precision.PART: range(8, 12),
        Precision.MONTH: range(28, 32),
        Precision.FISCAL_YEAR: range(365, 367),
    }[when.precision]
    assert span in expected
