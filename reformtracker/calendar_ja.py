"""年度 (fiscal years), 和暦 (Japanese eras) and approximate dates (上旬・中旬・下旬), in one place.

A fiscal year is an int naming the calendar year it starts in: 2024 = 令和6年度 =
2024-04-01 … 2025-03-31. Every page, report, workbook and import uses these functions; none
does its own era or fiscal-year arithmetic.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

# (era name, romaji initial, first day). Newest first so the first match wins.
ERAS: tuple[tuple[str, str, date], ...] = (
    ("令和", "R", date(2019, 5, 1)),
    ("平成", "H", date(1989, 1, 8)),
    ("昭和", "S", date(1926, 12, 25)),
)
_ERA_BY_NAME = {name: first for name, _initial, first in ERAS}
_ERA_BY_INITIAL = {initial: name for name, initial, _first in ERAS}

FIRST_SUPPORTED_DATE = ERAS[-1][2]


class CalendarError(ValueError):
    """A date or label that cannot be read; its message is Japanese and shown to users."""


# --- fiscal years -------------------------------------------------------------------------------


def fiscal_year_of(day: date) -> int:
    """The fiscal year (年度) a day belongs to: April starts a new one."""
    return day.year if day.month >= 4 else day.year - 1


def bounds(fiscal_year: int) -> tuple[date, date]:
    """First and last day of a fiscal year, both inclusive."""
    return date(fiscal_year, 4, 1), date(fiscal_year + 1, 3, 31)


def fiscal_year_end(fiscal_year: int) -> date:
    """年度末: the day a 「令和N年度末時点」 figure is as of."""
    return date(fiscal_year + 1, 3, 31)


def fiscal_month_index(month: int) -> int:
    """Position of a calendar month inside a fiscal year: April → 1 … March → 12."""
    if not 1 <= month <= 12:
        raise CalendarError(f"月は1から12で指定してください（{month}）。")
    return (month - 4) % 12 + 1


def calendar_year_of_month(fiscal_year: int, month: int) -> int:
    """The calendar year a month of a fiscal year falls in (January–March: the next year)."""
    return fiscal_year if month >= 4 else fiscal_year + 1


# --- eras ---------------------------------------------------------------------------------------


def era_of(day: date) -> tuple[str, int]:
    """The era name and era year of a day: 2019-04-30 → (平成, 31), 2019-05-01 → (令和, 1)."""
    for name, _initial, first in ERAS:
        if day >= first:
            return name, day.year - first.year + 1
    raise CalendarError(f"{day.isoformat()} は対応していない元号の日付です。")


def _era_year_text(year: int) -> str:
    return "元" if year == 1 else str(year)


def format_date_ja(day: date) -> str:
    """和暦: 令和7年9月16日, 令和元年5月1日."""
    era, year = era_of(day)
    return f"{era}{_era_year_text(year)}年{day.month}月{day.day}日"


def format_month_ja(day: date) -> str:
    """和暦 to the month, for dates published only that precisely: 令和6年3月."""
    era, year = era_of(day)
    return f"{era}{_era_year_text(year)}年{day.month}月"


def format_datetime_ja(moment: datetime) -> str:
    """和暦 with the time of day, for timestamps (history, 最終更新, 公表): 令和7年11月26日 10:09.
    ``moment`` is already in the time zone it is to be read in."""
    return f"{format_date_ja(moment.date())} {moment:%H:%M}"


def format_date_western_ja(day: date) -> str:
    """西暦 written the Japanese way: 2025年9月16日."""
    return f"{day.year}年{day.month}月{day.day}日"


def fiscal_year_era(fiscal_year: int) -> tuple[str, int]:
    """The era a fiscal year is named in. FY2019 began in 平成31年 but is called 令和元年度,
    as cities do: a fiscal year takes the era in force at its end."""
    if fiscal_year >= 2019:
        return "令和", fiscal_year - 2018
    return era_of(date(fiscal_year, 4, 1))


def fy_label_ja(fiscal_year: int) -> str:
    """令和6年度 for 2024; 令和元年度 for 2019; 平成30年度 for 2018."""
    era, year = fiscal_year_era(fiscal_year)
    return f"{era}{_era_year_text(year)}年度"


def fy_end_label_ja(fiscal_year: int) -> str:
    """令和6年度末 for 2024."""
    return f"{fy_label_ja(fiscal_year)}末"


def fy_label_en(fiscal_year: int) -> str:
    return f"FY{fiscal_year}"


def reiwa_to_fiscal_year(reiwa_year: int) -> int:
    if reiwa_year < 1:
        raise CalendarError(f"令和{reiwa_year}年度は存在しません。")
    return reiwa_year + 2018


def fiscal_year_to_reiwa(fiscal_year: int) -> int:
    if fiscal_year < 2019:
        raise CalendarError(f"{fiscal_year}年度は令和より前です。")
    return fiscal_year - 2018


def normalize(text: str) -> str:
    """全角 digits, letters and spaces to their 半角 forms; trims. NFKC keeps 漢字 as they are."""
    return unicodedata.normalize("NFKC", text).strip()


_FY_LABEL = re.compile(r"^(令和|平成|昭和|R|H|S)\s*(元|\d{1,3})\s*年?度?$", re.IGNORECASE)


def parse_fiscal_year(text: str) -> int:
    """Reads 令和6年度, R6, R6年度, 令和元年度, 平成30年度, 2024, 2024年度 (全角 too)."""
    value = normalize(str(text))
    if re.fullmatch(r"\d{4}(年度)?", value):
        return int(value[:4])
    match = _FY_LABEL.match(value)
    if not match:
        raise CalendarError(f"「{text}」を年度として読めません。例：令和6年度、R6、2024")
    era = match.group(1).upper()
    era = _ERA_BY_INITIAL.get(era, era)
    year = 1 if match.group(2) == "元" else int(match.group(2))
    if year < 1:
        raise CalendarError(f"「{text}」を年度として読めません。")
    if era == "令和":
        return reiwa_to_fiscal_year(year)
    first = _ERA_BY_NAME[era]
    return first.year + year - 1


_WAREKI_DATE = re.compile(
    r"^(令和|平成|昭和|R|H|S)\s*(元|\d{1,3})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?$",
    re.IGNORECASE,
)
_WESTERN_DATE = re.compile(r"^(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?$")


def parse_date(text: str) -> date:
    """Reads the dates municipal spreadsheets hold: 令和6年3月31日, R6.3.31, 令和元年5月1日,
    2024/3/31, 2024-03-31, 2024年3月31日, in 全角 or 半角. Era years past the era's end are
    refused, as is 令和元年4月30日 (still 平成)."""
    value = normalize(str(text))
    match = _WAREKI_DATE.match(value)
    try:
        if match:
            era = match.group(1).upper()
            era = _ERA_BY_INITIAL.get(era, era)
            era_year = 1 if match.group(2) == "元" else int(match.group(2))
            first = _ERA_BY_NAME[era]
            day = date(first.year + era_year - 1, int(match.group(3)), int(match.group(4)))
            if era_year < 1 or era_of(day) != (era, era_year):
                raise CalendarError(f"「{text}」は{era}の期間外の日付です。")
            return day
        match = _WESTERN_DATE.match(value)
        if match:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError as exc:
        if isinstance(exc, CalendarError):
            raise
        raise CalendarError(f"「{text}」は存在しない日付です。") from None
    raise CalendarError(f"「{text}」を日付として読めません。例：令和6年3月31日、R6.3.31、2024/3/31")


# --- approximate dates --------------------------------------------------------------------------


class Part(StrEnum):
    """Thirds of a month as Japanese schedules write them."""

    EARLY = "early"
    MIDDLE = "middle"
    LATE = "late"

    @classmethod
    def _missing_(cls, value):
        # Part("末旬") would otherwise fail with an English ValueError shown to users.
        raise CalendarError(
            f"「{value}」は旬として読めません。上旬・中旬・下旬のいずれかを指定してください。"
        )

    @property
    def label_ja(self) -> str:
        return {"early": "上旬", "middle": "中旬", "late": "下旬"}[self.value]

    @property
    def label_en(self) -> str:
        return {"early": "early", "middle": "mid", "late": "late"}[self.value]

    def day_range(self, year: int, month: int) -> tuple[int, int]:
        last = calendar.monthrange(year, month)[1]
        return {"early": (1, 10), "middle": (11, 20), "late": (21, last)}[self.value]


_PART_BY_LABEL = {"上旬": Part.EARLY, "中旬": Part.MIDDLE, "下旬": Part.LATE}


class Precision(StrEnum):
    """How precisely a schedule gives a date: a day, a third of a month, a month, a 年度."""

    DAY = "day"
    PART = "part"
    MONTH = "month"
    FISCAL_YEAR = "fiscal_year"


class Phase(StrEnum):
    """Where a day stands against a date's period: before its first day, within it, after its
    last day. 「7月上旬」 is BEFORE until 6月30日, WITHIN from 7月1日 to 7月10日, AFTER from 7月11日."""

    BEFORE = "before"
    WITHIN = "within"
    AFTER = "after"


# What may be typed for a date known only to its 年度 (the year comes from the 年度 given).
_FISCAL_YEAR_ONLY = ("年度中", "年度内", "年度")


@dataclass(frozen=True, order=False)
class ApproxDate:
    """A date as a schedule gives it, and the period of days it covers:

    - a day: 「5月23日」 (that day);
    - a third of a month: 「7月上旬」 (1–10), 「7月中旬」 (11–20), 「7月下旬」 (21–the month's end);
    - a month: 「7月」 (the whole month);
    - a 年度 only: 「令和7年度中」 (April 1 – March 31); then ``month`` is None and ``year`` is
      the fiscal year.

    Sorts by the period it covers. Every period boundary of the project is computed here."""

    year: int
    month: int | None
    day: int | None = None
    part: Part | None = None

    def __post_init__(self):
        if self.day is not None and self.part is not None:
            raise CalendarError(
                "日付は「日」か「上旬・中旬・下旬」のどちらか一方で指定してください。"
            )
        if self.month is None:
            if self.day is not None or self.part is not None:
                raise CalendarError("日または旬を指定するときは月も指定してください。")
            return
        if not 1 <= self.month <= 12:
            raise CalendarError(f"月は1から12で指定してください（{self.month}）。")
        if self.day is not None:
            try:
                date(self.year, self.month, self.day)
            except ValueError:
                raise CalendarError(
                    f"{self.year}年{self.month}月{self.day}日は存在しない日付です。"
                ) from None
        if self.part is not None and not isinstance(self.part, Part):
            object.__setattr__(self, "part", Part(self.part))

    @classmethod
    def fiscal_year_only(cls, fiscal_year: int) -> ApproxDate:
        """A date known only to its 年度: 「令和7年度中」."""
        return cls(fiscal_year, None)

    @property
    def precision(self) -> Precision:
        if self.month is None:
            return Precision.FISCAL_YEAR
        if self.day is not None:
            return Precision.DAY
        if self.part is not None:
            return Precision.PART
        return Precision.MONTH

    @property
    def fiscal_year(self) -> int:
        if self.month is None:
            return self.year
        return fiscal_year_of(self.earliest)

    @property
    def earliest(self) -> date:
        precision = self.precision
        if precision is Precision.FISCAL_YEAR:
            return bounds(self.year)[0]
        if precision is Precision.DAY:
            return date(self.year, self.month, self.day)
        if precision is Precision.PART:
            return date(self.year, self.month, self.part.day_range(self.year, self.month)[0])
        return date(self.year, self.month, 1)

    @property
    def latest(self) -> date:
        precision = self.precision
        if precision is Precision.FISCAL_YEAR:
            return bounds(self.year)[1]
        if precision is Precision.DAY:
            return date(self.year, self.month, self.day)
        if precision is Precision.PART:
            return date(self.year, self.month, self.part.day_range(self.year, self.month)[1])
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def is_exact(self) -> bool:
        return self.day is not None

    def sort_key(self) -> tuple[date, date]:
        return (self.earliest, self.latest)

    def __lt__(self, other: ApproxDate) -> bool:
        return self.sort_key() < other.sort_key()

    def contains(self, day: date) -> bool:
        return self.earliest <= day <= self.latest

    def phase(self, today: date) -> Phase:
        """Whether ``today`` is before the period, within it or after its last day."""
        if today < self.earliest:
            return Phase.BEFORE
        if today > self.latest:
            return Phase.AFTER
        return Phase.WITHIN

    def label_ja(self) -> str:
        """As the schedule writes it, without the year: 「7月上旬」, 「5月23日」, 「7月」; a 年度
        only needs its year: 「令和7年度中」."""
        precision = self.precision
        if precision is Precision.FISCAL_YEAR:
            return f"{fy_label_ja(self.year)}中"
        if precision is Precision.DAY:
            return f"{self.month}月{self.day}日"
        if precision is Precision.PART:
            return f"{self.month}月{self.part.label_ja}"
        return f"{self.month}月"

    def label_full_ja(self) -> str:
        """With the era year: 「令和7年7月上旬」, 「令和7年5月23日」, 「令和7年度中」."""
        if self.month is None:
            return self.label_ja()
        era, year = era_of(self.earliest)
        return f"{era}{_era_year_text(year)}年{self.label_ja()}"

    def label_en(self) -> str:
        if self.month is None:
            return f"during FY{self.year}"
        month = calendar.month_name[self.month]
        if self.day is not None:
            return f"{self.day} {month} {self.year}"
        if self.part is not None:
            return f"{self.part.label_en} {month} {self.year}"
        return f"{month} {self.year}"

    @classmethod
    def parse(cls, text: str, *, fiscal_year: int) -> ApproxDate:
        """Reads 「7月上旬」, 「5/23」, 「5月23日」, 「1月下旬」, 「7月」, 「年度中」 within a fiscal
        year (so 1月 is in the next calendar year). Anything else — 「7月末旬」 — is refused in
        Japanese."""
        value = normalize(str(text))
        if value in _FISCAL_YEAR_ONLY or value == f"{fy_label_ja(fiscal_year)}中":
            return cls.fiscal_year_only(fiscal_year)
        match = re.fullmatch(r"(\d{1,2})\s*月\s*(上旬|中旬|下旬)?", value)
        if match:
            month = int(match.group(1))
            if not 1 <= month <= 12:
                raise CalendarError(f"「{text}」の月が正しくありません。")
            part = _PART_BY_LABEL[match.group(2)] if match.group(2) else None
            return cls(calendar_year_of_month(fiscal_year, month), month, part=part)
        match = re.fullmatch(r"(\d{1,2})\s*(?:月|/)\s*(\d{1,2})\s*日?", value)
        if match:
            month = int(match.group(1))
            if not 1 <= month <= 12:
                raise CalendarError(f"「{text}」の月が正しくありません。")
            return cls(calendar_year_of_month(fiscal_year, month), month, day=int(match.group(2)))
        raise CalendarError(
            f"「{text}」を日付として読めません。「5月23日」「5/23」、「7月上旬」「8月中旬」「10月下旬」、「7月」または「年度中」の形で入力してください。"
        )
