"""The initiative browser's data: its filters as a form that reads the query string, and one
query function that gives a page of initiatives with their published results.

The HTML page (views/public.py) and the read API (views/api.py) both call ``browse``.
"""

from __future__ import annotations

from django import forms
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, Window
from django.utils.translation import gettext_lazy as _

from evaluations import published
from evaluations.boards import Prepared, live_pillars, live_plans
from evaluations.choices import Result
from evaluations.models import Publication, PublishedResult
from initiatives.models import Department, Initiative, ReformLevel
from reformtracker import page_memo
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


# The browser's rows, read with prepared statements (boards.Prepared): the ORM built the
# page's query with its three subqueries in longer than the database ran it.
_departments = Prepared(Department, "code", join="municipality")
_initiatives = Prepared(Initiative, "pk")


def _quoted(model, field: str = "pk") -> tuple[str, str]:
    q = connection.ops.quote_name
    opts = model._meta
    return q(opts.db_table), q(opts.pk.column if field == "pk" else opts.get_field(field).column)


def _owning_departments(plan) -> list[Department]:
    """The departments that own initiatives (of ``plan`` when chosen), by city and code."""
    table, department = _quoted(Initiative, "department")
    _, plan_column = _quoted(Initiative, "plan")
    _, pk = _quoted(Department)
    q = connection.ops.quote_name
    for_plan = f" AND i.{plan_column} = %s" if plan else ""
    return _departments.query(
        f"WHERE EXISTS (SELECT 1 FROM {table} i WHERE i.{department} = t0.{pk}{for_plan})"
        f" ORDER BY t1.{q('slug')}, t0.{q('code')}",
        [plan.pk] if plan else [],
    )


def _choices(pillars, plan) -> dict:
    """The options of the filter form (the pillars and departments of ``plan`` when chosen)."""
    if plan:
        pillars = [p for p in pillars if p.plan_id == plan.pk]
    return {
        "pillars": pillars,
        "departments": _owning_departments(plan),
        "results": [(r.value, r.label) for r in Result],
        "levels": ReformLevel.choices,
    }


def _rows(ids: list[int], plans, pillars, departments, shown: list[Publication]) -> list:
    """The initiatives ``ids`` in that order, with plan, pillar and department set from the
    rows already read, and their published result, title and 時点 of ``shown`` (two queries)."""
    if not ids:
        return []
    marks = ", ".join(["%s"] * len(ids))
    _, pk = _quoted(Initiative)
    found = {i.pk: i for i in _initiatives.query(f"WHERE t0.{pk} IN ({marks})", ids)}
    snapshots: dict[int, tuple] = {}
    if shown:
        table, initiative = _quoted(PublishedResult, "initiative")
        _, publication = _quoted(PublishedResult, "publication")
        q = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {initiative}, {q('result')}, {q('title')}, {publication} FROM {table}"
                f" WHERE {publication} IN ({', '.join(['%s'] * len(shown))})"
                f" AND {initiative} IN ({marks})",
                [p.pk for p in shown] + ids,
            )
            for row in cursor.fetchall():
                snapshots.setdefault(row[0], row[1:])
    plan_by_id = {p.pk: p for p in plans}
    pillar_by_id = {p.pk: p for p in pillars}
    department_by_id = {d.pk: d for d in departments}
    by_publication = {p.pk: p for p in shown}
    rows = []
    for pk in ids:
        item = found[pk]
        item.plan = plan_by_id[item.plan_id]
        item.pillar = pillar_by_id[item.pillar_id]
        item.department = department_by_id[item.department_id]
        item.published_result, item.published_title, item.publication_id = snapshots.get(
            pk, (None, None, None)
        )
        item.publication = by_publication.get(item.publication_id)
        rows.append(item)
    return rows


# Page numbers past this are read by Paginator as it always did (and a number this large
# would overflow the database's OFFSET).
_LAST_FAST_PAGE = 1_000_000


def _page(ordered, number) -> Page:
    """The page ``number`` of ``ordered`` (initiatives) as ``Paginator.get_page`` gives it, of
    their ids. When that page exists, its ids and the count come in one query (``COUNT(*) OVER
    ()``): the filters are applied once, not once for the count and again for the page. A page
    past the end, a number that is not one, or no match at all take Paginator's two queries."""
    ids = ordered.values_list("pk", flat=True)
    paginator = Paginator(ids, PAGE_SIZE)
    text = str(number or "1")
    if text.isascii() and text.isdigit() and 1 <= int(text) <= _LAST_FAST_PAGE:
        n = int(text)
        bottom = (n - 1) * PAGE_SIZE
        counted = ordered.annotate(total=Window(Count("pk"))).values_list("pk", "total")
        rows = list(counted[bottom : bottom + PAGE_SIZE])
        if rows:
            paginator.count = rows[0][1]  # what Paginator would have counted
            return Page([pk for pk, _total in rows], n, paginator)
    return paginator.get_page(number)


def browse_digest(context: dict) -> str:
    """A digest of every row a ``browse`` result shows (reformtracker.page_memo): the
    publications (their fingerprint), the plans, pillars and departments of the filter form,
    and the page's initiatives with their published result and title. The filters are in the
    address."""
    page = context["page"]
    return page_memo.digest(
        published.publication_fingerprint(),
        context["plans"],
        [p.municipality for p in context["plans"]],
        context["pillars"],
        context["departments"],
        page.paginator.count,
        page.number,
        [(i, i.published_result, i.published_title, i.publication_id) for i in page.object_list],
    )


def browse(params) -> dict:
    """Initiatives filtered by plan, pillar, department, published result, fiscal year, reform
    level and text, one page of them; each with its published result for the chosen year (the
    latest 時点 of each plan when no year is chosen). Seven queries whatever the sizes (six
    with ``PUBLIC_DATA_MEMO``), one of them built by the ORM: the page's ids with the count
    (``_page``; one more for a page past the end)."""
    form = BrowseFilters(params)
    form.is_valid()  # reads them; what cannot mean anything is in form.problems
    filters, chosen = form.cleaned_data, form.chosen()
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
    ordered = _matching(Initiative.objects.all(), filters, plan, snapshots).order_by(
        "plan__order", "plan__slug", "pillar__order", "order", "code"
    )
    page = _page(ordered, params.get("page"))
    pillars = live_pillars(plans)
    choices = _choices(pillars, plan)
    page.object_list = _rows(
        list(page.object_list), plans, pillars, choices["departments"], list(shown.values())
    )
    return {
        "plans": plans,
        **choices,
        "fiscal_years": fiscal_years,
        "chosen": chosen,
        "query": {k: v for k, v in chosen.items() if v},
        "page": page,
        "shown": list(shown.values()),
        "problems": {name: str(message) for name, message in form.problems.items()},
    }
