"""Template filters for Japanese dates and fiscal years; they follow the active language."""

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.translation import get_language

from reformtracker import calendar_ja

register = template.Library()


def _is_english() -> bool:
    return (get_language() or "ja").startswith("en")


@register.filter
def wareki(value):
    """令和7年9月16日 in Japanese, 16 September 2025 in English."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if _is_english():
        return f"{value.day} {value:%B} {value.year}"
    return calendar_ja.format_date_ja(value)


@register.filter
def seireki(value: date):
    """2025年9月16日 in Japanese."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    if _is_english():
        return value.isoformat()
    return calendar_ja.format_date_western_ja(value)


@register.filter
def nendo(fiscal_year):
    """令和6年度 in Japanese, FY2024 in English."""
    if fiscal_year in (None, ""):
        return ""
    if _is_english():
        return calendar_ja.fy_label_en(int(fiscal_year))
    return calendar_ja.fy_label_ja(int(fiscal_year))


@register.filter
def nendomatsu(fiscal_year):
    """令和6年度末 / end of FY2024."""
    if fiscal_year in (None, ""):
        return ""
    if _is_english():
        return f"end of FY{int(fiscal_year)}"
    return calendar_ja.fy_end_label_ja(int(fiscal_year))


@register.filter
def rate(summary):
    """The one display rule of the achievement rate (約82.6% / 50.0% / —)."""
    return summary.rate_display(get_language() or "ja")


@register.filter
def wareki_month(value):
    """令和6年3月 (for dates published only to the month) / March 2024."""
    if value in (None, ""):
        return ""
    if _is_english():
        return f"{value:%B} {value.year}"
    return calendar_ja.format_month_ja(value)
