"""The fair comparison of plans (/compare/) and its JSON: built by evaluations.comparison, cached
by publication like the other public pages, kept per process by the plans it shows."""

from __future__ import annotations

from functools import partial

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
