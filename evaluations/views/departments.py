"""Achievement by department (所管別) of one plan: the public page and its JSON
(evaluations.departments computes both from the published snapshots)."""

from __future__ import annotations

from django.shortcuts import render

from evaluations import departments
from reformtracker.public_pages import licensed_json, public_page


@public_page
def department_summary(request, slug):
    data = departments.department_data(slug)
    return render(request, "evaluations/department_detail.html", data)


@public_page
def department_summary_json(request, slug):
    data = departments.department_data(slug)
    return licensed_json(departments.as_json(data, request.build_absolute_uri))
