"""The public read side: what the dashboard, plan, pillar and initiative pages show.

The HTML views (views/public.py), the read API (views/api.py), the share cards (cards.py) and
the og:image tags all call these functions, so they never disagree. Every figure comes from
published snapshots (evaluations.published) in a constant number of queries, whatever the number
of initiatives. These live in evaluations (not initiatives) because they show published results,
and the arrows only point evaluations → initiatives.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Count
from django.http import Http404
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.translation import get_language

from evaluations import indicators, published
from evaluations.charts import stacked_bars
from evaluations.choices import Result
from evaluations.labels import asof, localised
from evaluations.models import PublishedResult
from evaluations.rates import EMPTY
from initiatives.models import AnalysisCluster, Department, Initiative, Pillar, Plan, PlanNote
from reformtracker import memos, page_memo
from reformtracker.db_routers import read_connection
from reformtracker.display import is_english, language
from reformtracker.links import cached_reverse
from xmeetings.pages import plan_meeting_facts


class _Prepared:
    """A fixed query of every row of ``model`` (with the rows its foreign keys ``join`` names,
    ``select_related`` in effect), in ``ordering``. Nothing in it comes from the request, so its
    SQL and the columns' converters are worked out once per process and database; building the
    same SQL through the ORM on every request cost more than running it. The rows are still
    read from the database every time."""

    def __init__(
        self,
        model,
        *ordering: str,
        join: str | tuple[str, ...] | None = None,
        where: tuple = (),
        exists: tuple = (),
        defer: tuple = (),
    ):
        # ``join``: a foreign key of ``model``, or several, a path through another joined one
        # written as the ORM writes it ("plan__municipality"); a nullable one is a LEFT JOIN and
        # sets None where the row has none.
        # ``where``: columns of ``model`` (or of a joined row, "plan__slug") compared for
        # equality with the values ``rows`` takes.
        # ``exists``: reverse relations of ``model`` (e.g. a plan's "meetings"); each instance
        # gets ``has_<name>``, read in the same query (an EXISTS column) rather than one more.
        self.model, self.ordering, self.where = model, ordering, where
        self.joins = (join,) if isinstance(join, str) else tuple(join or ())
        self.exists = exists
        # ``defer``: columns of ``model`` not read (deferred on the instances, as ``defer()``
        # leaves them): what no page built from these rows shows.
        self.defer = defer
        self.plans: dict[tuple[str, str], tuple] = memos.store()

    def _models(self) -> list[tuple]:
        """(path, model, index of the row it hangs on, its foreign key, LEFT JOIN) per table."""
        models = [("", self.model, None, None, False)]
        for path in self.joins:
            parent_path, _, name = path.rpartition("__")
            parent = next(i for i, m in enumerate(models) if m[0] == parent_path)
            fk = models[parent][1]._meta.get_field(name)
            models.append((path, fk.related_model, parent, fk, fk.null or models[parent][4]))
        return models

    def _plan(self, connection) -> tuple:
        q = connection.ops.quote_name
        main = self.model._meta
        models = self._models()
        tables = [f"{q(main.db_table)} t0"]
        columns, parts = [], []
        for i, (_path, model, parent, fk, left) in enumerate(models):
            opts = model._meta
            if i:
                tables.append(
                    f"{'LEFT JOIN' if left else 'JOIN'} {q(opts.db_table)} t{i}"
                    f" ON t{i}.{q(opts.pk.column)} = t{parent}.{q(fk.column)}"
                )
            fields = [f for f in opts.concrete_fields if i or f.name not in self.defer]
            columns += [f"t{i}.{q(f.column)}" for f in fields]
            converters = []
            for f in fields:
                col = f.get_col(opts.db_table)
                found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
                converters.append([(c, col) for c in found])
            attnames = [f.attname for f in fields]
            parts.append((model, attnames, converters, attnames.index(opts.pk.attname)))
        for name in self.exists:
            relation = main.get_field(name)
            table, column = relation.related_model._meta.db_table, relation.field.column
            columns.append(
                f"EXISTS (SELECT 1 FROM {q(table)} e WHERE e.{q(column)} = t0.{q(main.pk.column)})"
            )
        order = ", ".join(
            f"t0.{q(main.get_field(main.pk.name if n == 'pk' else n).column)}"
            for n in self.ordering
        )

        def column(name: str) -> str:
            path, _, field = name.rpartition("__")
            i = next(i for i, m in enumerate(models) if m[0] == path)
            return f"t{i}.{q(models[i][1]._meta.get_field(field).column)}"

        where = " AND ".join(f"{column(n)} = %s" for n in self.where)
        head = f"SELECT {', '.join(columns)} FROM {' '.join(tables)}"
        sql = head + (f" WHERE {where} ORDER BY {order}" if where else f" ORDER BY {order}")
        return sql, parts, head, models if self.joins else ()

    def _prepared(self, connection) -> tuple:
        key = (connection.vendor, connection.settings_dict["NAME"])
        if key not in self.plans:
            self.plans[key] = self._plan(connection)
        return self.plans[key]

    def select(self) -> str:
        """``SELECT … FROM … JOIN …`` of this query, to which ``query`` adds a tail."""
        return self._prepared(read_connection(self.model))[2]

    def query(self, tail: str, params=()) -> list:
        """Model instances of ``SELECT … FROM … JOIN … <tail>`` (the main table is ``t0``, the
        joined ones ``t1``, ``t2`` … in the order of ``join``): a WHERE and ORDER BY this
        query's own cannot say."""
        connection = read_connection(self.model)
        with connection.cursor() as cursor:
            cursor.execute(f"{self.select()} {tail}", params)
            return self.build(cursor.fetchall())

    def rows(self, *values) -> list[tuple]:
        """The rows as the database gives them (one query); ``values`` for ``where``."""
        connection = read_connection(self.model)
        sql = self._prepared(connection)[0]
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            return cursor.fetchall()

    def __call__(self, *values) -> list:
        return self.build(self.rows(*values))

    def build(self, rows: list[tuple]) -> list:
        """Model instances of ``rows`` (with the joined instances set)."""
        connection = read_connection(self.model)
        parts = self._prepared(connection)[1]
        models = self._prepared(connection)[3]
        objects = []
        for row in rows:
            start, made = 0, []
            for model, attnames, converters, pk in parts:
                values = []
                for value, funcs in zip(
                    row[start : start + len(attnames)], converters, strict=True
                ):
                    for func, col in funcs:
                        value = func(value, col, connection)
                    values.append(value)
                start += len(attnames)
                # A LEFT JOIN that found no row: the foreign key is None.
                none = values[pk] is None
                made.append(None if none else model.from_db(connection.alias, attnames, values))
            for i, (path, _model, parent, _fk, _left) in enumerate(models):
                if i and made[parent] is not None:
                    setattr(made[parent], path.rpartition("__")[2], made[i])
            for name, value in zip(self.exists, row[start:], strict=True):
                setattr(made[0], f"has_{name}", bool(value))
            objects.append(made[0])
        return objects


# For the other read-side modules (browse.py).
Prepared = _Prepared

_plans_with_municipalities = _Prepared(Plan, "order", "slug", join="municipality")
_all_pillars = _Prepared(Pillar, "order", "pk")

# What the plan page reads of one plan, by its slug or id.
_plan_by_slug = _Prepared(Plan, "pk", join="municipality", where=("slug",))
# The plan page's: whether the plan has X会議 comes in the same query.
_plan_page_by_slug = _Prepared(
    Plan, "pk", join="municipality", where=("slug",), exists=("meetings",)
)
_pillars_of_plan = _Prepared(Pillar, "order", "pk", where=("plan",))
_notes_of_plan = _Prepared(PlanNote, "fiscal_year", "kind", "order", "pk", where=("plan",))

# What the initiative page reads of one item.
_initiative_in_plan = _Prepared(Initiative, "pk", join="pillar", where=("plan", "code"))
_department = _Prepared(Department, "pk", where=("id",))
_cluster = _Prepared(AnalysisCluster, "pk", where=("id",))
_meetings_query: dict = memos.store()

# What the pillar page reads of its pillar and of one page of its published results.
_pillar_page = _Prepared(
    Pillar,
    "pk",
    join=("plan", "plan__municipality", "managing_department"),
    where=("plan__slug", "order"),
)
# Without the search text (the folded copy of the row's words), which the page does not show:
# a hundred rows read and digested without it on every uncached pillar page.
_results_with_departments = _Prepared(
    PublishedResult, "pk", join="department", defer=("search_text",)
)

# The home page's boards: "home" → (key, boards); see home_boards.
_boards_memo = memos.store()


def _pillar_url(pillar: Pillar) -> str:
    return cached_reverse("pillar_detail", pillar.plan.slug, pillar.order)


def plan_by_slug(slug: str) -> Plan:
    """The plan with its municipality (one query, not built by the ORM); Http404 if none."""
    found = _plan_by_slug(slug)
    if not found:
        raise Http404("No Plan matches the given query.")
    return found[0]


def plan_digest(data: dict) -> str:
    """A digest of every row ``plan_data`` read (reformtracker.page_memo): the publications
    (their fingerprint), the plan, its city, pillars and notes, and whether it has X会議."""
    plan = data["plan"]
    return page_memo.digest(
        data["fingerprint"],
        plan,
        plan.municipality,
        [row["pillar"] for row in data["pillars"]],
        data["notes"],
        data["has_meetings"],
    )


def boards_digest(boards: list[dict]) -> str:
    """A digest of every row ``home_boards`` read: the publications, plans, cities, pillars.
    Boards ``home_boards`` kept (the same plan instances) have it kept with them, made from the
    same rows as read."""
    kept = _boards_memo.get("home")
    if (
        kept is not None
        and len(kept[1]) == len(boards)
        and all(a["plan"] is b["plan"] for a, b in zip(kept[1], boards, strict=True))
    ):
        return kept[2]
    return _boards_digest(boards)


def _boards_digest(boards: list[dict]) -> str:
    return page_memo.digest(
        boards[0]["fingerprint"] if boards else published.publication_fingerprint(),
        [b["plan"] for b in boards],
        [b["plan"].municipality for b in boards],
        [row["pillar"] for b in boards for row in b["pillars"]],
    )


def home_digest(boards: list[dict]) -> str:
    """A digest of every row the home page's boards show: ``boards_digest``'s, and the X会議
    of the plans without a published 時点 (``_with_meeting_facts``), whose phase changes with
    the day."""
    facts = [b.get("meeting_facts") or {} for b in boards]
    return page_memo.digest(
        boards_digest(boards),
        [(f.get("next"), f.get("last"), f.get("has_schedule")) for f in facts],
        timezone.localdate() if any(facts) else None,
    )


def initiative_digest(item: Initiative) -> str:
    """A digest of every row the initiative page and its JSON show: its published rows and
    their history are snapshots, fixed by the publications (their fingerprint); the item, its
    plan, city, pillar, department, cluster and X会議 as read (``initiative_of``)."""
    return page_memo.digest(
        published.publication_fingerprint(),
        item,
        item.plan,
        item.plan.municipality,
        item.pillar,
        item.department,
        item.cluster,
        item.shown_meetings,
        # A meeting's phase (開催予定 → 開催済) changes with the day.
        timezone.localdate() if item.shown_meetings else None,
    )


def pillars_of(plans: list[Plan]) -> list[Pillar]:
    """The pillars of ``plans``, by their number, then id (one prepared query; none without
    plans), as ``Pillar.objects.filter(plan__in=plans).order_by("order", "pk")`` gives them."""
    ids = [p.pk for p in plans]
    if not ids:
        return []
    q = read_connection(Pillar).ops.quote_name
    return _all_pillars.query(
        f"WHERE t0.{q('plan_id')} IN ({', '.join(['%s'] * len(ids))})"
        f" ORDER BY t0.{q('order')}, t0.{q('id')}",
        ids,
    )


def live_plans() -> list[Plan]:
    """Every plan with its municipality, in their order (one query)."""
    return _plans_with_municipalities()


def live_pillars(plans: list[Plan]) -> list[Pillar]:
    """Every pillar of ``plans`` with its plan set, in the plans' order, then the pillars'
    (one query)."""
    plan_by_id = {p.pk: p for p in plans}
    rank = {p.pk: n for n, p in enumerate(plans)}
    pillars = [p for p in _all_pillars() if p.plan_id in plan_by_id]
    for pillar in pillars:
        pillar.plan = plan_by_id[pillar.plan_id]
    return sorted(pillars, key=lambda p: (rank[p.plan_id], p.order, p.pk))


def home_boards() -> list[dict]:
    """Every plan's dashboard for the home page.

    The plans and pillars are live rows, read on every request. With ``PUBLIC_DATA_MEMO`` on,
    the boards built from them (figures, rows, chart geometry) are kept per process for the
    last (publication fingerprint, language, script prefix, rows as read): the same inputs give
    the same boards, and any edit of a plan or pillar changes the rows and so the key.
    """
    plan_rows, pillar_rows = _plans_with_municipalities.rows(), _all_pillars.rows()
    if not published.memo_enabled():
        return _with_meeting_facts(
            dashboards(_plans_with_municipalities.build(plan_rows), _all_pillars.build(pillar_rows))
        )
    key = (
        published.published_state().fingerprint,
        get_language() or "",
        get_script_prefix(),
        tuple(plan_rows),
        tuple(pillar_rows),
    )
    memo = _boards_memo.get("home")
    if memo is not None and memo[0] == key:
        return _with_meeting_facts(memo[1])
    boards = dashboards(
        _plans_with_municipalities.build(plan_rows), _all_pillars.build(pillar_rows)
    )
    # With the digest of their rows (``boards_digest``), made once.
    _boards_memo["home"] = (key, boards, _boards_digest(boards))
    return _with_meeting_facts(boards)


def _with_meeting_facts(boards: list[dict]) -> list[dict]:
    """A plan without a published 時点 shows on the home page what it does publish: its pillars,
    its next (and last) X会議 and its schedule (xmeetings.pages.plan_meeting_facts). Read on every
    request, outside the boards' memo: which meeting is next depends on today. One query when
    such a plan is shown, none otherwise."""
    waiting = [b["plan"].pk for b in boards if not b["publication"]]
    if not waiting:
        return boards
    facts = plan_meeting_facts(waiting)
    return [
        {**b, "meeting_facts": facts.get(b["plan"].pk)} if not b["publication"] else b
        for b in boards
    ]


def dashboards(plans: list[Plan], pillars: list[Pillar] | None = None) -> list[dict]:
    """Each plan's latest 時点 with its 1–5 figures, excluded items, pillars and trend.

    Six queries for any number of plans and initiatives: five for the publications side
    (``published.published_state``, read once per publication when memoised) and one for the
    plans' pillars, which are live rows and read every time.
    """
    plan_ids = [p.pk for p in plans]
    state = published.published_state(plan_ids)
    summaries, latest = state.summaries, state.latest
    by_pillar, frozen, excluded = state.pillar_summaries, state.pillars, state.excluded
    pillars_of: dict[int, list[Pillar]] = {pk: [] for pk in plan_ids}
    plan_by_id = {p.pk: p for p in plans}
    if pillars is None:
        # The plans' own pillars: reading every plan's (_all_pillars) cost the plan page half a
        # second among 1,741 plans (bench/bench_nation.py).
        pillars = list(Pillar.objects.filter(plan_id__in=plan_ids).order_by("order", "pk"))
    for pillar in pillars:
        if pillar.plan_id in plan_by_id:
            pillar.plan = plan_by_id[pillar.plan_id]  # its URL needs the plan's slug
            pillars_of[pillar.plan_id].append(pillar)

    boards = []
    shown_excluded = settings.PUBLIC_PLAN_EXCLUDED_MAX
    memo = _board_memo_for(state.fingerprint)
    for plan in plans:
        if memo is not None:
            key = (
                get_language() or "",
                get_script_prefix(),
                shown_excluded,
                page_memo.digest(plan, plan.municipality, pillars_of[plan.pk]),
            )
            if key in memo:
                boards.append(memo[key])
                continue
        publication = latest.get(plan.pk)
        rows = []
        for pillar in pillars_of[plan.pk]:
            snap = frozen.get(pillar.pk) if publication else None
            rows.append(
                {
                    "pillar": pillar,
                    "order": snap.order if snap else pillar.order,
                    "name": snap.name if snap else pillar.name,
                    "label": localised(pillar, "name")
                    if pillar.name_en and is_english()
                    else (snap.name if snap else pillar.name),
                    "managed_through": snap.managed_through if snap else pillar.managed_through,
                    "tracked": snap.office_tracks_items if snap else pillar.office_tracks_items,
                    "done": snap.done if snap else "",
                    "next_steps": snap.next_steps if snap else "",
                    "summary": by_pillar.get(pillar.pk, EMPTY) if publication else EMPTY,
                    # The earlier 時点's narratives: readable when the latest has none yet.
                    "earlier": state.earlier.get(pillar.pk, []) if publication else [],
                }
            )
        history = state.by_plan.get(plan.pk, [])
        trend = [{"publication": p, "summary": summaries[p.pk]} for p in history]
        boards.append(
            {
                "plan": plan,
                "url": cached_reverse("plan_detail", plan.slug),
                "fingerprint": state.fingerprint,
                "publication": publication,
                "summary": summaries[publication.pk] if publication else EMPTY,
                "excluded": excluded.get(publication.pk, []) if publication else [],
                # The page lists the first PUBLIC_PLAN_EXCLUDED_MAX; the browser, filtered
                # to them, lists them all a page at a time.
                "excluded_shown": excluded.get(publication.pk, [])[:shown_excluded]
                if publication
                else [],
                "excluded_more": max(0, len(excluded.get(publication.pk, [])) - shown_excluded)
                if publication
                else 0,
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
        if memo is not None:
            memo[key] = boards[-1]
    return boards


# Each plan's board as built, for the current publication fingerprint: "fingerprint", and
# "boards" by (language, script prefix, excluded bound, digest of the plan, city and pillars
# as read). A page of 20 or 100 plans (home.json, the directory) then costs its rows' reads,
# not 20 or 100 boards' charts.
_per_plan_boards = memos.store()


def _board_memo_for(fingerprint: str) -> dict | None:
    if not published.memo_enabled() or not fingerprint:
        return None
    if _per_plan_boards.get("fingerprint") != fingerprint:
        _per_plan_boards.clear()
        _per_plan_boards.update(fingerprint=fingerprint, boards={})
    return _per_plan_boards["boards"]


def plans(meetings: bool = False):
    """Every plan with its municipality (and its X会議 count when ``meetings``), as a queryset."""
    queryset = Plan.objects.select_related("municipality")
    if meetings:
        # The plan page's meeting count saves it a query; Count over the reverse relation
        # keeps evaluations from importing xmeetings.
        queryset = queryset.annotate(meeting_count=Count("meetings"))
    return queryset


def plan_data(slug: str) -> dict:
    """The plan page: its dashboard, notes and whether it has X会議 (read with the plan, in the
    same query; built without the ORM's query compiler, which cost more than the queries)."""
    found = _plan_page_by_slug(slug)
    if not found:
        raise Http404("No Plan matches the given query.")
    plan = found[0]
    board = dashboards([plan], _pillars_of_plan(plan.pk))[0]
    notes = _notes_of_plan(plan.pk)
    history = _publications_of(board)
    return {
        **board,
        "board": board,
        "notes": notes,
        "has_meetings": plan.has_meetings,
        "publications": list(reversed(history)),
    }


def _publications_of(board: dict) -> list[dict]:
    """The plan's current publications (the newest of each round), oldest 時点 first, each
    with its summary: the list of every 時点 on the plan page (no query)."""
    if board["trend"]:
        return board["trend"]
    if board["publication"]:
        return [{"publication": board["publication"], "summary": board["summary"]}]
    return []


def pillar_data(slug: str, order: int, page=None) -> dict:
    """A pillar with one page of its items (``page``, PUBLIC_PILLAR_ITEMS_PER_PAGE each): their
    published results in the plan's latest 時点, or the initiatives while none is published. The
    summary counts every item of the pillar, in SQL."""
    return pillar_page(pillar_rows(slug, order, page))


def pillar_rows(slug: str, order: int, page=None) -> dict:
    """What ``pillar_data`` reads on every request, ``pillar_digest``'s rows: the pillar (with
    its plan, city and managing department), the plan's current publications, the pillar as
    frozen in them, the page of its results (or of its initiatives while it has none) and its
    narratives before any publication. The summary, fixed by the publication, is left to
    ``pillar_page``, which is called only when the page is rendered.

    The pillar and its results are read by prepared queries (``_Prepared``: the ORM's compiler
    cost more than the queries). With ``PUBLIC_DATA_MEMO`` on, the publications and the pillar
    as frozen in them come from ``published.published_state``, kept per publication fingerprint
    (snapshots never change for one fingerprint), so a kept page reads only the pillar, its
    results' count and the page of them."""
    found = _pillar_page(slug, order)
    if not found:
        raise Http404("No Pillar matches the given query.")
    pillar = found[0]
    plan = pillar.plan
    fingerprint = None
    if published.memo_enabled():
        state = published.published_state()
        current, fingerprint = state.current.get(plan.pk, []), state.fingerprint
    else:
        current = published.current_publications([plan.pk])
    publication = current[0] if current else None
    per_page = settings.PUBLIC_PILLAR_ITEMS_PER_PAGE
    snap = None
    rows = PublishedResult.objects.none()
    earlier = []
    if publication:
        rows = _PublishedPage(publication.pk, pillar.pk, fingerprint)
        if published.memo_enabled():
            snap = state.pillars.get(pillar.pk)
            earlier = state.earlier.get(pillar.pk, [])
        else:
            snap, earlier = published.pillar_in_time(pillar.pk, current)
    items = Paginator(rows, per_page).get_page(page)
    # Read as tuples (``_PublishedPage``); instances only when the page is rendered.
    result_rows = list(items.object_list) if items.paginator.count else []
    initiatives = []
    if not items.paginator.count:
        items = Paginator(
            Initiative.objects.filter(pillar=pillar)
            .select_related("department", "cluster")
            .order_by("order", "code", "pk"),
            per_page,
        ).get_page(page)
        initiatives = list(items.object_list)
    # Before any publication: the narratives written so far, each 時点 in order (a year's
    # interim before its year-end).
    narratives = list(pillar.narratives.order_by("fiscal_year", "kind")) if not snap else []
    return {
        "current": current,
        "fingerprint": fingerprint,
        "earlier": earlier,
        "narrative_empty": not (snap and (snap.done or snap.next_steps)),
        "plan": plan,
        "pillar": pillar,
        "publication": publication,
        "snapshot": snap,
        "result_rows": result_rows,
        "initiatives": initiatives,
        "items": items,
        "narratives": narratives,
    }


# A pillar's published results' ids in the page's order, per (publication, pillar), for the
# publication fingerprint "fingerprint": snapshot rows never change, so neither do their order
# and count (sorting a 3,333-item pillar on every request was most of its page's time).
_result_order = memos.store()


class _PublishedPage:
    """A pillar's published results in one publication, in the page's order, for a Paginator:
    its count and the slice shown, each one prepared query; with ``PUBLIC_DATA_MEMO`` the
    order (and so the count) is kept per publication fingerprint and the slice read by id.
    Each row comes with its department (read live)."""

    ordered = True

    def __init__(self, publication_id: int, pillar_id: int, fingerprint: str | None = None):
        self.params = [publication_id, pillar_id]
        self.fingerprint = fingerprint

    def _order(self) -> list[int] | None:
        if not self.fingerprint:
            return None
        if _result_order.get("fingerprint") != self.fingerprint:
            _result_order.clear()
            _result_order["fingerprint"] = self.fingerprint
        key = tuple(self.params)
        if key not in _result_order:
            connection = read_connection(PublishedResult)
            q = connection.ops.quote_name
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {q('id')} FROM {q(PublishedResult._meta.db_table)}"
                    f" WHERE {q('publication_id')} = %s AND {q('pillar_id')} = %s"
                    f" ORDER BY {q('order')}, {q('code')}, {q('id')}",
                    self.params,
                )
                _result_order[key] = [pk for (pk,) in cursor.fetchall()]
        return _result_order[key]

    def count(self) -> int:
        order = self._order()
        if order is not None:
            return len(order)
        connection = read_connection(PublishedResult)
        q = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM {q(PublishedResult._meta.db_table)}"
                f" WHERE {q('publication_id')} = %s AND {q('pillar_id')} = %s",
                self.params,
            )
            return cursor.fetchone()[0]

    def __getitem__(self, page: slice) -> list[tuple]:
        """The rows of the slice as the database gives them: a kept page needs only their
        digest; ``results`` builds the instances when the page is rendered."""
        connection = read_connection(PublishedResult)
        q = connection.ops.quote_name
        order = self._order()
        with connection.cursor() as cursor:
            if order is not None:
                ids = order[page]
                if not ids:
                    return []
                cursor.execute(
                    f"{_results_with_departments.select()}"
                    f" WHERE t0.{q('id')} IN ({', '.join(['%s'] * len(ids))})",
                    ids,
                )
                place = {pk: n for n, pk in enumerate(ids)}
                return sorted(cursor.fetchall(), key=lambda row: place[row[0]])
            cursor.execute(
                f"{_results_with_departments.select()}"
                f" WHERE t0.{q('publication_id')} = %s AND t0.{q('pillar_id')} = %s"
                f" ORDER BY t0.{q('order')}, t0.{q('code')}, t0.{q('id')} LIMIT %s OFFSET %s",
                [*self.params, page.stop - page.start, page.start],
            )
            return cursor.fetchall()

    @staticmethod
    def results(rows: list[tuple]) -> list[PublishedResult]:
        found = _results_with_departments.build(rows)
        for row in found:
            row.department_name_en = row.department.name_en
        return found


def pillar_page(data: dict) -> dict:
    """``pillar_rows`` with the pillar's summary in its publication: kept per publication
    fingerprint with ``PUBLIC_DATA_MEMO`` on (the publication is its plan's latest), one query
    off."""
    publication, pillar = data["publication"], data["pillar"]
    results = _PublishedPage.results(data["result_rows"])
    if data["result_rows"]:
        data["items"].object_list = results
    if publication is not None and published.memo_enabled():
        summary = published.published_state().pillar_summaries.get(pillar.pk, EMPTY)
    else:
        summary = published.summary_of(publication, pillar=pillar)
    return {**data, "results": results, "summary": summary}


def pillar_digest(data: dict) -> str:
    """A digest of every row ``pillar_rows`` read (reformtracker.page_memo): the publications
    (their fingerprint, which carries the master data's version: the plan's current
    publications, the pillar as frozen in them and its summary are ``published_state``'s, fixed
    by it), the pillar, its plan, city and managing department, the page shown (its number and
    count) with its results and their departments as read, or its initiatives with their
    departments and clusters, and the narratives."""
    pillar, items = data["pillar"], data["items"]
    return page_memo.digest(
        data["fingerprint"] or published.publication_fingerprint(),
        pillar,
        data["plan"],
        data["plan"].municipality,
        pillar.managing_department,
        (items.number, items.paginator.count),
        page_memo.rows_digest(data["result_rows"]),
        [(i, i.department, i.cluster) for i in data["initiatives"]],
        data["narratives"],
    )


def initiative_of(slug: str, code: str) -> Initiative:
    """The initiative ``code`` of plan ``slug`` with its plan (and city), pillar, department
    and cluster set, and ``shown_meetings`` (its X会議 by date); Http404 when there is none.
    Five or six small queries the ORM does not have to build."""
    plans = _plan_by_slug(slug)
    found = _initiative_in_plan(plans[0].pk, code) if plans else []
    if not found:
        raise Http404("No Initiative matches the given query.")
    item = found[0]
    item.plan = item.pillar.plan = plans[0]
    item.department = _department(item.department_id)[0]
    item.cluster = _cluster(item.cluster_id)[0] if item.cluster_id else None
    item.shown_meetings = _meetings_of(item)
    return item


def current_code(slug: str, code: str) -> str | None:
    """The number an initiative has now that was published as ``code`` in plan ``slug`` and
    renumbered since (evaluations.services.plan_edits.renumber_initiative), so a published
    page's link still finds it; None when no published result carries that number. A number
    one item was published under is never given to another, so the answer is one item's."""
    return (
        PublishedResult.objects.filter(publication__round__plan__slug=slug, code=code)
        .exclude(initiative__code=code)
        .values_list("initiative__code", flat=True)
        .first()
    )


def _meetings_of(initiative: Initiative) -> list:
    """The initiative's X会議 by date (one query; through the relation, so evaluations does not
    import xmeetings)."""
    relation = Initiative._meta.get_field("meetings")
    meeting, through = relation.related_model, relation.through
    query = _meetings_query.get(meeting)
    if query is None:
        query = _meetings_query[meeting] = _Prepared(meeting, "earliest", "pk")
    q = connections[DEFAULT_DB_ALIAS].ops.quote_name
    to_meeting = next(f for f in through._meta.fields if f.related_model is meeting)
    to_item = next(f for f in through._meta.fields if f.related_model is Initiative)
    return query.query(
        f"WHERE t0.{q(meeting._meta.pk.column)} IN (SELECT {q(to_meeting.column)}"
        f" FROM {q(through._meta.db_table)} WHERE {q(to_item.column)} = %s)"
        f" ORDER BY t0.{q('earliest')}, t0.{q(meeting._meta.pk.column)}",
        [initiative.pk],
    )


def initiative_data(slug: str, code: str, initiative: Initiative | None = None) -> dict:
    """The initiative page: the item (``initiative_of``, unless given) and every publication
    that included it, superseded ones too (its published history), newest first."""
    initiative = initiative or initiative_of(slug, code)
    current = {
        p.pk for p in published.every_current_publication() if p.round.plan_id == initiative.plan_id
    }
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
        "meetings": initiative.shown_meetings,
        # Its indicators over the current 時点 (one query; none without indicators).
        "indicators": indicators.series_of(initiative, current),
    }


def _text_width(text: str, size: int = 11) -> int:
    """Rough advance width: full-width characters a full em, others about 0.6 em."""
    return int(sum(size if ord(c) > 0x2E7F else size * 0.62 for c in text)) + 12


def badge_data(slug: str, board: dict | None = None) -> dict:
    """What the embeddable SVG badge shows: the plan's headline rate, sized to its text
    (``board``: the plan's ``plan_data`` when already read)."""
    board = board or plan_data(slug)
    plan, summary = board["plan"], board["summary"]
    label = "achievement rate" if is_english() else "達成率"
    value = summary.rate_display(language())
    left, right = _text_width(label), _text_width(value)
    return {
        **board,
        "label": label,
        "value": value,
        "left": left,
        "right": right,
        "width": left + right,
        "title": localised(plan, "title"),
        "colour": Result.ACHIEVED.hex,
        "LANGUAGE_CODE": language(),
    }
