"""The initiative browser's data: its filters as a form that reads the query string, and one
query function that gives a page of initiatives with their published results.

The HTML page (views/public.py) and the read API (views/api.py) both call ``browse``.
"""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from evaluations import published
from evaluations.boards import live_pillars, live_plans
from evaluations.choices import Result
from evaluations.models import Publication, PublishedResult
from initiatives.models import Department, Initiative, ReformLevel
from reformtracker.bounds import bounded_int, fiscal_year_or_none
from reformtracker.calendar_ja import normalize

PAGE_SIZE = 20
MALFORMED = _("%(filter)sの指定「%(value)s」は正しくありません。この条件を外して表示しています。")
NOT_PUBLISHED = "none"  # the result filter's value for "not published in the shown 時点"


class _Text(forms.Field):
    """A filter as typed, NFKC-normalised (全角 → 半角) and trimmed; "" when absent."""

    def __init__(self):
        super().__init__(required=False)

    def to_python(self, value) -> str:
        return normalize(value or "")


class BrowseFilters(forms.Form):
    """The browser's query string. ``cleaned_data`` holds each filter as typed (normalised);
    ``clean`` adds what they mean: ``pillar_id``, ``department_id``, ``fiscal_year``,
    ``reform_level`` and ``result`` (a Result value, NOT_PUBLISHED or None).

    A value that cannot mean anything (a pillar "abc", an id past what the database holds, a
    year no era names) is listed in ``problems`` with a message, and the page is shown without
    that filter: the views answer 400, so a link with a broken filter is seen to be broken,
    never a 500 and never silently taken for "everything".
    """

    plan = _Text()
    pillar = _Text()
    department = _Text()
    result = _Text()
    fy = _Text()
    level = _Text()
    q = _Text()

    def clean(self):
        data = super().clean()
        # An id the database cannot hold or a year no era names is malformed like "abc".
        data["pillar_id"] = bounded_int(data["pillar"])
        data["department_id"] = bounded_int(data["department"])
        data["fiscal_year"] = fiscal_year_or_none(data["fy"])
        data["reform_level"] = data["level"] if data["level"] in ReformLevel.values else None
        known = (*Result.values, NOT_PUBLISHED)
        data["result_filter"] = data["result"] if data["result"] in known else None
        self.problems = {
            name: MALFORMED % {"filter": label, "value": data[name]}
            for name, meaning, label in (
                ("pillar", "pillar_id", _("取組方針")),
                ("department", "department_id", _("所管")),
                ("fy", "fiscal_year", _("年度")),
                ("level", "reform_level", _("改革レベル")),
                ("result", "result_filter", _("評価結果")),
            )
            if data[name] and data[meaning] is None
        }
        return data

    def chosen(self) -> dict[str, str]:
        """Each filter's value as typed (normalised), in the form's order."""
        return {name: self.cleaned_data[name] for name in self.fields}


# Everything the browser reads from the query string (the page cache keys on these alone).
PARAMS = (*BrowseFilters.base_fields, "page")


def _matching(initiatives, filters: dict, plan, snapshots):
    """``initiatives`` narrowed by the chosen filters; ``snapshots`` are the shown 時点's rows."""
    if plan:
        initiatives = initiatives.filter(plan=plan)
    if filters["pillar_id"]:
        initiatives = initiatives.filter(pillar_id=filters["pillar_id"])
    if filters["department_id"]:
        initiatives = initiatives.filter(department_id=filters["department_id"])
    if filters["reform_level"]:
        initiatives = initiatives.filter(reform_level=filters["reform_level"])
    if filters["fiscal_year"] is not None:
        initiatives = initiatives.filter(Exists(snapshots))
    if filters["result_filter"] == NOT_PUBLISHED:
        initiatives = initiatives.filter(~Exists(snapshots))
    elif filters["result_filter"]:
        initiatives = initiatives.filter(Exists(snapshots.filter(result=filters["result_filter"])))
    if q := filters["q"]:
        # icontains works alike on SQLite and PostgreSQL and needs no word splitting, which
        # Japanese text has none of; the query is NFKC-normalised (全角 → 半角) first.
        initiatives = initiatives.filter(
            Q(title__icontains=q)
            | Q(title_en__icontains=q)
            | Q(target__icontains=q)
            | Q(description__icontains=q)
            | Q(code__iexact=q)
            | Exists(
                snapshots.filter(
                    Q(title__icontains=q) | Q(narrative__icontains=q) | Q(reason__icontains=q)
                )
            )
        )
    return initiatives


def _choices(plans, plan) -> dict:
    """The options of the filter form (the pillars and departments of ``plan`` when chosen)."""
    pillars = live_pillars([plan] if plan else plans)
    # EXISTS, not a join + DISTINCT: chaining two filters over initiatives joined the table
    # twice, a departments × initiatives² product that took minutes at 10,000 items.
    owned = Initiative.objects.filter(department=OuterRef("pk"))
    if plan:
        owned = owned.filter(plan=plan)
    departments = Department.objects.filter(Exists(owned))
    return {
        "pillars": pillars,
        "departments": list(departments.order_by("municipality__slug", "code")),
        "results": [(r.value, r.label) for r in Result],
        "levels": ReformLevel.choices,
    }


def browse(params) -> dict:
    """Initiatives filtered by plan, pillar, department, published result, fiscal year, reform
    level and text, one page of them; each with its published result for the chosen year (the
    latest 時点 of each plan when no year is chosen). Six queries whatever the sizes."""
    form = BrowseFilters(params)
    form.is_valid()  # reads them; what cannot mean anything is in form.problems
    filters, chosen = form.cleaned_data, form.chosen()
    # The plans, their pillars and the publications are read without building SQL through
    # the ORM (boards.live_plans, the publication memo): with the count and the page, building
    # queries was most of the browser's time.
    plans = live_plans()
    plan = next((p for p in plans if p.slug == chosen["plan"]), None)
    publications = published.every_current_publication()
    fiscal_years = sorted({p.round.fiscal_year for p in publications}, reverse=True)
    # The 時点 shown per plan: its latest, or its latest within the chosen fiscal year.
    shown: dict[int, Publication] = {}
    for publication in publications:
        if filters["fiscal_year"] in (None, publication.round.fiscal_year):
            shown.setdefault(publication.round.plan_id, publication)
    snapshots = PublishedResult.objects.filter(
        initiative=OuterRef("pk"), publication_id__in=[p.pk for p in shown.values()]
    )
    rows = (
        Initiative.objects.select_related("plan", "pillar", "department")
        .annotate(
            published_result=Subquery(snapshots.values("result")[:1]),
            published_title=Subquery(snapshots.values("title")[:1]),
            publication_id=Subquery(snapshots.values("publication_id")[:1]),
        )
        .order_by("plan__order", "plan__slug", "pillar__order", "order", "code")
    )
    page = Paginator(_matching(rows, filters, plan, snapshots), PAGE_SIZE).get_page(
        params.get("page")
    )
    by_id = {p.pk: p for p in publications}
    for row in page.object_list:
        row.publication = by_id.get(row.publication_id)
    return {
        "plans": plans,
        **_choices(plans, plan),
        "fiscal_years": fiscal_years,
        "chosen": chosen,
        "query": {k: v for k, v in chosen.items() if v},
        "page": page,
        "shown": list(shown.values()),
        "problems": {name: str(message) for name, message in form.problems.items()},
    }
