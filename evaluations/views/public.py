"""Public pages: plans, pillars and initiatives with their published figures.

They live in evaluations (not initiatives) because they show published results, and the
arrows only point evaluations → initiatives. Each reads published snapshots only.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from evaluations import published
from evaluations.models import PublishedResult
from evaluations.rates import EMPTY
from initiatives.models import Initiative, Pillar, Plan, PlanNote


def home(request):
    plans = list(Plan.objects.select_related("municipality"))
    latest = published.latest_by_plan(p.pk for p in plans)
    summaries = published.summaries_of(latest.values())
    cards = [
        {
            "plan": plan,
            "publication": latest.get(plan.pk),
            "summary": summaries.get(getattr(latest.get(plan.pk), "pk", None), EMPTY),
        }
        for plan in plans
    ]
    return render(request, "evaluations/home.html", {"cards": cards})


def _pillar_rows(plan, publication):
    """The plan's pillars with their narrative and rate for the given 時点 (or live, if none)."""
    pillars = list(plan.pillars.select_related("managing_department"))
    frozen = published.published_pillars(publication) if publication else {}
    by_pillar = published.pillar_summaries(publication)
    rows = []
    for pillar in pillars:
        snap = frozen.get(pillar.pk)
        rows.append(
            {
                "pillar": pillar,
                "order": snap.order if snap else pillar.order,
                "name": snap.name if snap else pillar.name,
                "managed_through": snap.managed_through if snap else pillar.managed_through,
                "tracked": snap.office_tracks_items if snap else pillar.office_tracks_items,
                "done": snap.done if snap else "",
                "next_steps": snap.next_steps if snap else "",
                "summary": by_pillar.get(pillar.pk, EMPTY),
            }
        )
    return rows


def plan_detail(request, slug):
    plan = get_object_or_404(Plan.objects.select_related("municipality"), slug=slug)
    publication = published.latest_by_plan([plan.pk]).get(plan.pk)
    summary = published.summary_of(publication)
    excluded = (
        list(publication.results.filter(result="excluded").order_by("order")) if publication else []
    )
    notes = list(PlanNote.objects.filter(plan=plan).order_by("fiscal_year", "kind", "order"))
    return render(
        request,
        "evaluations/plan_detail.html",
        {
            "plan": plan,
            "publication": publication,
            "summary": summary,
            "excluded": excluded,
            "pillars": _pillar_rows(plan, publication),
            "notes": notes,
            "has_meetings": plan.meetings.exists(),
        },
    )


def pillar_detail(request, slug, order):
    pillar = get_object_or_404(
        Pillar.objects.select_related("plan__municipality", "managing_department"),
        plan__slug=slug,
        order=order,
    )
    plan = pillar.plan
    publication = published.latest_by_plan([plan.pk]).get(plan.pk)
    results = []
    snap = None
    if publication:
        results = list(
            PublishedResult.objects.filter(publication=publication, pillar=pillar).order_by(
                "order", "code"
            )
        )
        snap = publication.pillars.filter(pillar=pillar).first()
    initiatives = []
    if not results:
        initiatives = list(
            Initiative.objects.filter(pillar=pillar).select_related("department", "cluster")
        )
    narratives = list(pillar.narratives.order_by("fiscal_year")) if not snap else []
    return render(
        request,
        "evaluations/pillar_detail.html",
        {
            "plan": plan,
            "pillar": pillar,
            "publication": publication,
            "snapshot": snap,
            "summary": published.summary_of(publication, pillar=pillar),
            "results": results,
            "initiatives": initiatives,
            "narratives": narratives,
        },
    )


def initiative_detail(request, slug, code):
    initiative = get_object_or_404(
        Initiative.objects.select_related("plan__municipality", "pillar", "department", "cluster"),
        plan__slug=slug,
        code=code,
    )
    current = {p.pk: p for p in published.current_publications([initiative.plan_id])}
    results = list(
        PublishedResult.objects.filter(initiative=initiative, publication_id__in=current)
        .select_related("publication__round")
        .order_by("-publication__round__as_of")
    )
    meetings = list(initiative.meetings.order_by("earliest"))
    return render(
        request,
        "evaluations/initiative_detail.html",
        {
            "plan": initiative.plan,
            "initiative": initiative,
            "results": results,
            "meetings": meetings,
        },
    )


def not_found(request):
    raise Http404
