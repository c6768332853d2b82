"""Language-aware labels for the public pages: names, 時点, periods, approximate dates, switcher.

Japanese stays the source: each filter returns the Japanese form unless English is active and an
English form exists. Dates follow reformtracker.templatetags.wareki (和暦 in Japanese, Western in
English).
"""

from __future__ import annotations

import calendar
import re
from functools import lru_cache

from django import template
from django.urls import get_script_prefix, translate_url
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from evaluations import published
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


def _japanese_on_english_page(value) -> bool:
    return _english() and value is not None and bool(JAPANESE.search(str(value)))


@register.filter
def ja(value):
    """``{{ initiative.title|ja }}``: on an English page, Japanese text in ``<span lang="ja">``
    (always escaped, unless it is already safe markup such as ``|linebreaksbr``'s), so a screen
    reader reads it in Japanese.

    Anything else (every value on a Japanese page, English text such as a ``*_en`` field) is
    returned as it came, to be escaped as usual. For a block (narratives with ``white-space:
    pre-line``, ``<option>``), put :func:`ja_attr` on the element instead.
    """
    if not _japanese_on_english_page(value):
        return value
    return mark_safe(f'<span lang="ja">{conditional_escape(value)}</span>')


@register.simple_tag
def ja_attr(*values):
    """`` lang="ja"`` (leading space included) for an element that shows ``values``, when the
    page is English and any of them is Japanese; otherwise nothing. For content a span cannot
    wrap: a narrative block, an ``<option>``, SVG ``<text>``:
    ``<p class="narrative"{% ja_attr snapshot.done %}>{{ snapshot.done }}</p>``."""
    if any(_japanese_on_english_page(value) for value in values):
        return mark_safe(' lang="ja"')
    return ""


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


_MONTH_LABEL = re.compile(r"\d{1,2}月(以降)?")


@register.filter
def month_span(label: str):
    """A schedule activity's months, 「5月〜6月」 / 「12月以降」 → "May–June" / "December onwards"
    in English; anything else is returned as it came."""
    parts = str(label).split("〜")
    if not _english() or not all(_MONTH_LABEL.fullmatch(part) for part in parts):
        return label
    return "–".join(month_column(part) for part in parts)


@register.filter
def fy_or_label(value):
    return calendar_ja.fy_label_en(value) if _english() else calendar_ja.fy_label_ja(value)


@lru_cache(maxsize=4096)
def _translated(prefix: str, path: str, code: str) -> str:
    # A pure function of the path, the script prefix and the URLconf (resolve, then reverse in
    # the other language), which dominated the page chrome's cost; the LRU bounds the paths.
    return translate_url(path, code)


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
            "url": _translated(get_script_prefix(), path, code),
            "current": current.startswith(code),
        }
        for code, name in (("ja", "日本語"), ("en", "English"))
    ]


# --- one plan's dashboard, rendered once per publication ------------------------------------

_DASHBOARD = "evaluations/_dashboard.html"
_MAX_FRAGMENTS = 512
_fragments: dict = {"fingerprint": None, "items": {}}


def clear_fragments() -> None:
    _fragments.update(fingerprint=None, items={})


def _fragment_key(board: dict, testid: str) -> tuple:
    """Everything _dashboard.html shows. The publication's figures, excluded items and 時点 are
    fixed by its id; the chart bars carry the live labels and links (pillar names in English,
    the plan's slug), so an edit of those gives a new key rather than a stale fragment."""
    publication = board["publication"]
    chart, trend = board["chart"], board["trend_chart"]
    return (
        get_language() or "ja",
        testid,
        board["plan"].slug,
        publication.pk if publication else None,
        tuple(chart.bars) if chart else None,
        tuple(trend.bars) if trend else None,
        tuple(row.pk for row in board["excluded"]),
    )


@register.simple_tag(takes_context=True)
def dashboard(context, board, testid="headline-rate"):
    """Renders _dashboard.html for ``board`` from nothing but the board and the language.

    With ``PUBLIC_DATA_MEMO`` on, the markup (headline, 1–5 table, SVG charts and their tables)
    is kept per publication fingerprint: it is a function of immutable published rows and of
    the live labels in its key, so it never goes stale. The page around it is rendered for
    every request.
    """
    template_ = context.template.engine.get_template(_DASHBOARD)

    def render():
        values = {"board": board, "testid": testid, "LANGUAGE_CODE": get_language() or "ja"}
        return template_.render(context.new(values))

    fingerprint = board.get("fingerprint")
    if not (fingerprint and published.memo_enabled()):
        return render()
    if _fragments["fingerprint"] != fingerprint or len(_fragments["items"]) > _MAX_FRAGMENTS:
        _fragments.update(fingerprint=fingerprint, items={})
    key = _fragment_key(board, testid)
    markup = _fragments["items"].get(key)
    if markup is None:
        markup = _fragments["items"][key] = render()
    return markup
