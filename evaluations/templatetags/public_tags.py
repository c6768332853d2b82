"""Language-aware labels for the public pages: names, 時点, periods, approximate dates, switcher.

Japanese stays the source: each filter returns the Japanese form unless English is active and an
English form exists. Dates follow reformtracker.templatetags.wareki (和暦 in Japanese, Western in
English).
"""

from __future__ import annotations

import calendar

from django import template
from django.urls import translate_url
from django.utils.translation import get_language

from evaluations.choices import RoundKind
from reformtracker import calendar_ja
from reformtracker.templatetags.wareki import wareki

register = template.Library()


def _english() -> bool:
    return (get_language() or "ja").startswith("en")


@register.filter
def loc(obj, field: str):
    """``plan|loc:"title"`` → ``plan.title_en`` in English when it is filled in."""
    if obj is None:
        return ""
    if _english():
        value = getattr(obj, f"{field}_en", "")
        if value:
            return value
    return getattr(obj, field, "")


@register.filter
def asof(round_):
    """「令和6年度末時点」 / "end of FY2024"; interim: 「令和7年8月31日時点」 / "31 August 2025"."""
    if round_ is None:
        return ""
    if not _english():
        return round_.as_of_label_ja
    if round_.kind == RoundKind.YEAR_END:
        return f"end of FY{round_.fiscal_year}"
    return wareki(round_.as_of)


@register.filter
def period(plan):
    """「令和6年度〜令和9年度」 / "FY2024–FY2027"."""
    if not _english():
        return plan.period_label_ja
    end = f"FY{plan.end_fiscal_year}" if plan.end_fiscal_year else ""
    return f"FY{plan.start_fiscal_year}–{end}"


@register.filter
def approx(meeting):
    """A meeting's date as written: 「7月上旬」, 「5月23日」 / "early July 2025", "23 May 2025"."""
    return meeting.approx_date.label_en() if _english() else meeting.date_label_ja


@register.filter
def month_column(label: str):
    """Schedule columns 「5月」 / 「12月以降」 → "May" / "December onwards" in English."""
    if not _english():
        return label
    number = int(label.split("月", 1)[0])
    name = calendar.month_name[number]
    return f"{name} onwards" if label.endswith("以降") else name


@register.filter
def fy_or_label(value):
    return calendar_ja.fy_label_en(value) if _english() else calendar_ja.fy_label_ja(value)


@register.simple_tag(takes_context=True)
def language_urls(context):
    """[(code, name, url, is_current)] for the switcher: the same page in each language."""
    request = context["request"]
    current = get_language() or "ja"
    path = request.get_full_path()
    return [
        {
            "code": code,
            "name": name,
            "url": translate_url(path, code),
            "current": current.startswith(code),
        }
        for code, name in (("ja", "日本語"), ("en", "English"))
    ]
