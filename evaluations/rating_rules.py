"""Each plan's rating rule: how its items become the headline a city publishes, in words and as
a formula a citizen can recompute from the listed items.

The counts always come from ``evaluations.rates.summarize`` (one path for every figure); a rule
only decides what headline those counts give and how to explain it. ``Plan.rating_rule`` names
the rule (initiatives.models.RatingRule); a plan that publishes no plan-wide figure
(Kitakyushu's 市政変革) gets none from us either, rather than a 「—」 that looks like a missing
number.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from evaluations.models import PublishedIndicatorValue
from evaluations.published import publication_fingerprint
from evaluations.rates import EMPTY, BandSummary, Summary, summarize_indicators_by
from initiatives.models import RatingRule
from reformtracker import memos

# Digits shown of the exact quotient before it is rounded, so the rounding can be checked.
_SHOWN_DIGITS = 3


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    words: str
    has_headline: bool


RULES: dict[str, Rule] = {
    RatingRule.ACHIEVED_OVER_EVALUATED: Rule(
        code=RatingRule.ACHIEVED_OVER_EVALUATED,
        name=_("達成率（達成 ÷ 評価対象）"),
        words=_(
            "達成率は、評価の対象とした取組項目（達成と未達成）のうち「達成」となった項目の割合"
            "です。「評価対象外」の項目は分母にも分子にも入れません。百分率を小数第2位で四捨五入"
            "し、四捨五入で値が変わったときは「約」を付けます。評価した項目がないときは「—」です。"
        ),
        has_headline=True,
    ),
    RatingRule.INDICATOR_BANDS: Rule(
        code=RatingRule.INDICATOR_BANDS,
        name=_("指標の進捗による段階評価"),
        words=_(
            "取組項目ごとに、指標の進捗率＝（実績値－基準値）÷（目標値－基準値）を求め、0%から"
            "100%の範囲に収めます（「減らす」指標も同じ式で、基準値から目標値へ近づいた割合に"
            "なります。「維持」は実績値が目標値以上なら100%、未満なら0%）。指標が複数ある項目は"
            "その平均です。この進捗率で、計画が定めた段階に振り分け、段階ごとの項目数を示します。"
        ),
        has_headline=True,
    ),
    RatingRule.NO_HEADLINE: Rule(
        code=RatingRule.NO_HEADLINE,
        name=_("全体の数値なし"),
        words=_(
            "この計画の公表資料は、計画全体の達成率のような数値を示していません。本サイトも、"
            "公表されていない全体の数値を算出しません。取組の状況は柱ごとの説明と会議資料で"
            "示されています。"
        ),
        has_headline=False,
    ),
}


# (publication id, the plan's bands) → BandSummary, for the current publications only.
_bands_memo: dict = memos.store()


def bands_for(pairs) -> dict:
    """{publication id: BandSummary} for the (publication, its plan) pairs whose plan is under
    the indicator rule (one query, none when there is no such plan), each with its plan's
    bands. With ``PUBLIC_DATA_MEMO`` each process keeps them for the current publications:
    a publication's indicator rows never change, and its plan's bands are in the key."""
    bands = {
        publication.pk: plan.indicator_bands
        for publication, plan in pairs
        if publication is not None and plan.rating_rule == RatingRule.INDICATOR_BANDS
    }
    if not bands:
        return {}
    memo = settings.PUBLIC_DATA_MEMO
    fingerprint = publication_fingerprint() if memo else ""
    if memo and _bands_memo.get("fingerprint") != fingerprint:
        _bands_memo.clear()
        _bands_memo["fingerprint"] = fingerprint

    def key(pk):
        return (pk, tuple(tuple(band) for band in bands[pk]))

    result = {pk: _bands_memo[key(pk)] for pk in bands if memo and key(pk) in _bands_memo}
    missing = [pk for pk in bands if pk not in result]
    if missing:
        rows = PublishedIndicatorValue.objects.filter(publication_id__in=missing)
        found = summarize_indicators_by(rows, "publication_id", bands.__getitem__)
        for pk in missing:
            result[pk] = found.get(pk, BandSummary((), 0))
            if memo:
                _bands_memo[key(pk)] = result[pk]
    return result


def rule_of(plan) -> Rule:
    return RULES[plan.rating_rule]


@dataclass(frozen=True)
class Headline:
    """A plan's headline under its rule: what is shown, and the formula that gives it."""

    rule: Rule
    summary: Summary
    display: str | None  # None: the rule gives no headline
    formula: str | None

    @property
    def exists(self) -> bool:
        return self.display is not None


def _exact_percent(numerator: int, denominator: int) -> str:
    """``numerator/denominator`` as a percent with a few digits, and 「…」 when it goes on:
    19/23 → 82.608…, 1/2 → 50."""
    value = Fraction(numerator * 100, denominator)
    whole, rest = divmod(value.numerator, value.denominator)
    digits = []
    for _n in range(_SHOWN_DIGITS):
        if rest == 0:
            break
        rest *= 10
        digit, rest = divmod(rest, value.denominator)
        digits.append(str(digit))
    text = str(whole) + ("." + "".join(digits) if digits else "")
    return text + ("…" if rest else "")


def _bands_text(plan, language: str) -> str:
    english = language.startswith("en")
    parts = []
    bands = plan.indicator_bands
    for n, (label, low) in enumerate(bands):
        if n == len(bands) - 1:
            parts.append(f"{label}: below {bands[n - 1][1]}%" if english else f"{label}：それ未満")
        else:
            parts.append(f"{label}: ≥ {low}%" if english else f"{label}：{low}%以上")
    return ", ".join(parts) if english else "、".join(parts)


def headline(
    plan, summary: Summary = EMPTY, language: str = "ja", bands: BandSummary | None = None
) -> Headline:
    """The plan's headline from ``summary`` (its latest 時点's counts, from ``summarize``), or,
    under the indicator rule, from ``bands`` (``rates.summarize_indicators_by``)."""
    rule = rule_of(plan)
    if not rule.has_headline:
        return Headline(rule, summary, None, None)
    if rule.code == RatingRule.INDICATOR_BANDS:
        bands = bands or BandSummary((), 0)
        display = bands.display(language)
        if language.startswith("en"):
            formula = f"{bands.items} items with indicators; bands {_bands_text(plan, language)} → {display}"
        else:
            formula = f"指標のある{bands.items}項目を段階（{_bands_text(plan, language)}）に振り分け → {display}"
        return Headline(rule, summary, display, formula)
    display = summary.rate_display(language)
    english = language.startswith("en")
    if summary.evaluated == 0:
        formula = (
            "No item was evaluated: no rate (—)."
            if english
            else "評価した項目がないため、達成率はありません（—）。"
        )
        return Headline(rule, summary, display, formula)
    exact = _exact_percent(summary.achieved, summary.evaluated)
    if english:
        formula = (
            f"{summary.achieved} achieved ÷ {summary.evaluated} evaluated "
            f"({summary.achieved} achieved + {summary.not_achieved} not achieved; "
            f"{summary.excluded} not evaluated left out) = {exact}% → {display}"
        )
    else:
        formula = (
            f"達成{summary.achieved}項目 ÷ 評価対象{summary.evaluated}項目"
            f"（達成{summary.achieved}＋未達成{summary.not_achieved}。"
            f"評価対象外{summary.excluded}項目は除く）＝ {exact}% → {display}"
        )
    return Headline(rule, summary, display, formula)


__all__ = ["RULES", "Headline", "Rule", "bands_for", "headline", "rule_of"]
