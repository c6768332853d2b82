"""The browser's count (evaluations.browse._Walk.count) takes the cheapest SQL that gives the same
number: the whole table on SQLite when nothing is filtered and the table is small, and the shown
publication's rows joined to their items when a result or a year is chosen. Whatever SQL it
takes, the count and its "more than N" must be the plain ORM query's, filter combination by
filter combination, with the publications memoised or read per request."""

import re

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from evaluations import browse as browse_module
from evaluations import published
from evaluations.browse import browse
from evaluations.models import PublishedResult
from initiatives.models import Initiative, Plan
from reformtracker import memos
from tests import explain
from tests.constants import KITAKYUSHU, OSAKA
from tests.factories import grow_and_publish

pytestmark = pytest.mark.django_db

ORDER = ("plan__order", "plan__slug", "pillar__order", "order", "code")


def _plain(params: dict):
    """The items that match ``params``, by the plain ORM query: each plan's shown 時点 (its
    newest, or its newest of the chosen year), the result tested by EXISTS on it."""
    fy = int(params["fy"]) if params.get("fy") else None
    shown: dict[int, int] = {}
    for publication in published.current_publications():
        if fy in (None, publication.round.fiscal_year):
            shown.setdefault(publication.round.plan_id, publication.pk)
    items = Initiative.objects.all()
    if slug := params.get("plan"):
        items = items.filter(plan__slug=slug)
        plan = Plan.objects.get(slug=slug)
        shown = {plan.pk: shown[plan.pk]} if plan.pk in shown else {}
    for name in ("pillar", "department"):
        if params.get(name):
            items = items.filter(**{f"{name}_id": params[name]})
    if params.get("level"):
        items = items.filter(reform_level=params["level"])
    rows = PublishedResult.objects.filter(
        initiative=OuterRef("pk"), publication_id__in=shown.values()
    )
    result = params.get("result")
    if result == "none":
        items = items.filter(~Exists(rows))
    elif result:
        items = items.filter(Exists(rows.filter(result=result)))
    elif fy is not None:
        items = items.filter(Exists(rows))
    return items


def _plain_count(params: dict) -> int:
    return _plain(params).count()


def _combinations() -> list[dict]:
    osaka = Plan.objects.get(slug=OSAKA)
    pillar = osaka.pillars.get(order=2).pk
    department = osaka.initiatives.first().department_id
    other_pillar = osaka.pillars.get(order=3).pk
    combinations = [{}]
    for plan in ({}, {"plan": OSAKA}, {"plan": KITAKYUSHU}):
        for result in ({}, {"result": "achieved"}, {"result": "not_achieved"}):
            for fy in ({}, {"fy": "2024"}, {"fy": "2025"}, {"fy": "2023"}):
                combinations.append({**plan, **result, **fy})
    combinations += [
        {"plan": OSAKA, "result": "achieved", "pillar": str(pillar)},
        {"plan": OSAKA, "result": "achieved", "pillar": str(other_pillar)},
        {"plan": OSAKA, "fy": "2024", "department": str(department)},
        {"plan": OSAKA, "result": "excluded", "level": "A"},
        {"plan": OSAKA, "result": "none"},
        {"result": "achieved", "department": str(department)},
        {"pillar": str(pillar), "result": "not_achieved", "fy": "2025"},
    ]
    return combinations


@pytest.mark.parametrize("memo", [False, True], ids=["publications read", "publications kept"])
@pytest.mark.parametrize("grown", [False, True], ids=["seed size", "grown"])
def test_every_filter_combination_counts_what_the_plain_query_counts_up_to_the_bound(
    seeded, settings, memo, grown
):
    settings.PUBLIC_DATA_MEMO = memo
    if grown:
        grow_and_publish(total=130)
    for bound in (10_000, 7):
        settings.PUBLIC_BROWSE_COUNT_MAX = bound
        for params in _combinations():
            expected = _plain_count(params)
            paginator = browse(params)["page"].paginator
            shown = (paginator.count, paginator.capped)
            assert shown == (min(expected, bound), expected > bound), (params, bound)


def _count_sql(params: dict) -> str:
    """The count query ``browse(params)`` sends (browsing: the one with COUNT(*), not the
    publication fingerprint's, which a test reading it afresh sees too). Nothing kept: a
    count browsed before would be kept for the fingerprint."""
    memos.clear()
    with CaptureQueriesContext(connection) as ctx:
        browse(params)
    (count,) = [
        q["sql"]
        for q in ctx.captured_queries
        if "COUNT(*)" in q["sql"] and "masterdataversion" not in q["sql"]
    ]
    return count


def test_a_result_is_counted_from_the_rows_alone_only_while_every_row_is_of_the_plans_items(
    seeded, settings
):
    settings.PUBLIC_DATA_MEMO = True
    settings.PUBLIC_PAGE_FINGERPRINT_SECONDS = 0  # a write shows at once
    params = {"plan": OSAKA, "result": "achieved"}
    before = browse(params)["page"].paginator.count
    assert before == _plain_count(params) > 0
    item = Initiative._meta.db_table
    assert f'JOIN "{item}"' not in _count_sql(params)  # the rows alone, in their index
    # One of Osaka's published items moved to Kitakyushu's plan by a write no service made (a
    # shell's): its row is still in Osaka's publication, but its item is no longer Osaka's.
    moved = PublishedResult.objects.filter(
        publication=published.latest_by_plan()[Plan.objects.get(slug=OSAKA).pk],
        result="achieved",
    ).first()
    kitakyushu = Plan.objects.get(slug=KITAKYUSHU)
    Initiative.objects.filter(pk=moved.initiative_id).update(
        plan=kitakyushu, pillar=kitakyushu.pillars.first()
    )
    assert browse(params)["page"].paginator.count == _plain_count(params) == before - 1
    assert f'JOIN "{item}"' in _count_sql(params)  # each row's item looked up again


def test_a_chosen_result_is_counted_from_the_shown_rows_by_their_index_on_both_databases(
    seeded,
):
    """The count joins the shown publication's rows (found in pubresult_browse_result) to
    their items by id, instead of probing the items with a list of the rows' ids."""
    grow_and_publish(total=130)
    params = {"plan": OSAKA, "result": "achieved", "fy": "2025"}
    sql = _count_sql(params)
    item = connection.ops.quote_name(Initiative._meta.db_table)
    assert "shown_row" in sql and f'{item}."id" IN' not in sql
    osaka = Plan.objects.get(slug=OSAKA)
    filters = browse_module._read_filters(params)[0]
    shown = browse_module._shown_ids_sql(2025, osaka)
    kept = browse_module._filtered(filters, osaka, shown, False)
    walk = browse_module._Walk(kept["matching"], osaka, compiled=kept)
    bounded, values = walk._from_rows(10_000)
    plan = explain.plan(bounded, values)
    if connection.vendor == "sqlite":
        # The rows read in their index (the outer loop), each item looked up by its id.
        assert "SEARCH shown_row USING COVERING INDEX pubresult_browse_result" in plan, plan
    else:
        # PostgreSQL plans it as the join it made of the list (a hash join at 10,000 items).
        assert "Join" in plan or "Nested Loop" in plan, plan
        assert "SubPlan" not in plan, plan
    assert walk.count(10_000) == _plain_count(params) > 20


def test_nothing_filtered_counts_the_whole_table_while_it_is_small_and_up_to_the_bound_past_it(
    seeded, settings
):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL reads every row for COUNT(*): it always counts up to the bound")
    total = Initiative.objects.count()
    largest = Initiative.objects.order_by("-pk").first().pk
    # The whole table: its largest id within four times the bound's rows.
    settings.PUBLIC_BROWSE_COUNT_MAX = largest
    assert "CASE WHEN" in _count_sql({})
    paginator = browse({})["page"].paginator
    assert (paginator.count, paginator.capped) == (total, False)
    settings.PUBLIC_BROWSE_COUNT_MAX = total - 1
    paginator = browse({})["page"].paginator
    assert (paginator.count, paginator.capped) == (total - 1, True)
    # Past it, the bounded count: 5 of them, and more.
    settings.PUBLIC_BROWSE_COUNT_MAX = 5
    assert largest > 4 * 6
    paginator = browse({})["page"].paginator
    assert (paginator.count, paginator.capped) == (5, True)


@pytest.mark.parametrize("depth", [1, 32], ids=["every page within the count probed", "default"])
def test_the_pages_of_a_result_walked_by_probes_list_what_the_plain_query_lists(
    seeded, monkeypatch, depth
):
    """A page of a chosen result or year near the start of its matches is walked testing each
    item by a probe of its shown row (EXISTS), deeper ones by the list of the shown rows' ids:
    page by page, the same items in the same order as the plain query."""
    monkeypatch.setattr(browse_module, "_PROBED_DEPTH", depth)
    grow_and_publish(total=130)
    osaka = Plan.objects.get(slug=OSAKA)
    probed_walks = 0
    for params in (
        {"plan": OSAKA, "result": "achieved"},
        {"plan": OSAKA, "result": "not_achieved", "fy": "2025"},
        {"result": "achieved"},
        {"fy": "2025"},
        {"fy": "2024", "pillar": str(osaka.pillars.get(order=2).pk)},
    ):
        expected = list(_plain(params).order_by(*ORDER).values_list("pk", flat=True))
        first = browse(params)["page"]
        ids = []
        for number in first.paginator.page_range:
            with CaptureQueriesContext(connection) as ctx:
                page = browse({**params, "page": str(number)})["page"]
            ids += [item.pk for item in page.object_list]
            walks = [q["sql"] for q in ctx.captured_queries if " ORDER BY p." in q["sql"]]
            probed_walks += sum("EXISTS" in sql for sql in walks)
        assert ids == expected, params
    if connection.vendor == "sqlite":
        assert probed_walks > 0
        if depth == 1:
            # Every page but the last of each is within the count: nearly all are probed.
            assert probed_walks >= 10


def test_a_probed_page_reads_each_items_shown_row_through_its_index(seeded, settings, monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL plans the walk's order itself (evaluations.browse._Walk._read)")
    settings.PUBLIC_DATA_MEMO = True  # as in production: the shown publications' ids
    monkeypatch.setattr(browse_module, "_PROBED_DEPTH", 1)
    grow_and_publish(total=700)
    with CaptureQueriesContext(connection) as ctx:
        browse({"plan": OSAKA, "result": "achieved"})
    (walk,) = [q["sql"] for q in ctx.captured_queries if " ORDER BY p." in q["sql"]]
    assert "EXISTS" in walk
    plan = explain.plan(walk)
    # Each item's shown row found by an index on its publication and initiative.
    assert "CORRELATED" in plan and "initiative_id=?)" in plan, plan
    assert "LIST SUBQUERY" not in plan, plan


# The page's ids: SQLite's walk, PostgreSQL's ordered query.
PAGE_IDS = re.compile(r'SELECT "initiatives_initiative"\.(id[ ,]|"id" AS "pk")')


def _page_queries(settings, params: str) -> tuple[dict, list[str]]:
    """browse(params) with what a fingerprint keeps already kept, and the SQL it ran."""
    settings.PUBLIC_DATA_MEMO = True
    settings.PUBLIC_PAGE_FINGERPRINT_SECONDS = 60
    browse(QueryDict(params))  # the form's lists, the publications: kept from here on
    with CaptureQueriesContext(connection) as ctx:
        context = browse(QueryDict(params))
    return context, [query["sql"] for query in ctx.captured_queries]


@pytest.mark.parametrize("word", ["存在しない語句", "ぬ"], ids=["indexed word", "one character"])
def test_a_search_that_finds_nothing_is_answered_by_the_query_that_would_have_counted_it(
    seeded, settings, word
):
    context, sql = _page_queries(settings, f"q={word}")
    page = context["page"]
    assert (page.number, page.paginator.count, list(page.object_list)) == (1, 0, [])
    # The page's ids with their count (one query; on SQLite one more asks whether the word is
    # dense): nothing found on the first page is no match at all, so nothing is counted again.
    assert not any("COUNT(*) FROM (" in s and "bounded" in s for s in sql), sql
    assert not any(s.rstrip().endswith("LIMIT 0") for s in sql), sql
    assert context["page"].paginator.count == _plain({}).filter(search_text__contains=word).count()


def test_browsing_a_combination_that_matches_nothing_reads_its_count_alone(seeded, settings):
    # Osaka's items of one department in a pillar it has none in: a WHERE that compiles (not
    # known empty beforehand) and matches nothing.
    osaka = Plan.objects.get(slug=OSAKA)
    pillar, department = next(
        (pillar, item.department_id)
        for pillar in osaka.pillars.all()
        for item in osaka.initiatives.all()
        if not osaka.initiatives.filter(pillar=pillar, department_id=item.department_id).exists()
    )
    params = {"plan": OSAKA, "pillar": str(pillar.pk), "department": str(department)}
    assert _plain_count(params) == 0
    query = "&".join(f"{k}={v}" for k, v in params.items())
    memos.clear()
    settings.PUBLIC_DATA_MEMO = False
    with CaptureQueriesContext(connection) as ctx:
        browse(QueryDict(query))
    sql = [q["sql"] for q in ctx.captured_queries]
    assert len([s for s in sql if "bounded" in s]) == 1, sql
    # No query for a page of nothing.
    assert not [s for s in sql if PAGE_IDS.search(s)], sql
    # Kept for the fingerprint, as any browsing without a word: asked again, nothing is read.
    context, sql = _page_queries(settings, query)
    page = context["page"]
    assert (page.number, page.paginator.count, list(page.object_list)) == (1, 0, [])
    assert sql == []


def test_a_searchs_page_past_the_end_is_still_its_last_page(seeded, settings):
    context, _sql = _page_queries(settings, "q=取組&page=99")
    page = context["page"]
    found = _plain({}).filter(search_text__contains="取組").count()
    assert page.paginator.count == found > 0
    assert page.number == page.paginator.num_pages and len(page.object_list) >= 1


def test_browsing_without_a_word_is_counted_and_walked_once_per_fingerprint(seeded, settings):
    """Its count and page are kept for the publication fingerprint (browse._Walk._fetch), which
    the database's triggers move on any write of the items: a write no service made (a
    shell's) shows on the next request, counted and listed."""
    settings.PUBLIC_DATA_MEMO = True
    settings.PUBLIC_PAGE_FINGERPRINT_SECONDS = 0  # a write shows at once
    memos.clear()
    osaka = Plan.objects.get(slug=OSAKA)
    department = osaka.initiatives.first().department
    params = QueryDict(f"plan={OSAKA}&department={department.pk}")
    before = browse(params)["page"]
    with CaptureQueriesContext(connection) as again:
        assert list(browse(params)["page"].object_list) == list(before.object_list)
    sql = [q["sql"] for q in again.captured_queries]
    assert not [s for s in sql if "bounded" in s or PAGE_IDS.search(s)], sql
    moved = osaka.initiatives.exclude(department=department).order_by("pk").first()
    Initiative.objects.filter(pk=moved.pk).update(department=department)
    after = browse(params)["page"]
    assert (
        after.paginator.count
        == before.paginator.count + 1
        == _plain_count({"plan": OSAKA, "department": str(department.pk)})
    )
    assert moved.pk in [item.pk for item in after.object_list]
    # A search is read every time: its words are seldom asked again.
    searched = QueryDict("q=取組")
    browse(searched)
    with CaptureQueriesContext(connection) as search:
        browse(searched)
    assert [q for q in search.captured_queries if PAGE_IDS.search(q["sql"])]
