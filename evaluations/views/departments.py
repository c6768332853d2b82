"""Achievement by department (所管別) of one plan: the public page and its JSON
(evaluations.departments computes both from the published snapshots). Cached whole by
publication, and kept per process by the publications and the live rows they show."""

from __future__ import annotations

from functools import partial

from evaluations import departments
from reformtracker import page_memo
from reformtracker.public_pages import licensed_json, public_page


@public_page
def department_summary(request, slug):
    plan, units = departments.plan_and_departments(slug)
    return page_memo.render_page(
        request,
        "evaluations/department_detail.html",
        partial(departments.department_data, plan, units),
        lambda: page_memo.digest(*departments.memo_rows(plan, units)),
    )


@public_page
def department_summary_json(request, slug):
    plan, units = departments.plan_and_departments(slug)
    return page_memo.respond(
        request,
        "departments.json",
        lambda: page_memo.digest(*departments.memo_rows(plan, units)),
        lambda: licensed_json(
            departments.as_json(
                departments.department_data(plan, units), request.build_absolute_uri
            )
        ),
    )
