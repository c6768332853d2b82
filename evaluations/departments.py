"""Achievement by department (所管別): plan × department × 時点, as the reform office reports
by 所管, for the public page and its JSON (views/departments.py).

Read from the published snapshots only: each published 時点 of the plan (the newest publication
of each round, as every public page counts them) and its result rows, grouped by the
department that owned each item when it was published, through ``summarize_by`` (the one
achievement rule). The department's name is the one the newest 時点 published; its English
name, where the city gave one, from the department. Four queries, whatever the number of
items, departments or 時点; kept per process by the publications and the live rows it shows.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from evaluations import boards, published
from evaluations.models import PublishedResult
from evaluations.rates import EMPTY, summarize_by
from initiatives.models import Department, Plan


def browser_url(plan: Plan, department_id: int, fiscal_year: int) -> str:
    """The initiative browser showing the items a figure counts."""
    query = urlencode({"plan": plan.slug, "department": department_id, "fy": fiscal_year})
    return f"{reverse('initiative_list')}?{query}"


# A city's departments in their model order (municipality, code), as a prepared query: the
# ORM's compiling of it cost more than running it, on every request of a kept page.
_departments_of_city = boards.Prepared(Department, "code", "pk", where=("municipality",))


def plan_and_departments(slug: str) -> tuple[Plan, list[Department]]:
    """The plan with its city, and the city's departments as they stand (two queries, neither
    built by the ORM): the live rows the page shows besides the publications."""
    plan = boards.plan_by_slug(slug)
    return plan, _departments_of_city(plan.municipality_id)


def memo_rows(plan: Plan, units: list[Department]) -> tuple:
    """What the page and its JSON show besides the publications' snapshots (fixed by their
    fingerprint): the plan, its city and its departments as read (reformtracker.page_memo
    keys a kept page on them)."""
    return (published.publication_fingerprint(), plan, plan.municipality, units)


def department_data(plan: Plan, units: list[Department]) -> dict:
    """The plan, its published 時点 (newest first), one row per department with a cell per 時点
    (its Summary, or None where it published nothing then, and the browser's address), and the
    plan's totals per 時点 (the sum of the departments' cells). ``units``: the city's
    departments (``plan_and_departments``)."""
    publications = published.current_publications([plan.pk])
    ids = [p.pk for p in publications]
    grouped = (
        summarize_by(
            PublishedResult.objects.filter(publication_id__in=ids),
            "department_id",
            "department_name",
            "publication_id",
        )
        if ids
        else {}
    )
    order = {pk: n for n, pk in enumerate(ids)}  # newest first
    names: dict[int, tuple[int, str]] = {}
    cells: dict[tuple[int, int], object] = {}
    for (department_id, name, publication_id), summary in grouped.items():
        key = (department_id, publication_id)
        # A department renamed between publications: its rows under each name add up.
        cells[key] = cells[key] + summary if key in cells else summary
        if department_id not in names or order[publication_id] < names[department_id][0]:
            names[department_id] = (order[publication_id], name)
    departments = sorted((d for d in units if d.pk in names), key=lambda d: (d.code, d.pk))
    rows = [
        {
            "department": department,
            "name": names[department.pk][1],
            "cells": [
                {
                    "publication": publication,
                    "summary": cells.get((department.pk, publication.pk)),
                    "url": browser_url(plan, department.pk, publication.round.fiscal_year),
                }
                for publication in publications
            ],
        }
        for department in departments
    ]
    totals = [
        sum(
            (row["cells"][n]["summary"] or EMPTY for row in rows),
            EMPTY,
        )
        for n in range(len(publications))
    ]
    return {"plan": plan, "publications": publications, "rows": rows, "totals": totals}


def as_json(data: dict, absolute) -> dict:
    """The open-data document (``absolute`` makes a path a full URL)."""
    plan = data["plan"]
    return {
        "plan": {
            "slug": plan.slug,
            "title": plan.title,
            "title_en": plan.title_en,
            "municipality": plan.municipality.name,
            "url": absolute(plan.get_absolute_url()),
        },
        "publications": [
            {
                "id": p.pk,
                "fiscal_year": p.round.fiscal_year,
                "round_kind": p.round.kind,
                "as_of": p.round.as_of.isoformat(),
                "as_of_label": p.round.as_of_label_ja,
            }
            for p in data["publications"]
        ],
        "departments": [
            {
                "code": row["department"].code,
                "name": row["name"],
                "name_en": row["department"].name_en,
                "results": [
                    {
                        "publication_id": cell["publication"].pk,
                        "summary": _summary(cell["summary"]),
                        "initiatives_url": absolute(cell["url"]),
                    }
                    for cell in row["cells"]
                    if cell["summary"] is not None
                ],
            }
            for row in data["rows"]
        ],
        "totals": [
            {"publication_id": p.pk, "summary": _summary(total)}
            for p, total in zip(data["publications"], data["totals"], strict=True)
        ],
    }


def _summary(summary) -> dict:
    return {
        **summary.as_dict(),
        "rate_display": summary.rate_display("ja"),
        "rate_display_en": summary.rate_display("en"),
    }
