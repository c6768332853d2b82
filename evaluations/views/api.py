"""The read API: every public page's data as JSON under /open-data/ (CC BY 4.0).

Each endpoint serialises what the matching HTML page shows, from the same function of
evaluations.boards or evaluations.browse, so the figures are equal by construction. Rates are
given as the exact fraction's parts and as the display string of the one rule
(Summary.rate_display). Keys are English; text values are Japanese as published. /open-data/plans.json (views/opendata.py) keeps
its fields; it and home.json come a page of plans at a time (evaluations.directory).
"""

from __future__ import annotations

from functools import partial
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from evaluations import boards, directory, provenance, published
from evaluations.browse import PAGE_SIZE, PARAMS, browse, browse_digest
from evaluations.indicators import series_json
from reformtracker import page_memo
from reformtracker.public_pages import licensed_json, public_page


def _summary(summary) -> dict:
    return {
        **summary.as_dict(),
        "rate_display": summary.rate_display("ja"),
        "rate_display_en": summary.rate_display("en"),
    }


def _publication(publication) -> dict | None:
    if publication is None:
        return None
    round_ = publication.round
    return {
        "id": publication.pk,
        "fiscal_year": round_.fiscal_year,
        "round_kind": round_.kind,
        "as_of": round_.as_of.isoformat(),
        "as_of_label": round_.as_of_label_ja,
        "published_at": timezone.localtime(publication.published_at).isoformat(),
    }


def _plan(request, plan) -> dict:
    return {
        "slug": plan.slug,
        "title": plan.title,
        "title_en": plan.title_en,
        "municipality": plan.municipality.name,
        "period": {
            "start_fiscal_year": plan.start_fiscal_year,
            "end_fiscal_year": plan.end_fiscal_year,
        },
        "url": request.build_absolute_uri(plan.get_absolute_url()),
        "badge": request.build_absolute_uri(f"{plan.get_absolute_url()}badge.svg"),
        "provenance": provenance.plan_json(plan),
    }


def _board(request, board: dict) -> dict:
    return {
        "plan": _plan(request, board["plan"]),
        "publication": _publication(board["publication"]),
        "summary": _summary(board["summary"]),
        # As on the plan page: the first PUBLIC_PLAN_EXCLUDED_MAX, the count of all, and where
        # all are listed a page at a time (at 10,000 items they made plan.json 441 kB).
        "excluded": [
            {"code": r.code, "title": r.title, "reason": r.reason} for r in board["excluded_shown"]
        ],
        "excluded_count": len(board["excluded"]),
        "excluded_url": request.build_absolute_uri(
            f"{reverse('api_initiatives')}?{urlencode({'plan': board['plan'].slug, 'result': 'excluded'})}"
        )
        if board["publication"]
        else None,
        "pillars": [
            {
                "order": row["order"],
                "name": row["name"],
                "managed_through": row["managed_through"],
                "office_tracks_items": row["tracked"],
                "summary": _summary(row["summary"]) if row["tracked"] else None,
                "url": request.build_absolute_uri(row["pillar"].get_absolute_url()),
            }
            for row in board["pillars"]
        ],
        "trend": [
            {"publication": _publication(t["publication"]), "summary": _summary(t["summary"])}
            for t in board["trend"]
        ],
    }


@public_page(params=directory.PARAMS)
def home(request):
    """Each plan's dashboard, a page of plans at a time (PUBLIC_HOME_PLANS_PER_PAGE, in the home
    page's directory order; ``?prefecture=``, ``?q=``, ``?page=``): with 1,741 cities the whole
    list was one 47-second document."""
    filters = directory.read_filters(request.GET, per_page=settings.PUBLIC_HOME_PLANS_PER_PAGE)
    if filters.problems:
        return licensed_json({"errors": filters.problems}, status=400)
    page = directory.page_of(filters)
    plans = list(page.object_list)
    pillars = boards.pillars_of(plans)
    # Kept per process for the rows it shows (reformtracker.page_memo), like the pages.
    rows = partial(_home_digest, page, plans, pillars)
    make = partial(_home_json, request, page, plans, pillars)
    return page_memo.respond(request, "home.json", rows, make)


def _home_digest(page, plans, pillars) -> str:
    return page_memo.digest(
        published.publication_fingerprint(),
        page.paginator.count,
        plans,
        [p.municipality for p in plans],
        pillars,
    )


def _home_json(request, page, plans, pillars):
    return licensed_json(
        {
            "count": page.paginator.count,
            "page": page.number,
            "pages": page.paginator.num_pages,
            "plans": [_board(request, b) for b in boards.dashboards(plans, pillars)],
        }
    )


@public_page
def plan(request, slug):
    data = boards.plan_data(slug)
    make = partial(_plan_json, request, data)
    return page_memo.respond(request, "plan.json", partial(boards.plan_digest, data), make)


def _plan_json(request, data):
    return licensed_json(
        {
            **_board(request, data),
            "notes": [
                {
                    "fiscal_year": n.fiscal_year,
                    "kind": n.kind,
                    "order": n.order,
                    "title": n.title,
                    "body": n.body,
                }
                for n in data["notes"]
            ],
        },
    )


def _result(request, plan, r) -> dict:
    return {
        "code": r.code,
        "title": r.title,
        "department": r.department_name,
        "result": r.result,
        "reason": r.reason,
        "narrative": r.narrative,
        "provenance": provenance.row_value(r),
        "url": request.build_absolute_uri(f"{plan.get_absolute_url()}initiatives/{r.code}/"),
    }


@public_page(params=("page",))
def pillar(request, slug, order):
    data = boards.pillar_rows(slug, order, request.GET.get("page"))
    make = partial(_pillar_json, request, data)
    return page_memo.respond(request, "pillar.json", partial(boards.pillar_digest, data), make)


def _pillar_json(request, data):
    data = boards.pillar_page(data)
    plan, snap, items = data["plan"], data["snapshot"], data["items"]
    return licensed_json(
        {
            "plan": _plan(request, plan),
            "pillar": {
                "order": data["pillar"].order,
                "name": snap.name if snap else data["pillar"].name,
                "name_en": data["pillar"].name_en,
                "kind": data["pillar"].kind,
                "managed_through": data["pillar"].managed_through,
                "done": snap.done if snap else "",
                "next_steps": snap.next_steps if snap else "",
            },
            "publication": _publication(data["publication"]),
            "summary": _summary(data["summary"]),
            # The results (or initiatives) come a page at a time; the summary counts them all.
            "count": items.paginator.count,
            "page": items.number,
            "pages": items.paginator.num_pages,
            "results": [_result(request, plan, r) for r in data["results"]],
            "initiatives": [
                {"code": i.code, "title": i.title, "department": i.department.name}
                for i in data["initiatives"]
            ],
            "narratives": [
                {
                    "fiscal_year": n.fiscal_year,
                    "point": n.kind,
                    "done": n.done,
                    "next_steps": n.next_steps,
                }
                for n in data["narratives"]
            ],
        },
    )


@public_page
def initiative(request, slug, code):
    item = boards.initiative_of(slug, code)
    make = partial(_initiative_json, request, slug, code, item)
    return page_memo.respond(
        request, "initiative.json", partial(boards.initiative_digest, item), make
    )


def _initiative_json(request, slug, code, item):
    data = boards.initiative_data(slug, code, item)
    item = data["initiative"]
    return licensed_json(
        {
            "plan": _plan(request, data["plan"]),
            "initiative": {
                "code": item.code,
                "title": item.title,
                "title_en": item.title_en,
                "pillar": item.pillar.order,
                "department": item.department.name,
                "target": item.target,
                "evaluation_timing": item.evaluation_timing,
                "first_evaluated_fiscal_year": item.first_evaluated_fiscal_year,
                "reform_level": item.reform_level,
                "provenance": item.provenance,
                "provenance_note": item.provenance_note,
            },
            "indicators": series_json(data["indicators"]),
            "published_history": [
                {
                    "publication": _publication(r.publication),
                    "current": r.is_current,
                    **_result(request, data["plan"], r),
                }
                for r in data["published_history"]
            ],
        },
    )


@public_page(params=PARAMS)
def initiatives(request):
    data = browse(request.GET)
    make = partial(_initiatives_json, request, data)
    return page_memo.respond(request, "initiatives.json", partial(browse_digest, data), make)


def _initiatives_json(request, data):
    if data["problems"]:
        return licensed_json({"errors": data["problems"]}, status=400)
    page = data["page"]
    return licensed_json(
        {
            "filters": data["query"],
            "count": page.paginator.count,
            # True when more matched than the count went to (PUBLIC_BROWSE_COUNT_MAX; for a
            # search PUBLIC_BROWSE_SEARCH_COUNT_MAX, in steps of it past the next page): count
            # is that bound and pages the pages it holds; a search's next page is always there.
            "count_capped": page.paginator.capped,
            "page": page.number,
            "pages": page.paginator.num_pages,
            "page_size": PAGE_SIZE,
            "results": [
                {
                    "plan": i.plan.slug,
                    "code": i.code,
                    "title": i.published_title or i.title,
                    "pillar": i.pillar.order,
                    "department": i.department.name,
                    "reform_level": i.reform_level,
                    "result": i.published_result,
                    "publication": _publication(i.publication),
                    "url": request.build_absolute_uri(i.get_absolute_url()),
                }
                for i in page.object_list
            ],
        },
    )
