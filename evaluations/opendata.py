"""Open data: the rows of the results files (CSV and JSON of one plan's fiscal year), their
columns, attribution and licence headers, and the /open-data/ index.

The results files read only the published snapshot of a plan's fiscal year
(``published.publication_for``) and take every figure from evaluations.rates; their columns are
listed in RESULT_COLUMNS, documented on /open-data/, and only ever added to at the end.
The licence itself and the JSON response carrying it are reformtracker.public_pages's.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from evaluations import provenance, published
from evaluations.choices import Result
from evaluations.models import PublishedResult
from initiatives.models import Plan
from reformtracker.public_pages import LICENCE

ATTRIBUTION = "出典：{municipality}「{plan}」進捗状況（reformtracker オープンデータ、CC BY 4.0）"

# (column, description) — the order and names are the files' contract.
RESULT_COLUMNS = (
    ("plan_slug", "計画の識別子"),
    ("fiscal_year", "年度（西暦の開始年。2024 = 令和6年度）"),
    ("as_of", "時点（ISO 8601 の日付）"),
    ("published_at", "公表日時（ISO 8601、日本時間）"),
    ("pillar_order", "取組方針の番号"),
    ("pillar_name", "取組方針の名称（公表時）"),
    ("code", "取組番号"),
    ("title", "取組項目（公表時）"),
    ("department", "所管（公表時）"),
    ("target", "目標"),
    ("result", "評価結果の値（achieved / not_achieved / excluded）"),
    ("result_label", "評価結果（達成・未達成・評価対象外）"),
    ("evaluated", "評価対象か（true / false。評価対象外は false）"),
    ("reason", "評価対象外の理由・備考"),
    ("narrative", "進捗状況"),
    (
        "provenance",
        "出典の種別（published = 自治体の公表資料どおり / ours = 公表資料をもとに当サイトが整理 /"
        " illustrative = 公表資料にない例示。例示の行の評価結果・名称・所管は事実として引用しないでください）",
    ),
)


def with_licence_headers(response):
    """The licence as a ``Link`` header, and the file open to scripts on other sites."""
    response["Link"] = f'<{LICENCE["url"]}>; rel="license"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


def plan_years(plans=None) -> list[dict]:
    """Each of ``plans`` (every plan when None) with the fiscal years it has published results
    for (the /open-data/ index shows a page of plans at a time)."""
    plans = list(Plan.objects.select_related("municipality") if plans is None else plans)
    years: dict[int, list[int]] = {p.pk: [] for p in plans}
    for publication in published.current_publications(p.pk for p in plans):
        fy = publication.round.fiscal_year
        if fy not in years[publication.round.plan_id]:
            years[publication.round.plan_id].append(fy)
    return [{"plan": p, "fiscal_years": sorted(years[p.pk])} for p in plans]


def results(slug: str, fiscal_year: int):
    """(plan, publication, its pillars by id, one row per initiative in RESULT_COLUMNS);
    404 when the year has no published results."""
    plan = get_object_or_404(Plan.objects.select_related("municipality"), slug=slug)
    publication = published.publication_for(plan, fiscal_year)
    if publication is None:
        raise Http404("この年度の評価結果は公表されていません。")
    pillars = published.published_pillars(publication)
    labels = {r.value: str(r.label) for r in Result}
    published_at = timezone.localtime(publication.published_at).isoformat()
    rows = [
        {
            "plan_slug": plan.slug,
            "fiscal_year": fiscal_year,
            "as_of": publication.round.as_of.isoformat(),
            "published_at": published_at,
            "pillar_order": pillars[r.pillar_id].order,
            "pillar_name": pillars[r.pillar_id].name,
            "code": r.code,
            "title": r.title,
            "department": r.department_name,
            "target": r.target,
            "result": r.result,
            "result_label": labels[r.result],
            "evaluated": Result(r.result).counts_as_evaluated,
            "reason": r.reason,
            "narrative": r.narrative,
            "provenance": provenance.row_value(r),
        }
        for r in PublishedResult.objects.filter(publication=publication).order_by(
            "pillar_id", "order", "code"
        )
    ]
    rows.sort(key=lambda row: row["pillar_order"])  # stable: keeps order within a pillar
    return plan, publication, pillars, rows
