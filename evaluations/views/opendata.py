"""Open data: machine-readable copies of the published figures (CC BY 4.0)."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from evaluations import published
from initiatives.models import Plan

LICENCE = {
    "name": "CC BY 4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/deed.ja",
}


def index(request):
    plans = Plan.objects.select_related("municipality")
    return render(request, "evaluations/open_data.html", {"plans": plans, "licence": LICENCE})


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
