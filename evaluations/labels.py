"""Language-aware labels of the public side: names, 時点, periods, approximate dates, months.

Japanese stays the source: each function returns the Japanese form unless English is active and
an English form exists. Dates follow reformtracker.display (和暦 in Japanese, Western in
English). Pages, cards and the read API call these; the template tags only register them.
"""

from __future__ import annotations

import calendar
import re

from django.utils.translation import gettext

from evaluations.choices import Result, RoundKind
from reformtracker import calendar_ja
from reformtracker.display import is_english, wareki


def localised(obj, field: str) -> str:
    """``obj.<field>_en`` in English when it is filled in, else ``obj.<field>`` ("" for None)."""
    if obj is None:
        return ""
    if is_english():
        value = getattr(obj, f"{field}_en", "")
        if value:
            return value
    return getattr(obj, field, "")


def department_name(value) -> str:
    """The one way a table names a department (所管): its English name on English pages when the
    data has one, else its Japanese name. ``value`` is a Department, or a published row, which
    names the department as it was at publication (``department_name``) and, where the query
    joined it, the department's English name (``department_name_en``)."""
    if value is None:
        return ""
    published = getattr(value, "department_name", None)
    if published is None:
        return localised(value, "name")
    if is_english():
        english = getattr(value, "department_name_en", "")
        if english:
            return english
    return published


# --- language of parts (WCAG 2.0 SC 3.1.2, JIS X 8341-3 AA) ----------------------------------

# Letters only Japanese writes: kana (ー and the iteration marks included), CJK ideographs
# (extension A, compatibility, the supplementary planes), 々〆〇, full-width Latin letters and
# digits, half-width katakana. Punctuation such as 「」、（）・ is left out: templates put it
# around English text too, and alone it is not Japanese to read aloud.
JAPANESE = re.compile(
    "["
    "\u3005-\u3007"  # 々 〆 〇
    "\u3041-\u309f"  # hiragana, voicing marks, ゝゞゟ
    "\u30a1-\u30fa\u30fc-\u30ff"  # katakana and ー, without the middle dot ・
    "\u31f0-\u31ff"  # small katakana for Ainu
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs
    "\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"  # full-width digits and Latin letters
    "\uff66-\uff9f"  # half-width katakana
    "\U00020000-\U0003134f"  # CJK ideographs, supplementary planes
    "]"
)


def japanese_on_english_page(value) -> bool:
    """Whether ``value`` holds Japanese text while the page is English (it then wants
    ``lang="ja"`` so a screen reader reads it in Japanese)."""
    return is_english() and value is not None and bool(JAPANESE.search(str(value)))


# --- dates and periods ------------------------------------------------------------------------


def asof(round_) -> str:
    """「令和6年度末時点」 / "end of FY2024"; interim: 「令和7年8月31日時点」 / "31 August 2025"."""
    if round_ is None:
        return ""
    if not is_english():
        return round_.as_of_label_ja
    if round_.kind == RoundKind.YEAR_END:
        return f"end of FY{round_.fiscal_year}"
    return wareki(round_.as_of)


def narrative_point(narrative) -> str:
    """A narrative's 時点 (PillarNarrative): 「令和6年度末時点」 / 「令和7年度中間時点」;
    "end of FY2024" / "FY2025, interim" in English."""
    if not is_english():
        return narrative.point_label_ja
    if narrative.kind == RoundKind.INTERIM:
        return f"FY{narrative.fiscal_year}, interim"
    return f"end of FY{narrative.fiscal_year}"


def period(plan) -> str:
    """「令和6年度〜令和9年度」 / "FY2024–FY2027"."""
    if not is_english():
        return plan.period_label_ja
    end = f"FY{plan.end_fiscal_year}" if plan.end_fiscal_year else ""
    return f"FY{plan.start_fiscal_year}–{end}"


def approx(meeting) -> str:
    """A meeting's date as written: 「7月上旬」, 「5月23日」 / "early July 2025", "23 May 2025"."""
    return meeting.approx_date.label_en() if is_english() else meeting.date_label_ja


def month_column(label: str) -> str:
    """Schedule columns 「5月」 / 「12月以降」 → "May" / "December onwards" in English."""
    if not is_english():
        return label
    number = int(label.split("月", 1)[0])
    name = calendar.month_name[number]
    return f"{name} onwards" if label.endswith("以降") else name


_MONTH_LABEL = re.compile(r"\d{1,2}月(以降)?")


def month_span(label: str) -> str:
    """A schedule activity's months, 「5月〜6月」 / 「12月以降」 → "May–June" / "December onwards"
    in English; anything else is returned as it came."""
    parts = str(label).split("〜")
    if not is_english() or not all(_MONTH_LABEL.fullmatch(part) for part in parts):
        return label
    return "–".join(month_column(part) for part in parts)


def fy_or_label(value) -> str:
    return calendar_ja.fy_label_en(value) if is_english() else calendar_ja.fy_label_ja(value)


# --- results ------------------------------------------------------------------------------------


def result_class(value) -> str:
    """The CSS class of a result value (``Result.css_class``); ``result-none`` when not entered."""
    return Result(value).css_class if value in Result.values else "result-none"


def result_label(value) -> str:
    """The label of a result value (``Result.label``); 「未入力」 when not entered."""
    return str(Result(value).label) if value in Result.values else gettext("未入力")
