"""Where each figure and text comes from, as every output says it.

The vocabulary is ``initiatives.models.Provenance`` (published by the city / our reading /
illustrative), stored once on the rows that carry a figure or a text: the plan (its period, its
item-level data, its schedule's spans, and its source: title, URL, date and the 時点 whose
totals the source published), the pillar's description, the initiative, and each published
result row (a snapshot of the initiative's, so a 時点 keeps the label it was published with).

This module turns those columns into what people read — a mark per item, a notice per plan, a
source line under the totals — and into the open-data field. Pages, the PDF, the workbook,
the CSV/JSON, the badge and the share card all call it, so they never word it differently.
It reads no database: everything comes from rows its callers already hold, so no page gains a
query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from initiatives.models import Plan, Provenance
from reformtracker.calendar_ja import format_date_ja
from reformtracker.display import is_english

# What each kind of mark means, shown beside the marks (the legend) and in the PDF.
EXPLANATIONS = {
    Provenance.PUBLISHED: gettext_lazy("自治体が公表した資料のとおりです。"),
    Provenance.OURS: gettext_lazy(
        "公表資料の記載をもとに当サイトが整理したもの（配置・範囲・表現など）で、"
        "資料そのものの記載ではありません。"
    ),
    Provenance.ILLUSTRATIVE: gettext_lazy(
        "公表資料にない内容を、使い方を示すために当サイトが補った例示です。"
        "事実として引用しないでください。"
    ),
}


@dataclass(frozen=True)
class Mark:
    """A label shown beside an item that is not the city's own publication."""

    value: str
    label: str
    explanation: str
    note: str = ""

    @property
    def css(self) -> str:
        return f"provenance provenance-{self.value}"


def label(value: str) -> str:
    return str(Provenance(value).label)


def explanation(value: str) -> str:
    return str(EXPLANATIONS[Provenance(value)])


def mark(value: str, note: str = "") -> Mark | None:
    """The mark for a row of this provenance; None for the city's own publication."""
    if not value or value == Provenance.PUBLISHED:
        return None
    return Mark(value, label(value), explanation(value), note)


def weakest(*values: str) -> str:
    """The provenance of something made of parts: its weakest part's."""
    order = [Provenance.PUBLISHED, Provenance.OURS, Provenance.ILLUSTRATIVE]
    return max((v or Provenance.PUBLISHED for v in values), key=order.index)


@dataclass(frozen=True)
class Source:
    """The document a plan's published figures come from."""

    title: str
    url: str
    published_on: date | None

    @property
    def published_on_label(self) -> str:
        if self.published_on is None:
            return ""
        if is_english():
            return self.published_on.isoformat()
        return format_date_ja(self.published_on)

    def line(self) -> str:
        """「出典：…（令和7年9月16日公表）」, for the PDF, the workbook and plain text."""
        if self.published_on:
            return _("出典：%(title)s（%(date)s公表）") % {
                "title": self.title,
                "date": self.published_on_label,
            }
        return _("出典：%(title)s") % {"title": self.title}


def city_name(municipality) -> str:
    """The municipality's name as its pages show it, in the active language."""
    if is_english():
        return municipality.display_name_en or municipality.name_en or municipality.shown_name
    return municipality.shown_name


def source_of(plan: Plan) -> Source | None:
    if not plan.source_title:
        return None
    return Source(plan.source_title, plan.source_url, plan.source_published_on)


def totals_published_by_city(plan: Plan, publication) -> bool:
    """Whether the 1–5 totals of ``publication`` are the figures the city's source published
    (for the seed: Osaka's 24 / 23 / 19 / 4 / 約82.6% of 令和6年度末時点)."""
    return bool(
        publication is not None
        and plan.source_as_of is not None
        and plan.source_title
        and publication.round.as_of == plan.source_as_of
    )


def totals_line(plan: Plan, publication) -> str:
    """Where the totals of ``publication`` come from, in one sentence."""
    if totals_published_by_city(plan, publication):
        return _(
            "この時点の合計（確認・評価対象・達成・未達成の項目数と達成率）は%(city)sが公表した数値です。%(source)s"
        ) % {
            "city": city_name(plan.municipality),
            "source": source_of(plan).line(),
        }
    return _(
        "この時点の数値は、%(office)sが当サイトで公表した取組項目ごとの評価結果を集計したものです。"
    ) % {
        "office": city_name(plan.municipality),
    }


def plan_notices(plan: Plan) -> list[Mark]:
    """What of the plan is not the city's publication, each with what it covers."""
    notices = []
    if plan.item_provenance == Provenance.ILLUSTRATIVE:
        notices.append(
            Mark(
                Provenance.ILLUSTRATIVE,
                label(Provenance.ILLUSTRATIVE),
                explanation(Provenance.ILLUSTRATIVE),
                _(
                    "取組項目ごとの評価結果（どの項目が達成・未達成か）、柱ごとの内訳と達成率、"
                    "取組項目の名称・番号・所管・目標は公表されていません。"
                    "このページの項目別のデータは、公表された合計に合うように置いた例示です。"
                ),
            )
        )
    elif plan.item_provenance == Provenance.OURS:
        notices.append(
            Mark(
                Provenance.OURS,
                label(Provenance.OURS),
                explanation(Provenance.OURS),
                _(
                    "取組項目の柱への配置・改革レベル・所管・番号は、公表資料から当サイトが"
                    "読み取ったものです。"
                ),
            )
        )
    if plan.period_provenance != Provenance.PUBLISHED:
        notices.append(
            Mark(
                plan.period_provenance,
                label(plan.period_provenance),
                explanation(plan.period_provenance),
                _("取組期間は公表資料に明記がなく、当サイトが読み取ったものです。"),
            )
        )
    if plan.schedule_provenance != Provenance.PUBLISHED:
        notices.append(
            Mark(
                plan.schedule_provenance,
                label(plan.schedule_provenance),
                explanation(plan.schedule_provenance),
                _(
                    "スケジュール表の各活動の月の範囲は、資料の矢印から当サイトが読み取ったものです。"
                ),
            )
        )
    return notices


def card_line(plan: Plan, publication) -> str:
    """One short line under a share card's or badge's figures: their source, or that they
    add up illustrative results."""
    if publication is None:
        return ""
    if totals_published_by_city(plan, publication):
        source = source_of(plan)
        if source.published_on:
            return _("出典：%(city)sの公表資料（%(date)s公表）") % {
                "city": city_name(plan.municipality),
                "date": source.published_on_label,
            }
        return _("出典：%(city)sの公表資料") % {"city": city_name(plan.municipality)}
    if plan.item_provenance == Provenance.ILLUSTRATIVE:
        return _("［例示］公表資料にない例示の結果を集計した数値です")
    return ""


def plan_json(plan: Plan) -> dict:
    """The plan's provenance for the read API (keys English, values as stored)."""
    return {
        "period": plan.period_provenance,
        "items": plan.item_provenance,
        "schedule": plan.schedule_provenance,
        "source": {
            "title": plan.source_title,
            "url": plan.source_url,
            "published_on": plan.source_published_on.isoformat()
            if plan.source_published_on
            else None,
            "totals_as_of": plan.source_as_of.isoformat() if plan.source_as_of else None,
        },
    }


def row_value(row) -> str:
    """The open-data value of a published result row's provenance."""
    return getattr(row, "provenance", "") or Provenance.PUBLISHED


def operator() -> str:
    """Who runs this site: the PDF's Author, the footer's 運営. Never a city that did not
    publish the document (settings.SITE_OPERATOR)."""
    return settings.SITE_OPERATOR
