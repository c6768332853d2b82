"""The initiative browser's data: its filters as a form that reads the query string, and one
query function that gives a page of initiatives with their published results.

The HTML page (views/public.py) and the read API (views/api.py) both call ``browse``.
"""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.db.models.base import ModelState
from django.db.models.expressions import RawSQL
from django.urls import get_script_prefix
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from evaluations import published, search_index
from evaluations.boards import Prepared
from evaluations.choices import Result
from evaluations.models import Publication, PublishedResult, Round
from evaluations.search_index import dense, holds, walked
from initiatives.models import (
    Department,
    Initiative,
    Municipality,
    Pillar,
    Plan,
    ReformLevel,
)
from initiatives.prefectures import Prefecture
from reformtracker import links, memos, page_memo
from reformtracker.bounds import bounded_int, fiscal_year_or_none
from reformtracker.calendar_ja import normalize
from reformtracker.db_routers import read_connection
from reformtracker.textnorm import excerpt, highlight, search_terms

PAGE_SIZE = 20
_CODE = re.compile(r"[\w.-]+")  # what an initiative's number may look like
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

    prefecture = _Text()
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
        known_prefecture = data["prefecture"] in Prefecture.values
        data["prefecture_code"] = data["prefecture"] if known_prefecture else None
        data["terms"] = search_terms(data["q"])
        known = (*Result.values, NOT_PUBLISHED)
        data["result_filter"] = data["result"] if data["result"] in known else None
        self.problems = {
            name: MALFORMED % {"filter": label, "value": data[name]}
            for name, meaning, label in (
                ("prefecture", "prefecture_code", _("都道府県")),
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


def _matching(
    initiatives,
    filters: dict,
    plan,
    snapshots,
    shown_ids: list[int],
    *,
    walking: bool = False,
    probed: bool = False,
):
    """``initiatives`` narrowed by the chosen filters; ``snapshots`` are the shown 時点's rows
    of each initiative (``shown_ids`` the publications; None when neither "not published" nor
    ``walking`` reads them). ``walking``: the words are dense (search_index.dense), tested on
    each item the page's walk reads instead of found by id. ``probed``: a result or a year is
    tested on each item by a probe of its shown row (EXISTS) instead of found in the ids of
    the shown rows (``_Walk._read`` walks its first pages so)."""
    # Every condition is on the initiative's own columns or a subquery (no join): the page's
    # walk (_Walk) puts them after its own joins.
    if plan:
        initiatives = initiatives.filter(plan=plan)
    if filters["prefecture_code"]:
        in_prefecture = Plan.objects.filter(municipality__prefecture=filters["prefecture_code"])
        initiatives = initiatives.filter(plan__in=in_prefecture.values("pk"))
    if filters["pillar_id"]:
        initiatives = initiatives.filter(pillar_id=filters["pillar_id"])
    if filters["department_id"]:
        initiatives = initiatives.filter(department_id=filters["department_id"])
    if filters["reform_level"]:
        initiatives = initiatives.filter(reform_level=filters["reform_level"])
    # A result (or a year) is the ids of the shown rows, read once from the index
    # pubresult_browse_result, not a probe of each initiative's row: a result implies the
    # row, so the year adds nothing to it. (``probed``: a probe of each item's row, for the
    # first pages of many matches, which the walk fills after a few dozen items; and the count
    # reads the rows themselves when one publication is shown: ``_Walk.count``.)
    shown_rows = PublishedResult.objects.filter(publication_id__in=shown_ids)
    result = filters["result_filter"]
    if result and result != NOT_PUBLISHED:
        shown_rows = shown_rows.filter(result=result)
    if (result and result != NOT_PUBLISHED) or filters["fiscal_year"] is not None:
        if probed:
            initiatives = initiatives.filter(Exists(shown_rows.filter(initiative=OuterRef("pk"))))
        else:
            initiatives = initiatives.filter(pk__in=shown_rows.values("initiative_id"))
    if result == NOT_PUBLISHED:
        initiatives = initiatives.filter(~Exists(snapshots))
    if terms := filters["terms"]:
        # Every word of the query is in the item's text or in its shown published row, both
        # sides folded by one function (reformtracker.textnorm: ゴミ = ごみ, ３ = 3, サーバー =
        # サーバ); or the query is the item's number. Each word's matches are one UNION of
        # ids, not a condition tested on every initiative: each side reads its text index
        # where there is one (evaluations.search_index: trigrams or bigrams on PostgreSQL,
        # FTS5 on SQLite) and the page's walk tests its items against the ids found.
        # (On SQLite a search that is not walked is added to the compiled WHERE of the other
        # filters instead: _searched_on_sqlite.)
        for n, term in enumerate(terms):
            codes = _numbered(filters, n)
            by_code = Initiative.objects.filter(code__in=codes).values("pk") if codes else None
            if walking:
                # A word in (almost) every item: the walk tests each item it reads, its own
                # text first, and the first page is full after a few dozen.
                in_published = snapshots.filter(walked(PublishedResult, term))
                condition = Q(walked(Initiative, term)) | Q(Exists(in_published))
                if codes:
                    condition |= Q(pk__in=by_code)
                initiatives = initiatives.filter(condition)
                continue
            found = Initiative.objects.filter(holds(Initiative, term)).values("pk")
            published_match = PublishedResult.objects.filter(
                holds(PublishedResult, term), publication_id__in=shown_ids
            ).values("initiative_id")
            if codes:
                initiatives = initiatives.filter(pk__in=found.union(published_match, by_code))
            else:
                initiatives = initiatives.filter(pk__in=found.union(published_match))
    return initiatives


def _numbered(filters: dict, n: int) -> set[str] | tuple:
    """The item numbers the ``n``-th word may also mean: the query as typed, upper- and
    lower-cased, when it is one word that looks like a number (「6-5」, 「a-1」: codes are
    written as typed, and found by their index), else none."""
    code = filters["q"]
    if n == 0 and len(filters["terms"]) == 1 and code.isascii() and _CODE.fullmatch(code):
        return {code, code.upper(), code.lower()}
    return ()


def _searched_on_sqlite(filters: dict, plan, shown_ids) -> dict:
    """``_filtered`` for a search on SQLite that is not walked: the other filters kept and
    compiled once for every search among them (``_filtered`` without the words, as browsing
    keeps them), and each word's ids (``_found_on_sqlite``) added to their WHERE as the ORM
    adds ``pk__in=`` of them: the same conditions, values and order (the ORM would put one
    pair of parentheses around them all, not around the other filters). A queryset built and
    compiled again for each word nobody searched before was a fifth of such a page's CPU at
    seed size. Its "matching" is the other filters' queryset: the walk reads only "where"."""
    unsearched = _filtered({**filters, "q": "", "terms": []}, plan, shown_ids, False)
    searched = {"matching": unsearched["matching"], "where": None}
    try:
        where, params = _compiled_where(unsearched["matching"], unsearched)
    except EmptyResultSet:
        return searched
    q = connection.ops.quote_name
    pk = f"{q(Initiative._meta.db_table)}.{q('id')}"
    conditions = [] if where == "1 = 1" else [where]
    for n, term in enumerate(filters["terms"]):
        found = _found_on_sqlite(term, shown_ids, _numbered(filters, n))
        conditions.append(f"{pk} IN ({found.sql})")
        params += found.params
    searched["where"] = (" AND ".join(conditions), params)
    return searched


def _found_on_sqlite(term: str, shown_ids, codes) -> RawSQL:
    """The ids ``_matching`` finds for ``term`` on SQLite (and ``codes``, the item's number as
    typed), written as the ORM writes that UNION (``holds`` on each side, through the FTS5
    index for three characters or more, INSTR for fewer) but without building and compiling
    three querysets for each new search: that was most of its CPU."""
    q = connection.ops.quote_name
    params: list = []

    def holding(model, alias: str) -> str:
        table = model._meta.db_table
        if len(term) >= 3:
            fts = search_index.TABLES[table][0]
            params.append('"' + term.replace('"', '""') + '"')
            return f"{alias}.{q('id')} IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)"
        params.append(term)
        return f"INSTR({alias}.{q('search_text')}, %s) > 0"

    item, result = (q(m._meta.db_table) for m in (Initiative, PublishedResult))
    sql = f"SELECT U0.{q('id')} FROM {item} U0 WHERE {holding(Initiative, 'U0')}"
    published = holding(PublishedResult, "U1")
    if isinstance(shown_ids, RawSQL):
        shown, shown_params = shown_ids.sql, list(shown_ids.params)
    else:
        shown, shown_params = ", ".join(["%s"] * len(shown_ids)) or "NULL", list(shown_ids)
    # A word read through FTS5 finds its published rows by their ids, each looked up once: the
    # unary + keeps SQLite from reading every row of the shown publications in their index
    # and testing each against the word's list (a word in one row among 10,000: 1.8 -> 0.14
    # ms). A shorter word is tested on each of those rows anyway (INSTR), so they are read.
    by_id = "+" if len(term) >= 3 else ""
    sql += (
        f" UNION SELECT U1.{q('initiative_id')} FROM {result} U1"
        f" WHERE {published} AND {by_id}U1.{q('publication_id')} IN ({shown})"
    )
    params += shown_params
    if codes:
        sql += f" UNION SELECT U2.{q('id')} FROM {item} U2 WHERE U2.{q('code')} IN"
        sql += f" ({', '.join(['%s'] * len(codes))})"
        params += list(codes)
    return RawSQL(sql, params)


# Page numbers past this are read by Paginator as it always did (and a number this large
# would overflow the database's OFFSET).
_LAST_FAST_PAGE = 1_000_000
# The rows the filter form lists, read with prepared statements (boards.Prepared): the ORM
# built these queries in longer than the database ran them.
_plans = Prepared(Plan, "pk", join="municipality")
_departments = Prepared(Department, "code", join="municipality")
_pillars = Prepared(Pillar, "pk", join="plan")


def _quoted(model, field: str = "pk") -> tuple[str, str]:
    q = connection.ops.quote_name
    opts = model._meta
    return q(opts.db_table), q(opts.pk.column if field == "pk" else opts.get_field(field).column)


def _plan_choices(slug: str, prefecture: str) -> tuple[list[Plan], bool]:
    """(the plans the form lists, whether there were too many to list) in one query.

    Up to PUBLIC_BROWSE_PLAN_CHOICES_MAX plans (of ``prefecture`` when chosen) are listed; past
    that only the chosen plan is, and the form asks for a prefecture first: a list of 1,741
    plans is no use to a reader and cost the page most of its time."""
    most = settings.PUBLIC_BROWSE_PLAN_CHOICES_MAX
    q = connection.ops.quote_name
    conditions, params = [], []
    if prefecture:
        conditions.append(f"t1.{q('prefecture')} = %s")
        params.append(prefecture)
    where = " AND ".join(conditions) or "1 = 1"
    found = _query(
        _plans,
        f"WHERE ({where}) OR t0.{q('slug')} = %s"
        f" ORDER BY CASE WHEN t0.{q('slug')} = %s THEN 0 ELSE 1 END,"
        f" t0.{q('order')}, t0.{q('slug')} LIMIT %s",
        [*params, slug, slug, most + 1],
    )
    # What is listed is a function of the rows read and of ``slug`` (in the page's address):
    # their digest stands for it.
    if len(found) > most:
        return Built([p for p in found[:1] if p.slug == slug], digest=found.digest), True
    return Built(sorted(found, key=lambda p: (p.order, p.slug)), digest=found.digest), False


def _pillar_choices(plan_ids: tuple[int, ...], chosen: int | None) -> list[Pillar]:
    """The pillars of ``plan_ids`` (and the chosen one), in their plans' order (one query)."""
    q = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(plan_ids)) or "NULL"
    return _query(
        _pillars,
        f"WHERE t0.{q('plan_id')} IN ({marks}) OR t0.{q('id')} = %s"
        f" ORDER BY t1.{q('order')}, t1.{q('slug')}, t0.{q('order')}, t0.{q('id')}",
        [*plan_ids, chosen or 0],
    )


def _department_choices(plan_ids: tuple[int, ...], chosen: int | None) -> list[Department]:
    """The departments that own initiatives of ``plan_ids`` (and the chosen one), by city and
    code (one query)."""
    table, department = _quoted(Initiative, "department")
    _, plan_column = _quoted(Initiative, "plan")
    plans, plan_pk = _quoted(Plan)
    _, pk = _quoted(Department)
    q = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(plan_ids)) or "NULL"
    step, at, of = q("department_steps"), q("department"), q("plan")
    # A loose index scan of ``initiative_plan_department``: per plan its smallest department,
    # then the next one above it, one index probe each, until there is none. A plan of 10,000
    # items has ~20 departments: reading all its items to find them took 1.0 ms a call on
    # SQLite, the steps 0.13 ms.
    # The ids as one UNION, not EXISTS per department: among 17,410 departments the EXISTS
    # probed every one of them (bench/bench_nation.py, a plan chosen).
    return _query(
        _departments,
        f"WHERE t0.{pk} IN (WITH RECURSIVE {step} ({of}, {at}) AS ("
        f"SELECT p.{plan_pk}, (SELECT MIN(i.{department}) FROM {table} i"
        f" WHERE i.{plan_column} = p.{plan_pk}) FROM {plans} p WHERE p.{plan_pk} IN ({marks})"
        f" UNION ALL SELECT s.{of}, (SELECT MIN(i.{department}) FROM {table} i"
        f" WHERE i.{plan_column} = s.{of} AND i.{department} > s.{at})"
        f" FROM {step} s WHERE s.{at} IS NOT NULL)"
        f" SELECT {at} FROM {step} WHERE {at} IS NOT NULL UNION SELECT %s)"
        f" ORDER BY t1.{q('slug')}, t0.{q('code')}",
        [*plan_ids, chosen or 0],
    )


# The filter form's lists, kept per process for the publication fingerprint they were read
# under (with PUBLIC_DATA_MEMO, as what a publication fixes is): the fingerprint carries
# MasterDataVersion, which database triggers count on every write of the tables they are read
# from (initiatives migration 0012), so a list is read again once any of its rows may have
# changed, and otherwise not at all (three queries of the browser's seven; on PostgreSQL a
# third of a first-seen page's time).
def _kept(read, *args):
    """``read(*args)``, kept for the fingerprint (without PUBLIC_DATA_MEMO: read every time)."""
    if not published.memo_enabled():
        return read(*args)
    alias = read_connection(Initiative).alias
    return _read_once(read, alias, published.publication_fingerprint(), args)


# Room for the form's lists and the browsing counts and pages of many filter combinations.
@memos.lru(2048)
def _read_once(read, _alias: str, _fingerprint: str, args: tuple):
    """``read(*args)`` once per connection and fingerprint (the key is every argument)."""
    return read(*args)


def _fetched(sql: str, params) -> tuple:
    with read_connection().cursor() as cursor:
        cursor.execute(sql, params)
        return tuple(cursor.fetchall())


# Fixed lists (their labels translate lazily, as they are shown): built once, not per request.
_RESULT_CHOICES = [(r.value, r.label) for r in Result]
_LEVEL_CHOICES = ReformLevel.choices
_PREFECTURE_CHOICES = Prefecture.choices


def _choices(plans: list[Plan], many: bool, plan, filters) -> dict:
    """The options of the filter form: the pillars and departments of the chosen plan, or of
    every listed plan while they are few enough to list (none past that: choose a plan)."""
    plan_ids = (plan.pk,) if plan else (() if many else tuple(p.pk for p in plans))
    return {
        "pillars": _kept(_pillar_choices, plan_ids, filters["pillar_id"]),
        "departments": _kept(_department_choices, plan_ids, filters["department_id"]),
        "results": _RESULT_CHOICES,
        "levels": _LEVEL_CHOICES,
        "prefectures": _PREFECTURE_CHOICES,
        "many_plans": many,
    }


# The page's initiatives with their pillar, plan, city and department, as
# ``select_related("plan__municipality", "pillar", "department")`` reads them, in one SQL string
# and converters worked out once per process (boards.Prepared gives each model's columns and
# converters): the ORM compiled that query, and built its hundred instances, in more time than
# SQLite ran it.
_ITEM_MODELS = (Initiative, Pillar, Plan, Municipality, Department)
_item_parts = {model: Prepared(model, "pk") for model in _ITEM_MODELS}
_items_sql_of: dict = memos.store()  # per database: its SQL and each model's columns


def _items_sql(connection_) -> tuple[str, list]:
    q = connection_.ops.quote_name
    aliases = dict(zip(_ITEM_MODELS, ("i", "pl", "p", "m", "d"), strict=True))
    columns = [
        f"{alias}.{q(f.column)}"
        for model, alias in aliases.items()
        for f in model._meta.concrete_fields
    ]
    item = Initiative._meta

    def on(model, column):
        alias = aliases[model]
        return f" JOIN {q(model._meta.db_table)} {alias} ON {alias}.{q('id')} = {column}"

    sql = (
        f"SELECT {', '.join(columns)} FROM {q(item.db_table)} i"
        + on(Pillar, f"i.{q(item.get_field('pillar').column)}")
        + on(Plan, f"i.{q(item.get_field('plan').column)}")
        + on(Municipality, f"p.{q(Plan._meta.get_field('municipality').column)}")
        + on(Department, f"i.{q(item.get_field('department').column)}")
        + f" WHERE i.{q('id')} IN "
    )
    parts = []
    for model in _ITEM_MODELS:
        _model, attnames, converters, _pk = _item_parts[model]._prepared(connection_)[1][0]
        converted = [(n, funcs) for n, funcs in enumerate(converters) if funcs]
        parts.append((model, attnames, converted))
    return sql, parts


def _instances(model, attnames: list[str], converted: list, rows, alias: str, connection_):
    """Instances of ``model`` from ``rows`` (every concrete column, in the model's order), as
    ``Model.from_db`` makes them: the columns set as they are when read, the state "from the
    database" (no model of the browser listens to pre_init or post_init)."""
    made = []
    new = model.__new__
    for row in rows:
        values = list(row)
        for n, funcs in converted:
            for func, col in funcs:
                values[n] = func(values[n], col, connection_)
        instance = new(model)
        state = ModelState()
        state.adding, state.db = False, alias
        instance._state = state
        instance.__dict__.update(zip(attnames, values, strict=True))
        made.append(instance)
    return made


class Built(list):
    """Instances built from rows as the database gave them, with ``digest``: a digest of those
    rows (every concrete column of every instance and of the rows joined to it), which stands
    for the instances in ``browse_digest`` (the same rows give the same instances)."""

    def __init__(self, instances=(), *, digest: str):
        super().__init__(instances)
        self.digest = digest


# The filter form's plans, pillars and departments, built once per process for the rows read
# (keyed by those rows, so an edit of any of them reads as new rows and builds anew; nothing is
# kept past a change). They are read on every request; building their instances and hashing
# their columns again cost more than the queries. Shared by requests, which only read them.
# The least recently used go first (memos.Bounded).
_choices_built = memos.Bounded(256)
# The page's initiatives (with their pillar, plan, city and department) built per row read,
# the same way; each request gets its own copy of the initiative (it is given the request's
# published result and search marks), the rows joined to it shared.
_items_built = memos.Bounded(4096)


def _hashable(rows):
    """``rows`` as a key: themselves, or their repr where a value cannot be hashed (psycopg
    reads a JSON column as a dict)."""
    rows = tuple(rows)
    try:
        hash(rows)
    except TypeError:
        return repr(rows)
    return rows


def _query(prepared, tail: str, params) -> list:
    """``prepared.query(tail, params)`` (boards.Prepared: the model's rows with the row of its
    ``join``), its instances made as ``_instances`` makes them."""
    connection_ = read_connection(prepared.model)
    with connection_.cursor() as cursor:
        cursor.execute(f"{prepared.select()} {tail}", params)
        rows = cursor.fetchall()
    key = (prepared, connection_.alias, _hashable(rows))
    kept = _choices_built.get(key)
    if kept is not None:
        return kept
    start, built = 0, []
    for model, attnames, converters, _pk in prepared._prepared(connection_)[1]:
        converted = [(n, funcs) for n, funcs in enumerate(converters) if funcs]
        part = [row[start : start + len(attnames)] for row in rows]
        built.append(_instances(model, attnames, converted, part, connection_.alias, connection_))
        start += len(attnames)
    (join,) = prepared.joins  # the browser's prepared queries join one foreign key each
    for main, joined in zip(*built, strict=True):
        main._state.fields_cache[join] = joined
    kept = Built(built[0], digest=page_memo.rows_digest(prepared.model._meta.label, rows))
    _choices_built.put(key, kept)
    return kept


def _items(ids: list[int]) -> list[Initiative]:
    """The initiatives ``ids`` (in no order) with ``plan.municipality``, ``pillar`` and
    ``department`` set, in one query."""
    connection_ = read_connection(Initiative)
    key = (connection_.vendor, connection_.settings_dict["NAME"])
    if key not in _items_sql_of:
        _items_sql_of[key] = _items_sql(connection_)
    sql, parts = _items_sql_of[key]
    with connection_.cursor() as cursor:
        cursor.execute(f"{sql}({', '.join(['%s'] * len(ids))})", ids)
        rows = cursor.fetchall()
    alias = connection_.alias
    keys = [(alias, _hashable(row)) for row in rows]
    found = _items_built.get_many(keys)
    new = [row for row, key in zip(rows, keys, strict=True) if key not in found]
    if new:
        start, built = 0, []
        for model, attnames, converted in parts:
            width = len(attnames)
            part = [row[start : start + width] for row in new]
            built.append(_instances(model, attnames, converted, part, alias, connection_))
            start += width
        for row, item, pillar, plan, city, department in zip(new, *built, strict=True):
            # As select_related sets them: the related instance cached, the id column as read.
            plan._state.fields_cache["municipality"] = city
            cached = item._state.fields_cache
            cached["pillar"], cached["plan"], cached["department"] = pillar, plan, department
            # The row's digest (browse_digest): every column of the five rows, as read.
            item.row_digest = page_memo.rows_digest(row)
            found[(alias, _hashable(row))] = item
        _items_built.put_many(found.items())
    return [_copy(found[key], alias) for key in keys]


def _copy(item: Initiative, alias: str) -> Initiative:
    """A copy of ``item`` for one request, its related rows (not copied) cached as in
    ``item``."""
    copied = Initiative.__new__(Initiative)
    copied.__dict__.update(item.__dict__)
    state = ModelState()
    state.adding, state.db = False, alias
    state.fields_cache = dict(item._state.fields_cache)
    copied._state = state
    return copied


def _known_items(ids: list[int], known: tuple[list, list, list]) -> list[Initiative]:
    """The initiatives ``ids`` (in no order) as ``_items`` gives them, their plan (with its
    city), pillar and department taken from ``known`` (the plans, pillars and departments the
    filter form lists, read in this request): one query of the initiatives' own columns, not
    their five tables' joined on every row (a plan's long texts, read twenty times, were most
    of the page's query). An item whose rows are not among them (a plan added since) is read
    by ``_items``."""
    plans, pillars, departments = ({row.pk: row for row in rows} for rows in known)
    connection_ = read_connection(Initiative)
    prepared = _item_parts[Initiative]
    q = connection_.ops.quote_name
    with connection_.cursor() as cursor:
        cursor.execute(
            f"{prepared.select()} WHERE t0.{q('id')} IN ({', '.join(['%s'] * len(ids))})", ids
        )
        rows = cursor.fetchall()
    alias = connection_.alias
    keys = [("initiative", alias, _hashable(row)) for row in rows]
    found = _items_built.get_many(keys)
    new = [row for row, key in zip(rows, keys, strict=True) if key not in found]
    if new:
        _model, attnames, converters, _pk = prepared._prepared(connection_)[1][0]
        converted = [(n, funcs) for n, funcs in enumerate(converters) if funcs]
        built = _instances(Initiative, attnames, converted, new, alias, connection_)
        for row, item in zip(new, built, strict=True):
            # The row's digest (browse_digest); the form's rows are digested with the form.
            item.row_digest = page_memo.rows_digest(row)
            found[("initiative", alias, _hashable(row))] = item
        _items_built.put_many(found.items())
    items = []
    for key in keys:
        item = _copy(found[key], alias)
        related = (
            pillars.get(item.pillar_id),
            plans.get(item.plan_id),
            departments.get(item.department_id),
        )
        if any(row is None for row in related):  # (`None in` would compare models)
            return _items(ids)
        cached = item._state.fields_cache
        cached["pillar"], cached["plan"], cached["department"] = related
        # Its plan, pillar and department are the form's (digested with the form's lists).
        item.related_key = (item.plan_id, item.pillar_id, item.department_id)
        items.append(item)
    return items


def _rows(ids: list[int], shown_for, terms: list[str], known=None) -> list:
    """The initiatives ``ids`` in that order with their plan, city, pillar and department, and
    their published result, title and 時点 of ``shown_for(plan ids)`` (each plan's shown
    publication), with what the search matched marked (two queries, three when ``shown_for``
    reads the publications). ``known``: the filter form's plans, pillars and departments when
    every item's are among them (``_known_items``)."""
    if not ids:
        return []
    found = {i.pk: i for i in (_items(ids) if known is None else _known_items(ids, known))}
    shown = shown_for({i.plan_id for i in found.values()})
    # The page's plans' shown publications, looked up (not a walk of every plan's).
    by_publication = {
        shown[i.plan_id].pk: shown[i.plan_id] for i in found.values() if i.plan_id in shown
    }
    publications = set(by_publication)
    snapshots: dict[int, tuple] = {}
    table, initiative = _quoted(PublishedResult, "initiative")
    _, publication = _quoted(PublishedResult, "publication")
    q = connection.ops.quote_name
    # The narrative and reason only say where a search matched: not read without one.
    texts = f"{q('narrative')}, {q('reason')}" if terms else "NULL, NULL"
    with read_connection().cursor() as cursor:
        cursor.execute(
            f"SELECT {initiative}, {q('result')}, {q('title')}, {publication}, {texts} FROM {table}"
            f" WHERE {publication} IN ({', '.join(['%s'] * len(publications)) or 'NULL'})"
            f" AND {initiative} IN ({', '.join(['%s'] * len(ids))})",
            [*publications, *ids],
        )
        for row in cursor.fetchall():
            snapshots[row[0]] = row[1:]
    addresses = {}  # per plan: its items' pages, reversed once (links.reverser)
    rows = []
    for pk in ids:
        item = found[pk]
        if item.plan_id not in addresses:
            addresses[item.plan_id] = links.reverser("initiative_detail", item.plan.slug)
        item.url = addresses[item.plan_id](item.code)
        result, title, publication_id, narrative, reason = snapshots.get(pk, (None,) * 5)
        item.published_result, item.published_title = result, title
        item.publication_id = publication_id
        item.publication = by_publication.get(publication_id)
        item.marks = Marks(title or item.title, terms, narrative, reason, item)
        rows.append(item)
    return rows


class Marks:
    """A row's title with what the search matched marked, and where else it matched when the
    title does not show it (an excerpt of its narrative, reason, target, description or English
    title), each worked out when the page first shows it: a row whose title cell is kept
    (``_key_rows``) never needs them."""

    def __init__(self, title: str, terms: list[str], narrative, reason, item: Initiative):
        self._title, self._terms = title, terms
        self._texts = (narrative, reason, item.target, item.description, item.title_en)

    @property
    def published_texts(self) -> tuple:
        return self._texts[:2]

    @cached_property
    def title(self):
        return highlight(self._title, self._terms)

    @cached_property
    def matched(self):
        if not self._terms or "<mark>" in self.title:
            return None
        texts = (t for t in self._texts if t)
        return next(filter(None, (excerpt(t, self._terms) for t in texts)), None)


# The browser's order: plan order and slug, pillar order, item order and number.
ORDER = ("plan__order", "plan__slug", "pillar__order", "order", "code")


def _compiled_where(matching, kept: dict) -> tuple[str, list]:
    """The WHERE of ``matching`` (initiatives) on the initiatives' table, compiled once into
    ``kept["where"]`` (EmptyResultSet when nothing can match)."""
    if "where" not in kept:
        query = matching.query
        joined = [a for a, n in query.alias_refcount.items() if n and a != query.base_table]
        assert not joined, "every filter is on the initiative's own columns"
        compiler = query.get_compiler(connection=connection)
        try:
            kept["where"] = compiler.compile(query.where)
        except FullResultSet:
            kept["where"] = ("1 = 1", [])
        except EmptyResultSet:
            kept["where"] = None
    if kept["where"] is None:
        raise EmptyResultSet
    where, params = kept["where"]
    return where, list(params)


class _Walk:
    """The ids of ``matching`` (initiatives) in the browser's order, read a slice at a time, for
    Paginator: plan order and slug, pillar order, item order and number.

    On SQLite one query per slice, which walks the plans in order (index plan_order_slug),
    each plan's pillars in order (their unique (plan, order)) and each pillar's items in order
    (index initiative_browse_order), testing the filters on the way: a page, however deep, reads the
    index entries before it and no row of the items it skips, and nothing is sorted. Ordering
    by the joined columns instead made SQLite sort every match of every page (a 10,000-item
    plan: its page 250 in 11 ms, its result filter in 26 ms, against 0.3 ms walked). An item's
    pillar is of its own plan (Initiative.clean), which the walk's joins rely on.
    """

    def __init__(
        self,
        matching,
        plan,
        *,
        searched: bool = False,
        compiled: dict | None = None,
        per_fingerprint: bool = False,
    ):
        self.matching, self.plan, self.searched = matching.order_by(), plan, searched
        # Browsing without a word: what the walk reads is kept for the fingerprint (``_fetch``).
        self.per_fingerprint = per_fingerprint
        # Where the compiled WHERE is kept: this walk's own, or the memo of the filters
        # (``_filtered``) that gave ``matching``.
        self._kept = {} if compiled is None else compiled
        self.matches: int | None = None  # how many match, once counted (up to the bound + 1)

    def _where(self) -> tuple[str, list]:
        return _compiled_where(self.matching, self._kept)

    def _bounded(self, most: int) -> tuple[str, list]:
        """A row for each of the first ``most`` + 1 matches in no order, as
        ``matching.values("pk")[:most + 1]`` finds them, from the WHERE compiled once; the rows
        are only counted, so each is ``1``, not the id (on SQLite the id read from the index for
        each match cost a third of the count: 0.56 → 0.38 ms for 10,000 items of a plan)."""
        where, params = self._where()
        item = connection.ops.quote_name(Initiative._meta.db_table)
        return f"SELECT 1 FROM {item} WHERE ({where}) LIMIT %s", [*params, most + 1]

    def count(self, most: int) -> int:
        """How many match, counted up to ``most`` + 1 (as ``matching[:most + 1].count()``)."""
        try:
            sql, params = self._bounded(most)
        except EmptyResultSet:
            return 0
        if connection.vendor == "sqlite" and self._kept["where"] == ("1 = 1", []):
            # No filter: SQLite counts a table's rows from its B-tree's pages without reading
            # the rows (10,000 items: 0.005 ms, against 0.40 ms for the bounded count), but the
            # pages grow with the table (500,000 rows: 2.9 ms, the bounded count 0.3 ms). So
            # the table is counted whole while its largest id (one index probe; never fewer
            # than its rows) says it is small, and up to the bound past that: the same count
            # either way, in one query. (PostgreSQL reads every row for COUNT(*).)
            item = connection.ops.quote_name(Initiative._meta.db_table)
            sql = (
                f"SELECT CASE WHEN (SELECT MAX(id) FROM {item}) <= %s"
                f" THEN (SELECT COUNT(*) FROM {item}) ELSE (SELECT COUNT(*) FROM ({sql})) END"
            )
            ((whole,),) = self._fetch(sql, [_WHOLE_COUNT_ROWS * (most + 1), *params])
            return min(whole or 0, most + 1)
        if "rows" in self._kept:
            sql, params = self._from_rows(most)
        return self._fetch(f"SELECT COUNT(*) FROM ({sql}) bounded", params)[0][0]

    def _fetch(self, sql: str, params: list) -> tuple:
        """The rows of ``sql``. Browsing without a word, kept for the publication fingerprint
        (``_kept``): every table such a walk reads moves it on any write (the items, their
        plans and pillars by the triggers of initiatives migration 0012; the publications and
        their rows by publishing), so a kept count or page is never stale beyond the
        fingerprint's own PUBLIC_PAGE_FINGERPRINT_SECONDS, as the form's lists beside it. The
        count of a 10,000-item plan was a quarter of its uncached page. A search is read every
        time: its words are seldom asked again."""
        if self.per_fingerprint:
            return _kept(_fetched, sql, tuple(params))
        return _fetched(sql, params)

    def _from_rows(self, most: int) -> tuple[str, list]:
        """``_bounded`` read from the shown publication's rows (``_counted_from_rows``): each
        row with the chosen result whose item passes the other filters, joined by its id.

        The same count, without the list of ids: as ``id IN (the rows' ids)`` SQLite put the
        rows' 6,000 ids of a 10,000-item plan in a temporary B-tree and probed the plan's items
        with each (2.6 ms); joined, it reads them in the index pubresult_browse_result and
        looks each item up by its id (0.9 ms)."""
        (shown, shown_params), result, rest = self._kept["rows"]
        if "rest" not in self._kept:
            walk = _Walk(rest, self.plan)
            try:
                self._kept["rest"] = walk._where()
            except EmptyResultSet:
                self._kept["rest"] = None
        if self._kept["rest"] is None:  # (never: the full filters compiled)
            return self._bounded(most)
        where, params = self._kept["rest"]
        q = connection.ops.quote_name
        item, row = q(Initiative._meta.db_table), q(PublishedResult._meta.db_table)
        chosen = f" AND shown_row.{q('result')} = %s" if result else ""
        if self._rows_alone(shown, shown_params, where):
            # Each row is of one item (unique (publication, initiative)) that exists (the
            # foreign key) and passes the rest: the rows alone, read in their index (10,000
            # items: 1.9 ms with the join, 0.3 without).
            sql = (
                f"SELECT 1 FROM {row} shown_row"
                f" WHERE shown_row.{q('publication_id')} IN ({shown}){chosen} LIMIT %s"
            )
            return sql, [*shown_params, *([result] if result else []), most + 1]
        sql = (
            f"SELECT 1 FROM {row} shown_row JOIN {item}"
            f" ON {item}.{q('id')} = shown_row.{q('initiative_id')}"
            f" WHERE shown_row.{q('publication_id')} IN ({shown}){chosen} AND ({where}) LIMIT %s"
        )
        return sql, [*shown_params, *([result] if result else []), *params, most + 1]

    def _rows_alone(self, shown: str, shown_params: list, where: str) -> bool:
        """Whether every item in the shown publication's rows passes the filters besides the
        result and the year: when there are none, or only the plan, whose publication it is,
        and every row of it is of an item of that plan (``_rows_of_plan``)."""
        if where == "1 = 1":
            return True
        if not self._kept.get("rest_is_plan") or self.plan is None or shown != "%s":
            return False
        (publication,) = shown_params
        return _rows_of_plan(publication, self.plan.pk)

    def _ordered_sql(self, counted: bool) -> tuple[str, list]:
        """PostgreSQL's page query: the SQL the ORM writes for ``matching.order_by(*ORDER)``
        (with ``COUNT(*) OVER ()`` when ``counted``), the filters' WHERE compiled once
        (``_where``) rather than the whole query compiled on each request (a first-seen
        combination of filters: 1.3 ms of CPU). PostgreSQL misjudges the walk's three joins
        (it took each for a filter and chose a hash join and a sort: 114–332 ms among 400
        cities) and serves this order from the plans' index with an incremental sort, so the
        text is the ORM's, join for join (tests/browse/test_browse_order.py compares them)."""
        where, params = self._where()
        q = connection.ops.quote_name
        item, plan, pillar = (q(m._meta.db_table) for m in (Initiative, Plan, Pillar))
        total = f", COUNT({item}.{q('id')}) OVER () AS {q('total')}" if counted else ""
        condition = "" if where == "1 = 1" else f" WHERE {where}"  # (the ORM writes none)
        sql = (
            f"SELECT {item}.{q('id')} AS {q('pk')}{total} FROM {item}"
            f" INNER JOIN {plan} ON ({item}.{q('plan_id')} = {plan}.{q('id')})"
            f" INNER JOIN {pillar} ON ({item}.{q('pillar_id')} = {pillar}.{q('id')})"
            f"{condition} ORDER BY {plan}.{q('order')} ASC, {plan}.{q('slug')} ASC,"
            f" {pillar}.{q('order')} ASC, {item}.{q('order')} ASC, {item}.{q('code')} ASC"
        )
        return sql, params

    def _sql(self) -> tuple[str, list]:
        where, params = self._where()
        q = connection.ops.quote_name
        item, plan_table, pillar_table = (q(m._meta.db_table) for m in (Initiative, Plan, Pillar))
        chosen = ""
        if self.plan is not None:
            chosen, params = " AND p.id = %s", [self.plan.pk, *params]
        # CROSS JOIN: SQLite joins in the order written (PostgreSQL plans it as any join). The
        # plans' id, after their unique slug, changes nothing in the order but tells SQLite that
        # each plan comes once, so it need not sort each plan's items again. A search leaves
        # SQLite the choice: it starts from the ids the text indexes found when they are few
        # (a rare word among 10,000 items: 12 → 2 ms) and sorts them.
        join = "," if self.searched else " CROSS JOIN"
        sql = (
            f"SELECT {item}.id FROM {plan_table} p{join} {pillar_table} pl"
            f"{join} {item} WHERE pl.{q('plan_id')} = p.id{chosen}"
            f" AND {item}.{q('plan_id')} = p.id AND {item}.{q('pillar_id')} = pl.id"
            f" AND ({where}) ORDER BY p.{q('order')}, p.{q('slug')}, p.id, pl.{q('order')},"
            f" {item}.{q('order')}, {item}.{q('code')}"
        )
        return sql, params

    def _read(self, limit: int | None, offset: int, *, counted: bool | tuple = False) -> list:
        if connection.vendor != "sqlite":
            try:
                sql, params = self._ordered_sql(bool(counted))
            except EmptyResultSet:
                return []
            if limit is not None:
                sql += (
                    f" LIMIT {int(limit)} OFFSET {int(offset)}"
                    if offset
                    else f" LIMIT {int(limit)}"
                )
            return [tuple(row) if counted else row[0] for row in self._fetch(sql, params)]
        walk = self
        probed = self._kept.get("probed")
        if probed and limit is not None and not counted and self.matches is not None:
            if (offset + limit) * _PROBED_DEPTH <= self.matches:
                walk = _Walk(
                    probed["matching"],
                    self.plan,
                    compiled=probed,
                    per_fingerprint=self.per_fingerprint,
                )
        try:
            sql, params = walk._sql()
        except EmptyResultSet:
            return []
        if isinstance(counted, tuple):
            count_sql, count_params = counted
            total = f"(SELECT COUNT(*) FROM ({count_sql}) bounded)"
            sql, params = (
                sql.replace(".id FROM ", f".id, {total} FROM ", 1),
                [*count_params, *params],
            )
        elif counted:
            sql = sql.replace(".id FROM ", ".id, COUNT(*) OVER () FROM ", 1)
        if limit is not None:
            sql, params = f"{sql} LIMIT %s OFFSET %s", [*params, limit, offset]
        return [row if counted else row[0] for row in self._fetch(sql, params)]

    def capped(self, start: int, stop: int, most: int) -> list[tuple[int, int]]:
        """(id, how many match up to ``most`` + 1) of the slice, in one query: the page walked,
        the count a subquery that stops at the bound (SQLite evaluates it once)."""
        try:
            counted = self._bounded(most)
        except EmptyResultSet:
            return []
        return self._read(stop - start, start, counted=counted)

    def counted(self, start: int, stop: int) -> list[tuple[int, int]]:
        """(id, how many match in all) of the slice: one query, which finds every match once."""
        return self._read(stop - start, start, counted=True)

    def __getitem__(self, index: slice) -> list[int]:
        start, stop = index.start or 0, index.stop
        if stop is not None and stop <= start:
            return []  # Paginator's page of nothing: no query
        return self._read(None if stop is None else stop - start, start)

    def __iter__(self):
        return iter(self._read(None, 0))


# A page of a chosen result or year lies in the first 1/_PROBED_DEPTH of its matches: SQLite
# walks it probing each item's shown row (EXISTS, one index probe on publication and item), not
# testing it against the list of every shown row's id, which it builds first (6,000 ids of a
# 10,000-item plan: its first page 0.82 → 0.03 ms). Deeper, the walk passes so many items that
# building the list once costs less (offset 2,000: 1.4 ms by the list, 2.4 ms probing).
_PROBED_DEPTH = 32

# How many times the bound's rows a table may hold for SQLite to count it whole (see
# ``_Walk.count``): its B-tree count of 4 × 10,001 rows costs about one bounded count.
_WHOLE_COUNT_ROWS = 4


def _bound(number: int | None, searched: bool) -> int:
    """How far ``_page`` counts for the page ``number`` (None: not a page number it reads).

    Browsing: PUBLIC_BROWSE_COUNT_MAX, past which the pages stop ("more than N": narrowing
    finds the rest). A search: PUBLIC_BROWSE_SEARCH_COUNT_MAX, raised in steps of it so that
    the count always runs past the page after this one: a search says "more than 1,000" and
    its pages go on while more match, so nothing it finds is out of reach, but a word in nearly
    every item of a 10,000-item plan is counted to 1,000, not to 10,000."""
    if not searched:
        return settings.PUBLIC_BROWSE_COUNT_MAX
    step = settings.PUBLIC_BROWSE_SEARCH_COUNT_MAX
    if number is None:
        return step
    return -(-((number + 1) * PAGE_SIZE) // step) * step


def _page(matching, plan, number, *, selective: bool, walking: bool = False, compiled=None) -> Page:
    """The page ``number`` of ``matching`` (initiatives) as ``Paginator.get_page`` gives it, of
    their ids (_Walk), its count stopping at ``_bound`` (``paginator.capped`` when more match).

    Browsing (``selective`` false), two queries: the matches counted up to the bound (a count
    that stops costs the same among 174,000 initiatives as among 30,000), then the page's ids.
    A search (``selective``) finds its matches through the text indexes once, so its ids and
    the count come in one query (``COUNT(*) OVER ()``) instead of twice, and a first page that
    finds nothing is the whole answer (no match at all); a page past the end takes Paginator's
    two. Where nothing matches, no page of ids is read (``_Walk.__getitem__``). A dense search
    (``walking``: search_index.dense) is walked like browsing, its count up to the bound a
    subquery of the page's query (one query)."""
    walk = _Walk(
        matching,
        plan,
        searched=selective and not walking,
        compiled=compiled,
        per_fingerprint=not selective,
    )
    paginator = Paginator(walk, PAGE_SIZE)
    paginator.capped = False
    text = str(number or "1")
    fast = text.isascii() and text.isdigit() and 1 <= int(text) <= _LAST_FAST_PAGE
    most = _bound(int(text) if fast else None, selective)
    if walking and fast:
        # A dense word (search_index.dense): the page walked in order and counted up to the
        # bound, as browsing counts, in one query.
        n = int(text)
        rows = walk.capped((n - 1) * PAGE_SIZE, n * PAGE_SIZE, most)
        shown = min(rows[0][1], most) - (n - 1) * PAGE_SIZE if rows else 0
        if shown > 0:  # the pages go up to the bound, as Paginator gives them
            paginator.count, paginator.capped = min(rows[0][1], most), rows[0][1] > most
            return Page([pk for pk, _total in rows[:shown]], n, paginator)
        if not rows and n == 1:
            return _nothing_found(paginator)
    if selective and not walking and fast:
        n = int(text)
        rows = walk.counted((n - 1) * PAGE_SIZE, n * PAGE_SIZE)
        if rows:
            # What Paginator would have counted, said as a walked search says it.
            paginator.count, paginator.capped = min(rows[0][1], most), rows[0][1] > most
            return Page([pk for pk, _total in rows], n, paginator)
        if n == 1:
            return _nothing_found(paginator)
    counted = walk.count(most)
    walk.matches = counted  # how deep the page is among them (``_Walk._read``)
    # Past the bound the pages go up to it ("more than N").
    paginator.count, paginator.capped = min(counted, most), counted > most
    page = paginator.get_page(number)
    page.object_list = list(page.object_list)
    return page


def _nothing_found(paginator: Paginator) -> Page:
    """The first page when its query, which counts what it finds, found nothing: no match at
    all, so no count to read; the empty page Paginator gives (``allow_empty_first_page``)."""
    paginator.count = 0
    return Page([], 1, paginator)


def _published_years() -> list[int]:
    """The fiscal years of every plan's current publications, newest first."""
    years = {p.round.fiscal_year for p in published.every_current_publication()}
    return sorted(years, reverse=True)


def _shown_in(fiscal_year: int | None) -> tuple[dict, tuple[int, ...]]:
    """``_shown_of`` every plan's current publications for ``fiscal_year``, and the shown
    publications' ids. The browser keeps both per fingerprint (``_kept``): among 1,741 cities
    walking their 5,000 publications on every request was half of a browser page's time."""
    shown = _shown_of(published.every_current_publication(), fiscal_year)
    return shown, tuple(p.pk for p in shown.values())


def _shown_of(publications: list[Publication], fiscal_year: int | None) -> dict:
    """The 時点 shown per plan id: its latest, or its latest within ``fiscal_year``
    (``publications`` newest 時点 first, as evaluations.published gives them)."""
    shown: dict[int, Publication] = {}
    for publication in publications:
        if fiscal_year in (None, publication.round.fiscal_year):
            shown.setdefault(publication.round.plan_id, publication)
    return shown


def _shown_ids_sql(fiscal_year: int | None, plan) -> RawSQL:
    """``_shown_of`` as SQL: the ids of each plan's shown publication (of ``plan`` when
    chosen), for the filters' subqueries: the newest publication of the newest 時点, as
    evaluations.published orders them (as-of date, then publication time, then id)."""
    q = connection.ops.quote_name
    publication, round_ = q(Publication._meta.db_table), q(Round._meta.db_table)
    as_of, at = q("as_of"), q("published_at")
    same_year = f" AND r2.{q('fiscal_year')} = %s" if fiscal_year is not None else ""
    conditions, params = [], []
    if fiscal_year is not None:
        conditions.append(f"r.{q('fiscal_year')} = %s")
        params.append(fiscal_year)
    if plan is not None:
        conditions.append(f"r.{q('plan_id')} = %s")
        params.append(plan.pk)
    newer = (
        f"SELECT 1 FROM {publication} p2 JOIN {round_} r2 ON r2.id = p2.{q('round_id')}"
        f" WHERE r2.{q('plan_id')} = r.{q('plan_id')}{same_year} AND (r2.{as_of} > r.{as_of}"
        f" OR (r2.{as_of} = r.{as_of} AND (p2.{at} > p.{at}"
        f" OR (p2.{at} = p.{at} AND p2.id > p.id))))"
    )
    conditions.append(f"NOT EXISTS ({newer})")
    if fiscal_year is not None:
        params.append(fiscal_year)
    sql = (
        f"SELECT p.id FROM {publication} p JOIN {round_} r ON r.id = p.{q('round_id')}"
        f" WHERE {' AND '.join(conditions)}"
    )
    return RawSQL(sql, params)


def browse_digest(context: dict) -> str:
    """A digest of every row a ``browse`` result shows (reformtracker.page_memo): the
    publications (their fingerprint), the plans, pillars and departments of the filter form,
    and the page's initiatives with their plan, city, pillar, department and published result
    and title. The filters are in the address."""
    page = context["page"]
    rows = page.object_list
    plans = context["plans"]
    return page_memo.digest(
        published.publication_fingerprint(),
        *_digested(plans, [plans, [p.municipality for p in plans]]),
        *_digested(context["pillars"]),
        *_digested(context["departments"]),
        page.paginator.count,
        page.number,
        [
            (
                *(
                    (i.row_digest,)
                    if hasattr(i, "row_digest")
                    else (i, i.plan, i.plan.municipality, i.pillar, i.department)
                ),
                i.published_result,
                i.published_title,
                i.publication_id,
            )
            for i in rows
        ],
    )


def _digested(rows, values=None) -> tuple:
    """What ``browse_digest`` digests of ``rows``: the digest of the rows they were built from
    (``Built``), else ``values`` (the rows themselves)."""
    if isinstance(rows, Built):
        return (rows.digest,)
    return tuple(values) if values is not None else (rows,)


def browse(params) -> dict:
    """Initiatives filtered by prefecture, plan, pillar, department, published result, fiscal
    year, reform level and text, one page of them; each with its published result for the
    chosen year (the latest 時点 of each plan when no year is chosen). Eight queries whatever
    the sizes: the listed plans, the count and the page's ids, the page's rows and their
    published results, the pillars and departments the form lists. With ``PUBLIC_DATA_MEMO``
    (as in production) four: the publications, the form's lists and whether a publication's
    rows are all of its plan's items are kept per publication fingerprint (reading the
    fingerprint is one query more when the process does not keep it). On SQLite a search for
    words of three or more characters asks first whether they are dense (one query more, at
    every size)."""
    # One publication fingerprint for the whole call: what is kept per fingerprint (the form's
    # lists, a publication's rows being of its plan) is then kept for the same one, and read
    # once (with PUBLIC_PAGE_FINGERPRINT_SECONDS = 0 each read is a query).
    fingerprint = published.publication_fingerprint() if published.memo_enabled() else None
    with published.fingerprint_pinned(fingerprint):
        return _browse(params)


def _browse(params) -> dict:
    filters, chosen, problems = _read_filters(params)
    plans, many = _kept(_plan_choices, chosen["plan"], filters["prefecture_code"] or "")
    plan = next((p for p in plans if p.slug == chosen["plan"]), None)
    fy = filters["fiscal_year"]
    if published.memo_enabled():
        # Every plan's publications are kept per process for the publication fingerprint, and
        # so are the years and the 時点 shown that this reads from them.
        fiscal_years = _kept(_published_years)
        shown, every_shown = _kept(_shown_in, fy) if fy in (None, *fiscal_years) else ({}, ())
        in_plan = [shown[plan.pk].pk] if plan and plan.pk in shown else []
        shown_ids = in_plan if plan else list(every_shown)

        def shown_for(plan_ids):
            return shown
    else:
        # Read in SQL, not every publication per request (its memory grew with the nation).
        fiscal_years = list(
            Round.objects.filter(publications__isnull=False)
            .values_list("fiscal_year", flat=True)
            .order_by("-fiscal_year")
            .distinct()
        )
        shown_ids = _shown_ids_sql(fy, plan)

        def shown_for(plan_ids):
            return _shown_of(published.current_publications(plan_ids), fy)

    # Whether the words are dense decides only how they are found, never what: kept for the
    # fingerprint (which counts every write of the items) like the form's lists.
    walking = bool(filters["terms"]) and _kept(dense, tuple(filters["terms"]))
    kept = _filtered(filters, plan, shown_ids, walking)
    page = _page(
        kept["matching"],
        plan,
        params.get("page"),
        selective=bool(filters["terms"]),
        walking=walking,
        compiled=kept,
    )
    choices = _choices(plans, many, plan, filters)
    # With a plan chosen, or every plan listed, the form lists every plan, pillar and
    # department the page's items can have (a pillar is of its item's plan; the departments
    # listed are those owning items of the listed plans).
    known = (plans, choices["pillars"], choices["departments"]) if plan or not many else None
    page.object_list = _rows(page.object_list, shown_for, filters["terms"], known)
    context = {
        "plans": plans,
        **choices,
        "fiscal_years": fiscal_years,
        "chosen": chosen,
        "query": {k: v for k, v in chosen.items() if v},
        "terms": filters["terms"],
        "page": page,
        "problems": problems,
    }
    context["field_keys"] = field_keys(context)
    _key_rows(context)
    return context


def _key_rows(context: dict) -> None:
    """Each row's keys for its markup, kept per process (public_tags ``{% kept … rows %}``):
    ``cells_key`` for its plan, department and result cells, which show its plan's, pillar's and
    department's rows (those of the form's lists, digested with them; else its row's digest,
    which has them) and its published result and 時点 (of the publication fingerprint), so many
    items share one; ``title_key`` for its number and title, which show its own row and
    published title, with the words searched, which its title marks, and its published
    narrative and reason, where an excerpt may show them (``Marks``). Both None (rendered every
    time) where the lists' key is, or for an item not built from its row here."""
    lists = _lists_key(context)
    base = None if lists is None else (*lists, published.publication_fingerprint())
    for item in context["page"].object_list:
        digest = getattr(item, "row_digest", None)
        if base is None or digest is None:
            item.cells_key = item.title_key = None
            continue
        # The cells show nothing of the item's own row: one part per plan, pillar, department,
        # result and publication when those rows are the form's, so a search whose items no
        # search has shown before renders only their titles.
        item.cells_key = (
            *base,
            getattr(item, "related_key", digest),
            item.published_result,
            item.publication_id,
        )
        # The words searched, and the published row's narrative and reason, which an excerpt
        # may show (the item's own texts are in its row's digest): as read, since hashing them
        # costs less than digesting them.
        terms = context["terms"]
        item.title_key = (
            *base,
            digest,
            item.published_title,
            *((tuple(terms), *item.marks.published_texts) if terms else ()),
        )


def _lists_key(context: dict) -> tuple | None:
    """The language, the address prefix and the digests of the rows the form's plans, pillars
    and departments were built from: what of a kept part of the page those lists decide. None
    without ``PUBLIC_DATA_MEMO`` or when a list was not built from its rows here."""
    listed = (context["plans"], context["pillars"], context["departments"])
    if not published.memo_enabled() or not all(isinstance(rows, Built) for rows in listed):
        return None
    return (get_language(), get_script_prefix(), *(rows.digest for rows in listed))


def field_keys(context: dict) -> dict[str, tuple] | None:
    """The key each of the filter form's selects is kept by (public_tags ``kept``): what that
    select shows, the language and address prefix (``_lists_key``), its own list (the plans',
    pillars' or departments' digest, the years) and its chosen value. Each is kept on its own,
    so a combination of filters nobody chose before finds most of its selects kept: the whole
    form kept per combination missed on a third of the load bench's browser pages, 4.3 ms each
    (in process, seed size). None (rendered every time) where ``_lists_key`` is."""
    lists = _lists_key(context)
    if lists is None:
        return None
    language, prefix, plans, pillars, departments = lists
    chosen, many_plans = context["chosen"], context["many_plans"]
    base = (language, prefix)
    return {
        "prefecture": (*base, chosen["prefecture"]),
        "plan": (*base, plans, chosen["plan"], many_plans),
        # Its help is shown while many plans are listed and none is chosen.
        "pillar": (*base, pillars, chosen["pillar"], bool(many_plans and not chosen["plan"])),
        "department": (*base, departments, chosen["department"]),
        "result": (*base, chosen["result"]),
        "fy": (*base, tuple(context["fiscal_years"]), chosen["fy"]),
        "level": (*base, chosen["level"]),
    }


# The filters read from each query string, and the initiatives' query of each filter
# combination with its WHERE compiled, kept per process: both are functions of their keys
# alone (the query string and the language; the filters, the chosen plan's id and the shown
# publications' ids or the SQL that selects them), and building them through the form and the
# ORM cost more than the queries they give took to run. A new search builds both once.
_filters_read = memos.Bounded(1024)
_queries_built = memos.Bounded(1024)


def _read_filters(params) -> tuple[dict, dict, dict]:
    """(``BrowseFilters.cleaned_data``, its ``chosen()``, its problems as text) of ``params``,
    read through the form once per query string and language."""
    # Keyed without the words, which nothing else the form reads depends on: each new search
    # reads only its words.
    key = (get_language(), *(params.get(name) for name in BrowseFilters.base_fields if name != "q"))
    read = _filters_read.get(key)
    if read is None:
        form = BrowseFilters(params)
        form.is_valid()  # reads them; what cannot mean anything is in form.problems
        problems = {name: str(message) for name, message in form.problems.items()}
        read = (form.cleaned_data, form.chosen(), problems)
        _filters_read.put(key, read)
        return dict(read[0]), dict(read[1]), dict(problems)
    filters, chosen, problems = dict(read[0]), dict(read[1]), dict(read[2])
    # As BrowseFilters reads them (its field q, then clean's terms).
    filters["q"] = chosen["q"] = BrowseFilters.base_fields["q"].clean(params.get("q"))
    filters["terms"] = search_terms(filters["q"])
    return filters, chosen, problems


def _filtered(filters: dict, plan, shown_ids, walking: bool) -> dict:
    """{"matching": the initiatives ``_matching`` gives, "where": their compiled WHERE once
    ``_Walk`` has compiled it}, kept for these inputs. The queryset is never evaluated itself
    (every read clones it), so requests may share it."""
    if filters["terms"] and not walking and connection.vendor == "sqlite":
        return _searched_on_sqlite(filters, plan, shown_ids)
    shown = (
        (shown_ids.sql, tuple(shown_ids.params))
        if isinstance(shown_ids, RawSQL)
        else tuple(shown_ids)
    )
    key = (
        connection.alias,
        plan.pk if plan else None,
        shown,
        walking,
        filters["q"],
        *(filters[name] for name in _MEANINGS),
        tuple(filters["terms"]),
    )
    kept = _queries_built.get(key)
    if kept is None:
        # Only "not published" and a walked word read the shown rows of each item.
        snapshots = (
            PublishedResult.objects.filter(initiative=OuterRef("pk"), publication_id__in=shown_ids)
            if walking or filters["result_filter"] == NOT_PUBLISHED
            else None
        )
        matching = _matching(
            Initiative.objects.all(), filters, plan, snapshots, shown_ids, walking=walking
        )
        kept = {"matching": matching}
        if (rows := _counted_from_rows(filters, plan, shown_ids)) is not None:
            rest = {**filters, "result_filter": None, "fiscal_year": None}
            kept["rows"] = (*rows, _matching(Initiative.objects.all(), rest, plan, None, ()))
            kept["rest_is_plan"] = not any(rest[name] for name in _MEANINGS)
        # The walk's probed first pages (_Walk._read): SQLite's only, PostgreSQL plans its own.
        probing = connection.vendor == "sqlite" and not filters["terms"]
        if probing and filters["result_filter"] != NOT_PUBLISHED:
            if filters["result_filter"] or filters["fiscal_year"] is not None:
                probed = _matching(
                    Initiative.objects.all(), filters, plan, None, shown_ids, probed=True
                )
                kept["probed"] = {"matching": probed}
        _queries_built.put(key, kept)
    return kept


# Whether every row of a publication is of an item of a plan, per publication fingerprint (the
# database's triggers count a write of any item in it, so an item moved to another plan reads
# as a new fingerprint): a publication of a plan holds that plan's items, which lets the count
# read its rows alone (``_Walk._rows_alone``); checked, not assumed.
def _rows_of_plan(publication_id: int, plan_id: int) -> bool:
    """Whether every row of the publication is of an item of the plan (one query per
    fingerprint with PUBLIC_DATA_MEMO; without it, not asked: False)."""
    if not published.memo_enabled():
        return False
    return _kept(_every_row_of_plan, publication_id, plan_id)


def _every_row_of_plan(publication_id: int, plan_id: int) -> bool:
    connection_ = read_connection(PublishedResult)
    q = connection_.ops.quote_name
    item, row = q(Initiative._meta.db_table), q(PublishedResult._meta.db_table)
    with connection_.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {row} r JOIN {item} i ON i.{q('id')} = r.{q('initiative_id')}"
            f" WHERE r.{q('publication_id')} = %s AND i.{q('plan_id')} <> %s LIMIT 1",
            [publication_id, plan_id],
        )
        return cursor.fetchone() is None


def _counted_from_rows(filters: dict, plan, shown_ids) -> tuple | None:
    """(the shown publication's id as SQL and its params, the result chosen or None) when the
    browser's count may read the shown publication's rows with that result instead of the
    items (``_Walk.count``), else None.

    That is when a result (or a year) is chosen, with no word and not "not published", and one
    publication is shown (a plan is chosen, or one plan has published): each of its rows is of
    one initiative (the unique (publication, initiative)) that exists (the foreign key), so
    the items in its rows that pass the other filters are exactly as many as those rows."""
    result = filters["result_filter"]
    if filters["terms"] or result == NOT_PUBLISHED:
        return None
    if result is None and filters["fiscal_year"] is None:
        return None
    if isinstance(shown_ids, RawSQL):
        # _shown_ids_sql gives each plan's one shown publication: one when a plan is chosen.
        return ((shown_ids.sql, list(shown_ids.params)), result) if plan is not None else None
    if len(shown_ids) != 1:
        return None
    return (("%s", list(shown_ids)), result)


# What ``_matching`` reads of the filters besides the words.
_MEANINGS = (
    "prefecture_code",
    "pillar_id",
    "department_id",
    "reform_level",
    "result_filter",
    "fiscal_year",
)
