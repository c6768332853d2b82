"""Public pages: the dashboard, plans, pillars, initiatives, the initiative browser and badges.

They live in evaluations (not initiatives) because they show published results, and the arrows
only point evaluations → initiatives. Each reads published snapshots for every figure, in a
constant number of queries whatever the number of initiatives, and is cached whole per
publication (evaluations.public_cache). The ``*_data`` functions build what a page shows; the
HTML views and the read API (views/api.py) both call them, so the two never disagree.
"""

from __future__ import annotations

from functools import lru_cache

from django.core.paginator import Paginator
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language

from evaluations import published
from evaluations.charts import stacked_bars
from evaluations.choices import Result
from evaluations.models import Publication, PublishedResult
from evaluations.public_cache import public_page
from evaluations.rates import EMPTY
from evaluations.templatetags.public_tags import asof
from initiatives.models import (
    Department,
    Initiative,
    Pillar,
    Plan,
    PlanNote,
    ReformLevel,
)
from reformtracker.calendar_ja import normalize

PAGE_SIZE = 20


def _english() -> bool:
    return (get_language() or "ja").startswith("en")


def _localised(obj, field: str) -> str:
    if _english():
        return getattr(obj, f"{field}_en", "") or getattr(obj, field)
    return getattr(obj, field)


class _Prepared:
    """A fixed query of every row of ``model`` (with the row its foreign key ``join`` names,
    ``select_related`` in effect), in ``ordering``. Nothing in it comes from the request, so its
    SQL and the columns' converters are worked out once per process and database; building the
    same SQL through the ORM on every request cost more than running it. The rows are still
    read from the database every time."""

    def __init__(self, model, *ordering: str, join: str | None = None):
        self.model, self.ordering, self.join = model, ordering, join
        self.plans: dict[tuple[str, str], tuple] = {}

    def _models(self) -> list:
        models = [self.model]
        if self.join:
            models.append(self.model._meta.get_field(self.join).related_model)
        return models

    def _plan(self, connection) -> tuple:
        q = connection.ops.quote_name
        main = self.model._meta
        tables = [f"{q(main.db_table)} t0"]
        columns, parts = [], []
        for i, model in enumerate(self._models()):
            opts = model._meta
            if i:
                fk = main.get_field(self.join)
                tables.append(
                    f"JOIN {q(opts.db_table)} t{i} ON t{i}.{q(opts.pk.column)} = t0.{q(fk.column)}"
                )
            fields = opts.concrete_fields
            columns += [f"t{i}.{q(f.column)}" for f in fields]
            converters = []
            for f in fields:
                col = f.get_col(opts.db_table)
                found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
                converters.append([(c, col) for c in found])
            parts.append((model, [f.attname for f in fields], converters))
        order = ", ".join(
            f"t0.{q(main.get_field(main.pk.name if n == 'pk' else n).column)}"
            for n in self.ordering
        )
        sql = f"SELECT {', '.join(columns)} FROM {' '.join(tables)} ORDER BY {order}"
        return sql, parts

    def _prepared(self, connection) -> tuple:
        key = (connection.vendor, connection.settings_dict["NAME"])
        if key not in self.plans:
            self.plans[key] = self._plan(connection)
        return self.plans[key]

    def rows(self) -> list[tuple]:
        """The rows as the database gives them (one query)."""
        connection = connections[DEFAULT_DB_ALIAS]
        sql, _ = self._prepared(connection)
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    def __call__(self) -> list:
        return self.build(self.rows())

    def build(self, rows: list[tuple]) -> list:
        """Model instances of ``rows`` (with the joined instance set)."""
        connection = connections[DEFAULT_DB_ALIAS]
        _, parts = self._prepared(connection)
        objects = []
        for row in rows:
            start, made = 0, []
            for model, attnames, converters in parts:
                values = []
                for value, funcs in zip(
                    row[start : start + len(attnames)], converters, strict=True
                ):
                    for func, col in funcs:
                        value = func(value, col, connection)
                    values.append(value)
                start += len(attnames)
                made.append(model.from_db(DEFAULT_DB_ALIAS, attnames, values))
            if self.join:
                setattr(made[0], self.join, made[1])
            objects.append(made[0])
        return objects


_plans_with_municipalities = _Prepared(Plan, "order", "slug", join="municipality")
_all_pillars = _Prepared(Pillar, "order", "pk")


@lru_cache(maxsize=4096)
def _memo_reverse(prefix: str, language: str, name: str, *args) -> str:
    # A pure function of the URLconf, the script prefix and the active language (hence the
    # key); a dashboard reverses one URL per pillar and plan on every render otherwise.
    return reverse(name, args=args)


def _reversed(name: str, *args) -> str:
    return _memo_reverse(get_script_prefix(), get_language() or "", name, *args)


def _pillar_url(pillar: Pillar) -> str:
    return _reversed("pillar_detail", pillar.plan.slug, pillar.order)


def live_plans() -> list[Plan]:
    """Every plan with its municipality, in their order (one query)."""
    return _plans_with_municipalities()


def home_boards() -> list[dict]:
    """Every plan's dashboard for the home page.

    The plans and pillars are live rows, read on every request. With ``PUBLIC_DATA_MEMO`` on,
    the boards built from them (figures, rows, chart geometry) are kept per process for the
    last (publication fingerprint, language, script prefix, rows as read): the same inputs give
    the same boards, and any edit of a plan or pillar changes the rows and so the key.
    """
    plan_rows, pillar_rows = _plans_with_municipalities.rows(), _all_pillars.rows()
    if not published.memo_enabled():
        return dashboards(
            _plans_with_municipalities.build(plan_rows), _all_pillars.build(pillar_rows)
        )
    key = (
        published.published_state().fingerprint,
        get_language() or "",
        get_script_prefix(),
        tuple(plan_rows),
        tuple(pillar_rows),
    )
    memo = published.boards_memo.get("home")
    if memo is not None and memo[0] == key:
        return memo[1]
    boards = dashboards(
        _plans_with_municipalities.build(plan_rows), _all_pillars.build(pillar_rows)
    )
    published.boards_memo["home"] = (key, boards)
    return boards


def dashboards(plans: list[Plan], pillars: list[Pillar] | None = None) -> list[dict]:
    """Each plan's latest 時点 with its 1–5 figures, excluded items, pillars and trend.

    Six queries for any number of plans and initiatives: five for the publications side
    (``published.published_state``, read once per publication when memoised) and one for the
    plans' pillars, which are live rows and read every time.
    """
    plan_ids = [p.pk for p in plans]
    state = published.published_state(plan_ids)
    publications, summaries, latest = state.publications, state.summaries, state.latest
    by_pillar, frozen, excluded = state.pillar_summaries, state.pillars, state.excluded
    pillars_of: dict[int, list[Pillar]] = {pk: [] for pk in plan_ids}
    plan_by_id = {p.pk: p for p in plans}
    for pillar in _all_pillars() if pillars is None else pillars:
        if pillar.plan_id in plan_by_id:
            pillar.plan = plan_by_id[pillar.plan_id]  # its URL needs the plan's slug
            pillars_of[pillar.plan_id].append(pillar)

    boards = []
    for plan in plans:
        publication = latest.get(plan.pk)
        rows = []
        for pillar in pillars_of[plan.pk]:
            snap = frozen.get(pillar.pk) if publication else None
            rows.append(
                {
                    "pillar": pillar,
                    "order": snap.order if snap else pillar.order,
                    "name": snap.name if snap else pillar.name,
                    "label": _localised(pillar, "name")
                    if pillar.name_en and _english()
                    else (snap.name if snap else pillar.name),
                    "managed_through": snap.managed_through if snap else pillar.managed_through,
                    "tracked": snap.office_tracks_items if snap else pillar.office_tracks_items,
                    "done": snap.done if snap else "",
                    "next_steps": snap.next_steps if snap else "",
                    "summary": by_pillar.get(pillar.pk, EMPTY) if publication else EMPTY,
                }
            )
        history = sorted(
            (p for p in publications if p.round.plan_id == plan.pk),
            key=lambda p: (p.round.as_of, p.published_at),
        )
        trend = [{"publication": p, "summary": summaries[p.pk]} for p in history]
        boards.append(
            {
                "plan": plan,
                "url": _reversed("plan_detail", plan.slug),
                "fingerprint": state.fingerprint,
                "publication": publication,
                "summary": summaries[publication.pk] if publication else EMPTY,
                "excluded": excluded.get(publication.pk, []) if publication else [],
                "pillars": rows,
                "chart": stacked_bars(
                    [
                        (f"{r['order']} {r['label']}", r["summary"], _pillar_url(r["pillar"]))
                        for r in rows
                        if r["tracked"]
                    ]
                ),
                "trend": trend if len(trend) > 1 else [],
                "trend_chart": stacked_bars(
                    [(asof(t["publication"].round), t["summary"], "") for t in trend]
                )
                if len(trend) > 1
                else None,
            }
        )
    return boards


def _plans(meetings: bool = False):
    plans = Plan.objects.select_related("municipality")
    if meetings:
        # The plan page's meeting count saves it a query; Count over the reverse relation
        # keeps evaluations from importing xmeetings.
        plans = plans.annotate(meeting_count=Count("meetings"))
    return plans


@public_page
def home(request):
    return render(request, "evaluations/home.html", {"boards": home_boards()})


def plan_data(slug: str) -> dict:
    plan = get_object_or_404(_plans(meetings=True), slug=slug)
    board = dashboards([plan])[0]
    notes = list(PlanNote.objects.filter(plan=plan).order_by("fiscal_year", "kind", "order"))
    return {**board, "board": board, "notes": notes, "has_meetings": plan.meeting_count > 0}


@public_page
def plan_detail(request, slug):
    return render(request, "evaluations/plan_detail.html", plan_data(slug))


def pillar_data(slug: str, order: int) -> dict:
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
    return {
        "plan": plan,
        "pillar": pillar,
        "publication": publication,
        "snapshot": snap,
        "summary": published.summary_of(publication, pillar=pillar),
        "results": results,
        "initiatives": initiatives,
        "narratives": narratives,
    }


@public_page
def pillar_detail(request, slug, order):
    return render(request, "evaluations/pillar_detail.html", pillar_data(slug, order))


def initiative_data(slug: str, code: str) -> dict:
    initiative = get_object_or_404(
        Initiative.objects.select_related("plan__municipality", "pillar", "department", "cluster"),
        plan__slug=slug,
        code=code,
    )
    current = {p.pk for p in published.current_publications([initiative.plan_id])}
    # Every publication that included the item, superseded ones too: its published history.
    history = list(
        PublishedResult.objects.filter(initiative=initiative)
        .select_related("publication__round")
        .order_by("-publication__round__as_of", "-publication__published_at", "-publication_id")
    )
    for row in history:
        row.is_current = row.publication_id in current
    return {
        "plan": initiative.plan,
        "initiative": initiative,
        "results": [r for r in history if r.is_current],
        "published_history": history,
        "meetings": list(initiative.meetings.order_by("earliest")),
    }


@public_page
def initiative_detail(request, slug, code):
    return render(request, "evaluations/initiative_detail.html", initiative_data(slug, code))


# --- the initiative browser -------------------------------------------------------------------

FILTERS = ("plan", "pillar", "department", "result", "fy", "level", "q")
NOT_PUBLISHED = "none"


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def browse_data(params) -> dict:
    """Initiatives filtered by plan, pillar, department, published result, fiscal year, reform
    level and text, one page of them; each with its published result for the chosen year (the
    latest 時点 of each plan when no year is chosen). Six queries whatever the sizes."""
    chosen = {name: normalize(params.get(name, "") or "") for name in FILTERS}
    plans = list(Plan.objects.select_related("municipality"))
    plan = next((p for p in plans if p.slug == chosen["plan"]), None)
    publications = published.current_publications()
    fiscal_years = sorted({p.round.fiscal_year for p in publications}, reverse=True)
    fy = _int(chosen["fy"])
    # The 時点 shown per plan: its latest, or its latest within the chosen fiscal year.
    shown: dict[int, Publication] = {}
    for publication in publications:
        if fy is None or publication.round.fiscal_year == fy:
            shown.setdefault(publication.round.plan_id, publication)
    shown_ids = [p.pk for p in shown.values()]

    snapshots = PublishedResult.objects.filter(
        initiative=OuterRef("pk"), publication_id__in=shown_ids
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
    if plan:
        rows = rows.filter(plan=plan)
    pillar_id = _int(chosen["pillar"])
    if pillar_id:
        rows = rows.filter(pillar_id=pillar_id)
    department_id = _int(chosen["department"])
    if department_id:
        rows = rows.filter(department_id=department_id)
    if chosen["level"] in ReformLevel.values:
        rows = rows.filter(reform_level=chosen["level"])
    if fy is not None:
        rows = rows.filter(Exists(snapshots))
    if chosen["result"] in Result.values:
        rows = rows.filter(Exists(snapshots.filter(result=chosen["result"])))
    elif chosen["result"] == NOT_PUBLISHED:
        rows = rows.filter(~Exists(snapshots))
    if chosen["q"]:
        # icontains works alike on SQLite and PostgreSQL and needs no word splitting, which
        # Japanese text has none of; the query is NFKC-normalised (全角 → 半角) first.
        q = chosen["q"]
        rows = rows.filter(
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
    page = Paginator(rows, PAGE_SIZE).get_page(params.get("page"))
    by_id = {p.pk: p for p in publications}
    for row in page.object_list:
        row.publication = by_id.get(row.publication_id)

    pillars = [p for p in Pillar.objects.select_related("plan").order_by("plan__order", "order")]
    if plan:
        pillars = [p for p in pillars if p.plan_id == plan.pk]
    # EXISTS, not a join + DISTINCT: chaining two filters over initiatives joined the table
    # twice, a departments × initiatives² product that took minutes at 10,000 items.
    owned = Initiative.objects.filter(department=OuterRef("pk"))
    if plan:
        owned = owned.filter(plan=plan)
    departments = Department.objects.filter(Exists(owned))
    query = {k: v for k, v in chosen.items() if v}
    return {
        "plans": plans,
        "pillars": pillars,
        "departments": list(departments.order_by("municipality__slug", "code")),
        "results": [(r.value, r.label) for r in Result],
        "levels": ReformLevel.choices,
        "fiscal_years": fiscal_years,
        "chosen": chosen,
        "query": query,
        "page": page,
        "shown": list(shown.values()),
    }


@public_page
def initiative_list(request):
    context = browse_data(request.GET)
    template = "evaluations/initiative_list.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#htmx"
    return render(request, template, context)


# --- the badge ---------------------------------------------------------------------------------


def _text_width(text: str, size: int = 11) -> int:
    """Rough advance width: full-width characters a full em, others about 0.6 em."""
    return int(sum(size if ord(c) > 0x2E7F else size * 0.62 for c in text)) + 12


@public_page
def badge(request, slug):
    """An embeddable SVG of the plan's headline rate, for city websites (<img src=…>)."""
    board = plan_data(slug)
    plan, summary = board["plan"], board["summary"]
    label = "達成率" if not (get_language() or "ja").startswith("en") else "achievement rate"
    value = summary.rate_display(get_language() or "ja")
    left, right = _text_width(label), _text_width(value)
    svg = render_to_string(
        "evaluations/badge.svg",
        {
            **board,
            "label": label,
            "value": value,
            "left": left,
            "right": right,
            "width": left + right,
            "title": _localised(plan, "title"),
            "LANGUAGE_CODE": get_language() or "ja",
        },
    )
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    # Other sites embed it: allow cross-origin use of the image.
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
