"""Comparing cities fairly: every plan's latest headline side by side, each with its own rule
named, its 時点 and the number of items it evaluated, grouped by rule.

Plans whose rules differ are never ranked against each other: a 達成率 over 23 items and a plan
that publishes no plan-wide figure are not two points on one scale. Within one rule a visitor may
sort by the headline (``sort=rate``); the sort never crosses a group's border. The figures come
from the published snapshots through ``summarize`` (evaluations.published), the headline from
the plan's rule (evaluations.rating_rules).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Paginator

from evaluations import published, rating_rules
from evaluations.boards import live_plans
from evaluations.labels import asof
from evaluations.rates import EMPTY, Summary
from initiatives.models import Plan
from reformtracker.display import language

PARAMS = ("sort", "page")
SORTS = ("", "rate")


@dataclass(frozen=True)
class Row:
    plan: Plan
    publication: object | None
    summary: Summary
    headline: rating_rules.Headline

    @property
    def as_of(self) -> str:
        return asof(self.publication.round) if self.publication else ""


def _rank_key(row: Row):
    # Higher rate first; plans without a rate (nothing evaluated) after those with one.
    rate = row.summary.rate
    return (rate is None, -(rate or 0), row.plan.order, row.plan.slug)


def comparison(sort: str = "", page=None) -> dict:
    """The page's groups: one per rule in the rules' order, each with its rows on this page."""
    sort = sort if sort in SORTS else ""
    plans = live_plans()
    state = published.published_state([p.pk for p in plans])
    lang = language()
    rows: list[Row] = []
    bands = rating_rules.bands_for((state.latest.get(plan.pk), plan) for plan in plans)
    for plan in plans:
        publication = state.latest.get(plan.pk)
        summary = state.summaries[publication.pk] if publication else EMPTY
        shown = rating_rules.headline(
            plan, summary, lang, bands.get(publication.pk) if publication else None
        )
        rows.append(Row(plan, publication, summary, shown))
    order = {code: n for n, code in enumerate(rating_rules.RULES)}
    if sort == "rate":
        rows.sort(key=lambda r: (order[r.plan.rating_rule], *_rank_key(r)))
    else:
        rows.sort(key=lambda r: order[r.plan.rating_rule])  # stable: the plans' own order
    paginator = Paginator(rows, settings.PUBLIC_HOME_PLANS_PER_PAGE)
    page_obj = paginator.get_page(page)
    groups = []
    for row in page_obj.object_list:
        if not groups or groups[-1]["rule"].code != row.plan.rating_rule:
            groups.append({"rule": row.headline.rule, "rows": []})
        groups[-1]["rows"].append(row)
    return {
        "groups": groups,
        "page_obj": page_obj,
        "sort": sort,
        "fingerprint": state.fingerprint,
        "rules_in_use": len({r.plan.rating_rule for r in rows}),
    }


def comparison_digest(data: dict) -> tuple:
    """What the page shows besides the publications: the plans (their rules and names) and
    their cities (reformtracker.page_memo)."""
    return (
        data["fingerprint"],
        [(r.plan, r.plan.municipality) for g in data["groups"] for r in g["rows"]],
    )


def as_json(data: dict, absolute) -> dict:
    """The page as JSON: the same groups, with each rule's words and each plan's formula."""
    page_obj = data["page_obj"]
    return {
        "ranked_across_rules": False,
        "sort": data["sort"] or "plan_order",
        "page": page_obj.number,
        "pages": page_obj.paginator.num_pages,
        "groups": [
            {
                "rule": group["rule"].code,
                "rule_name": str(group["rule"].name),
                "rule_words": str(group["rule"].words),
                "has_headline": group["rule"].has_headline,
                "plans": [
                    {
                        "plan": row.plan.slug,
                        "title": row.plan.title,
                        "municipality": row.plan.municipality.name,
                        "url": absolute(row.plan.get_absolute_url()),
                        "as_of": row.publication.round.as_of.isoformat()
                        if row.publication
                        else None,
                        "as_of_label": row.as_of or None,
                        "evaluated": row.summary.evaluated,
                        "achieved": row.summary.achieved,
                        "not_achieved": row.summary.not_achieved,
                        "excluded": row.summary.excluded,
                        "headline": row.headline.display,
                        "rate_percent": row.summary.rate_percent_str
                        if row.headline.exists
                        else None,
                        "approximate": row.summary.is_approximate if row.headline.exists else None,
                        "formula": row.headline.formula,
                    }
                    for row in group["rows"]
                ],
            }
            for group in data["groups"]
        ],
    }
