"""Dates and fiscal years as the active language writes them: 和暦 in Japanese, Western in English.

Also the one test of "is English active" that every language-aware label uses. The template
filters of ``reformtracker.templatetags.wareki`` only register these functions.
"""

from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import get_language

from reformtracker import calendar_ja


def language() -> str:
    """The active language code, Japanese when none is active."""
    return get_language() or "ja"


def is_english() -> bool:
    return language().startswith("en")


def wareki(value) -> str:
    """令和7年9月16日 in Japanese, 16 September 2025 in English."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if is_english():
        return f"{value.day} {value:%B} {value.year}"
    return calendar_ja.format_date_ja(value)


def wareki_datetime(value) -> str:
    """A timestamp in the site's time zone: 令和7年11月26日 10:09 in Japanese, ISO in English
    (2025-11-26 10:09). A plain date is shown as ``wareki`` shows it."""
    if value in (None, ""):
        return ""
    if not isinstance(value, datetime):
        return wareki(value)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    if is_english():
        return f"{value:%Y-%m-%d %H:%M}"
    return calendar_ja.format_datetime_ja(value)


def wareki_or_iso(value) -> str:
    """A date or timestamp as a record's name or the admin gives it: 和暦 in Japanese
    (令和7年11月26日 10:09), ISO in English (2025-11-26 10:09, a date 2025-11-26)."""
    if value in (None, ""):
        return ""
    if not is_english():
        return wareki_datetime(value)
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return f"{value:%Y-%m-%d %H:%M}"
    return value.isoformat()


def seireki(value: date) -> str:
    """2025年9月16日 in Japanese."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    if is_english():
        return value.isoformat()
    return calendar_ja.format_date_western_ja(value)


def nendo(fiscal_year) -> str:
    """令和6年度 in Japanese, FY2024 in English."""
    if fiscal_year in (None, ""):
        return ""
    if is_english():
        return calendar_ja.fy_label_en(int(fiscal_year))
    return calendar_ja.fy_label_ja(int(fiscal_year))


def nendomatsu(fiscal_year) -> str:
    """令和6年度末 / end of FY2024."""
    if fiscal_year in (None, ""):
        return ""
    if is_english():
        return f"end of FY{int(fiscal_year)}"
    return calendar_ja.fy_end_label_ja(int(fiscal_year))


def wareki_month(value) -> str:
    """令和6年3月 (for dates published only to the month) / March 2024."""
    if value in (None, ""):
        return ""
    if is_english():
        return f"{value:%B} {value.year}"
    return calendar_ja.format_month_ja(value)


def rate(summary) -> str:
    """The one display rule of the achievement rate (約82.6% / 50.0% / —) in the active language."""
    return summary.rate_display(language())
