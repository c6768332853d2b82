"""Comparisons: of plans (/compare/, evaluations.comparison, kept per process by the plans it
shows) and of two 時点 of one plan (/plans/<slug>/compare/, evaluations.changes); both with their
JSON, cached by publication like the other public pages."""

from __future__ import annotations

from functools import partial

from evaluations import boards, changes
from evaluations.comparison import PARAMS, as_json, comparison, comparison_digest
from reformtracker import page_memo
from reformtracker.public_pages import licensed_json, public_page


@public_page(params=PARAMS)
def compare_plans(request):
    data = comparison(request.GET.get("sort", ""), request.GET.get("page"))
    rows = partial(page_memo.digest, *comparison_digest(data))
    return page_memo.render_page(request, "evaluations/compare.html", data, rows)


@public_page(params=PARAMS)
def compare_json(request):
    data = comparison(request.GET.get("sort", ""), request.GET.get("page"))
    rows = partial(page_memo.digest, *comparison_digest(data))
    return page_memo.respond(
        request,
        "compare.json",
        rows,
        lambda: licensed_json(as_json(data, request.build_absolute_uri)),
    )


def _plan(slug):
    # The plan page's read (one query, not built by the ORM, which cost more than running it).
    return boards.plan_by_slug(slug)


def _changes(request, plan):
    return changes.compare(
        plan, request.GET.get("from"), request.GET.get("to"), request.GET.get("page")
    )


@public_page(params=changes.PARAMS)
def plan_changes(request, slug):
    """What changed in a plan between two 時点 (published snapshots: cached whole, and kept
    per process by the publications and the plan it shows)."""
    plan = _plan(slug)
    return page_memo.render_page(
        request,
        "evaluations/plan_changes.html",
        partial(_changes, request, plan),
        lambda: page_memo.digest(*changes.memo_rows(plan)),
    )


@public_page(params=changes.PARAMS)
def plan_changes_json(request, slug):
    plan = _plan(slug)
    return page_memo.respond(
        request,
        "plan_changes.json",
        lambda: page_memo.digest(*changes.memo_rows(plan)),
        lambda: licensed_json(changes.as_json(_changes(request, plan))),
    )
