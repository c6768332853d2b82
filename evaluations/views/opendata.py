"""Open data: machine-readable copies of the published figures (CC BY 4.0).

The results files read only the published snapshot of a plan's fiscal year (the newest
publication of its year-end round) and take every figure from evaluations.rates; their columns
are listed in RESULT_COLUMNS, documented on /open-data/, and only ever added to at the end.
"""

import csv

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from evaluations import published
from evaluations.choices import Result
from evaluations.models import PublishedResult
from evaluations.reports.pdf import publication_for
from initiatives.models import Plan

LICENCE = {
    "name": "CC BY 4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/deed.ja",
}


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
)


def index(request):
    plans = list(Plan.objects.select_related("municipality"))
    years: dict[int, list[int]] = {p.pk: [] for p in plans}
    for publication in published.current_publications(p.pk for p in plans):
        fy = publication.round.fiscal_year
        if fy not in years[publication.round.plan_id]:
            years[publication.round.plan_id].append(fy)
    rows = [{"plan": p, "fiscal_years": sorted(years[p.pk])} for p in plans]
    return render(
        request,
        "evaluations/open_data.html",
        {"plans": plans, "rows": rows, "licence": LICENCE, "columns": RESULT_COLUMNS},
    )


def _results(slug: str, fiscal_year: int):
    plan = get_object_or_404(Plan.objects.select_related("municipality"), slug=slug)
    publication = publication_for(plan, fiscal_year)
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
        }
        for r in PublishedResult.objects.filter(publication=publication).order_by(
            "pillar_id", "order", "code"
        )
    ]
    rows.sort(key=lambda row: row["pillar_order"])  # stable: keeps order within a pillar
    return plan, publication, pillars, rows


def _licence_headers(response, plan):
    response["Link"] = f'<{LICENCE["url"]}>; rel="license"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


def results_csv(request, slug, fiscal_year):
    """One row per initiative; UTF-8 with BOM so Excel opens it as Japanese text."""
    plan, _publication, _pillars, rows = _results(slug, fiscal_year)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{plan.slug}-{fiscal_year}-results.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, lineterminator="\r\n")
    writer.writerow([name for name, _ in RESULT_COLUMNS])
    for row in rows:
        writer.writerow(
            [
                ("true" if row[n] else "false") if n == "evaluated" else row[n]
                for n, _ in RESULT_COLUMNS
            ]
        )
    return _licence_headers(response, plan)


def results_json(request, slug, fiscal_year):
    plan, publication, pillars, rows = _results(slug, fiscal_year)
    summary = published.summary_of(publication)
    by_pillar = published.pillar_summaries(publication)
    payload = {
        "licence": LICENCE,
        "attribution": ATTRIBUTION.format(municipality=plan.municipality.name, plan=plan.title),
        "plan": {"slug": plan.slug, "title": plan.title, "municipality": plan.municipality.name},
        "fiscal_year": fiscal_year,
        "as_of": publication.round.as_of.isoformat(),
        "published_at": timezone.localtime(publication.published_at).isoformat(),
        "summary": summary.as_dict(),
        "pillars": [
            {
                "order": p.order,
                "name": p.name,
                "tracked": p.office_tracks_items,
                "summary": by_pillar[p.pillar_id].as_dict() if p.pillar_id in by_pillar else None,
            }
            for p in sorted(pillars.values(), key=lambda p: p.order)
        ],
        "columns": [{"name": n, "description": d} for n, d in RESULT_COLUMNS],
        "results": rows,
    }
    response = JsonResponse(payload, json_dumps_params={"ensure_ascii": False, "indent": 2})
    return _licence_headers(response, plan)


def plans_json(request):
    """Every plan with one summary per published 時点, oldest first."""
    plans = list(Plan.objects.select_related("municipality"))
    publications = published.current_publications(p.pk for p in plans)
    summaries = published.summaries_of(publications)
    by_plan: dict[int, list] = {p.pk: [] for p in plans}
    for publication in sorted(publications, key=lambda p: (p.round.as_of, p.published_at)):
        round_ = publication.round
        by_plan[round_.plan_id].append(
            {
                "fiscal_year": round_.fiscal_year,
                "as_of": round_.as_of.isoformat(),
                "round_kind": round_.kind,
                "published_at": timezone.localtime(publication.published_at).isoformat(),
                **summaries[publication.pk].as_dict(),
            }
        )
    payload = {
        "licence": LICENCE,
        "plans": [
            {
                "slug": plan.slug,
                "title": plan.title,
                "municipality": plan.municipality.name,
                "period": {
                    "start_fiscal_year": plan.start_fiscal_year,
                    "end_fiscal_year": plan.end_fiscal_year,
                },
                "url": request.build_absolute_uri(plan.get_absolute_url()),
                "summaries": by_plan[plan.pk],
            }
            for plan in plans
        ],
    }
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False, "indent": 2})
