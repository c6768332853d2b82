"""The initiative browser reads its pages by walking indexes and finds words through text indexes
(evaluations.browse, evaluations.search_index); what it lists must be what the plain query lists:
the same items, in the same order, on the same pages, at seed size and grown, whatever the
order of the rows in the tables."""

import pytest
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Window
from django.test.utils import CaptureQueriesContext

from evaluations import browse as browse_module
from evaluations import published, search_index
from evaluations.browse import PAGE_SIZE, browse
from evaluations.models import PublishedResult
from initiatives.models import Initiative, Pillar, Plan
from reformtracker.textnorm import search_terms
from tests import explain
from tests.constants import KITAKYUSHU, OSAKA
from tests.factories import grow_and_publish

pytestmark = pytest.mark.django_db

ORDER = ("plan__order", "plan__slug", "pillar__order", "order", "code")


def _expected(params: dict) -> list[int]:
    """The ids the browser must list for ``params``, by the plain ORM query sorted by the
    joined columns and each word tested in Python (no index, no walk)."""
    items = Initiative.objects.all()
    shown = {p.pk for p in published.latest_by_plan().values()}
    if slug := params.get("plan"):
        items = items.filter(plan__slug=slug)
    if pillar := params.get("pillar"):
        items = items.filter(pillar_id=pillar)
    if department := params.get("department"):
        items = items.filter(department_id=department)
    rows = PublishedResult.objects.filter(initiative=OuterRef("pk"), publication_id__in=shown)
    if (result := params.get("result")) == "none":
        items = items.filter(~Exists(rows))
    elif result:
        items = items.filter(Exists(rows.filter(result=result)))
    ids = list(items.order_by(*ORDER).values_list("pk", flat=True))
    if terms := search_terms(params.get("q", "")):
        texts: dict[int, list[str]] = {}
        for pk, text in Initiative.objects.values_list("pk", "search_text"):
            texts[pk] = [text]
        for pk, text in PublishedResult.objects.filter(publication_id__in=shown).values_list(
            "initiative_id", "search_text"
        ):
            texts[pk].append(text)
        q = params["q"]
        numbered = set()
        if len(terms) == 1 and q.isascii():  # the query may be an item's number
            numbered = set(
                Initiative.objects.filter(code__in={q, q.upper(), q.lower()}).values_list(
                    "pk", flat=True
                )
            )
        ids = [
            pk for pk in ids if pk in numbered or all(any(t in s for s in texts[pk]) for t in terms)
        ]
    return ids


def _listed(params: dict) -> tuple[int, list[int]]:
    """(the count shown, every id over every page) as the browser gives them."""
    first = browse(params)["page"]
    ids = []
    for number in first.paginator.page_range:
        page = browse({**params, "page": str(number)})["page"]
        ids += [item.pk for item in page.object_list]
    return first.paginator.count, ids


def _scramble():
    """Rows whose ids no longer follow the browser's order: a plan's order tied with another's
    (the slug decides), pillars renumbered backwards, items whose order runs against their
    number, and ties of order broken by number."""
    Plan.objects.filter(slug=KITAKYUSHU).update(order=0)
    Plan.objects.filter(slug=OSAKA).update(order=0)
    osaka = Plan.objects.get(slug=OSAKA)
    pillars = list(osaka.pillars.order_by("order"))
    for pillar in pillars:
        Pillar.objects.filter(pk=pillar.pk).update(order=100 + pillar.order)
    for n, pillar in enumerate(pillars):
        Pillar.objects.filter(pk=pillar.pk).update(order=len(pillars) - n)
    for n, item in enumerate(Initiative.objects.filter(plan=osaka).order_by("pk")):
        Initiative.objects.filter(pk=item.pk).update(order=(1000 - n) // 3)


FILTERS = [
    {},
    {"plan": OSAKA},
    {"plan": KITAKYUSHU},
    {"result": "achieved"},
    {"plan": OSAKA, "result": "not_achieved"},
    {"result": "none"},
    {"plan": OSAKA, "pillar": "PILLAR"},
    {"q": "委託"},  # two characters: bigrams on PostgreSQL, read row by row on SQLite
    {"q": "ゴミ"},
    {"q": "民間委託"},  # four: the trigram indexes
    {"q": "計画どおり"},  # in published narratives only
    {"q": "の"},  # one character: read row by row
    {"q": "取組 推進"},
    {"q": '"*(-'},  # what a text index's query language would read as operators
    {"q": "6-5"},
    {"q": "追加の取組"},  # in every grown item: dense when there are enough of them
    {"plan": OSAKA, "q": "追加の取組"},
    {"result": "none", "q": "追加の取組 取組"},
]


def _filters():
    pillar = Pillar.objects.get(plan__slug=OSAKA, order=2).pk
    return [{k: str(pillar) if v == "PILLAR" else v for k, v in f.items()} for f in FILTERS]


@pytest.mark.parametrize("walked", [False, True], ids=["words by index", "dense words walked"])
@pytest.mark.parametrize("grown", [False, True], ids=["seed size", "grown"])
def test_every_filter_lists_what_the_plain_query_lists_in_its_order_page_by_page(
    seeded, grown, walked, monkeypatch
):
    # Walked: every word of three or more characters found at all counts as dense.
    monkeypatch.setattr(search_index, "DENSE_HITS", 1 if walked else 10**9)
    if grown:
        grow_and_publish(total=130)
    _scramble()
    for params in _filters():
        expected = _expected(params)
        count, ids = _listed(params)
        assert (count, ids) == (len(expected), expected), params
    assert len(_expected({})) > PAGE_SIZE  # more than one page


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's page query: SQLite walks its own"
)
@pytest.mark.parametrize("counted", [False, True], ids=["ids", "ids and their count"])
def test_postgresqls_page_query_is_the_orms_text_with_the_where_compiled_once(seeded, counted):
    """The same text, so PostgreSQL plans it as it planned the ORM's (the plans' index with an
    incremental sort, tested at nation scale by bench/bench_nation.py)."""
    grow_and_publish(total=45)
    for params in _filters():
        filters = browse_module._read_filters(params)[0]
        plan = Plan.objects.filter(slug=params.get("plan", "")).first()
        shown = [p.pk for p in published.current_publications()]
        kept = browse_module._filtered(filters, plan, shown, False)
        walk = browse_module._Walk(kept["matching"], plan, compiled=kept)
        ordered = kept["matching"].order_by(*browse_module.ORDER)
        rows = (
            ordered.annotate(total=Window(Count("pk"))).values_list("pk", "total")
            if counted
            else ordered.values_list("pk", flat=True)
        )
        try:
            expected = rows.query.sql_with_params()
        except EmptyResultSet:
            continue
        sql, values = walk._ordered_sql(counted)
        assert (sql, tuple(values)) == (expected[0], tuple(expected[1])), params


def test_a_search_finds_the_text_as_last_written_by_every_writer(seeded):
    """The text indexes are kept by the database: a save, a bulk insert, an update and a
    delete show in the next search."""
    item = Initiative.objects.get(plan__slug=OSAKA, code="6-5")
    item.title = "みなと再開発の推進"
    item.save()
    assert _listed({"q": "みなと"}) == (1, [item.pk])
    assert _listed({"q": "再開発の"})[1] == [item.pk]
    Initiative.objects.filter(pk=item.pk).update(search_text="", title="x")
    assert _listed({"q": "みなと"}) == (0, [])
    grown = grow_and_publish(total=40)
    added = Initiative.objects.filter(code__startswith="g-")
    assert _listed({"q": "追加の取組"})[0] == added.count() > 0
    grown.results.all().delete()
    gone = added.first()
    gone.delete()
    assert gone.pk not in _listed({"q": "追加の取組"})[1]


def _queries(params: dict) -> int:
    with CaptureQueriesContext(connection) as ctx:
        browse(params)
    return len(ctx.captured_queries)


DEEP = [
    {"plan": OSAKA, "page": "2"},
    {"plan": OSAKA, "result": "achieved", "fy": "2024"},
    {"result": "not_achieved"},
    {"q": "取組"},
    {"q": "推進"},
    {"q": "の取組"},
]


def test_deep_pages_filters_and_searches_cost_the_same_queries_at_any_size(seeded, monkeypatch):
    # の取組 is in few seed items and in every grown one: rare, then dense.
    monkeypatch.setattr(search_index, "DENSE_HITS", 100)
    small = [_queries(p) for p in DEEP]
    assert 0 < browse({"q": "の取組"})["page"].paginator.count < 100
    grow_and_publish(total=600)
    large = [_queries(p) for p in DEEP]
    # A search reads its count with its page's ids (one query fewer than browsing); on SQLite
    # a word of three or more characters is first asked whether it is dense (one more).
    asked = 1 if connection.vendor == "sqlite" else 0
    assert small == large == [9, 9, 9, 8, 8, 8 + asked]


@pytest.mark.parametrize("term", ["委託", "民間委託"])
def test_a_search_word_is_looked_up_in_a_text_index_not_read_row_by_row(seeded, term):
    """Two characters: the bigram GIN index on PostgreSQL (pg_trgm takes no trigram from
    them); three or more: the trigram indexes, or on SQLite the FTS5 index. Both sides of a
    word's UNION use one."""
    from evaluations.search_index import holds

    sides = [
        # Unordered, as they are inside the browser's query.
        Initiative.objects.filter(holds(Initiative, term)).order_by().values("pk"),
        PublishedResult.objects.filter(holds(PublishedResult, term))
        .order_by()
        .values("initiative_id"),
    ]
    names = {
        ("postgresql", 2): ("initiative_search_bigram", "pubresult_search_bigram"),
        ("postgresql", 4): ("initiative_search_trgm", "pubresult_search_trgm"),
        ("sqlite", 4): ("initiative_search_fts", "pubresult_search_fts"),
    }.get((connection.vendor, len(term)))
    if names is None:
        pytest.skip("SQLite reads two-character words row by row (INSTR)")
    for side, name in zip(sides, names, strict=True):
        sql, params = side.query.sql_with_params()
        assert name in explain.plan(sql, list(params))
    assert _listed({"q": term})[0] > 0


def test_a_rare_word_finds_its_published_rows_by_their_ids_not_every_shown_row_on_sqlite(
    seeded,
):
    """A word read through FTS5 looks up each published row it finds by id; SQLite chose to
    read every row of the shown publications in their index and test each against the
    word's list (10,000 rows for one match). A two-character word, tested by INSTR on each
    row anyway, still reads only the shown publications' rows, in that index."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL plans the word's query through its text indexes")
    grow_and_publish(total=130)
    shown = [p.pk for p in published.current_publications()]
    for term, reads in (
        ("民間委託", "SEARCH U1 USING INTEGER PRIMARY KEY (rowid=?)"),
        ("委託", "(publication_id=?)"),
    ):
        found = browse_module._found_on_sqlite(term, shown, ())
        (u1,) = [
            line for line in explain.plan(found.sql, found.params).splitlines() if " U1 " in line
        ]
        assert u1.endswith(reads) and "SEARCH" in u1, u1
    assert _listed({"q": "民間委託"}) == (
        len(_expected({"q": "民間委託"})),
        _expected({"q": "民間委託"}),
    )


def test_a_dense_word_is_walked_in_order_and_counted_up_to_the_bound(seeded, settings, monkeypatch):
    """A word in (almost) every item is tested on the items the page walks, not looked up in
    the text index (whose ids would all be merged, sorted and counted); its count stops at
    PUBLIC_BROWSE_SEARCH_COUNT_MAX and says so."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL reads every word through its indexes")
    grow_and_publish(total=130)
    monkeypatch.setattr(search_index, "DENSE_HITS", 50)
    expected = _expected({"q": "追加の取組"})
    assert len(expected) >= 50
    with CaptureQueriesContext(connection) as ctx:
        page = browse({"q": "追加の取組"})["page"]
    walks = [q["sql"] for q in ctx.captured_queries if "CROSS JOIN" in q["sql"]]
    assert len(walks) == 1 and "INSTR" in walks[0] and "MATCH" not in walks[0]
    assert (page.paginator.count, page.paginator.capped) == (len(expected), False)
    settings.PUBLIC_BROWSE_SEARCH_COUNT_MAX = 30
    page = browse({"q": "追加の取組", "page": "2"})["page"]
    # Page 2 counts past page 3 (60, the bound's next step), and more match.
    assert (page.paginator.count, page.paginator.capped) == (60, True)
    assert [i.pk for i in page.object_list] == expected[20:40]


def _followed(params: dict) -> list:
    """Every page of ``params`` reached by its "next" link from the first, each as (number,
    count, capped, queries, ids)."""
    pages, number = [], 1
    while True:
        with CaptureQueriesContext(connection) as ctx:
            page = browse({**params, "page": str(number)})["page"]
        ids = [item.pk for item in page.object_list]
        pages.append((number, page.paginator.count, page.paginator.capped, len(ctx), ids))
        if not page.has_next():
            return pages
        number = page.next_page_number()


@pytest.mark.parametrize("walked", [False, True], ids=["words by index", "dense words walked"])
def test_a_search_counts_to_its_bound_in_steps_and_its_next_pages_reach_every_match(
    seeded, settings, monkeypatch, walked
):
    """A search counts up to PUBLIC_BROWSE_SEARCH_COUNT_MAX and says "more than" past it; each
    page counts one step past the page after it, so following "next" from the first page lists
    every match of the plain query, in its order, at the same query count on every page."""
    monkeypatch.setattr(search_index, "DENSE_HITS", 1 if walked else 10**9)
    grow_and_publish(total=160)
    _scramble()
    settings.PUBLIC_BROWSE_SEARCH_COUNT_MAX = 40
    for params in ({"q": "追加の取組"}, {"plan": OSAKA, "q": "追加の取組 取組"}):
        expected = _expected(params)
        assert len(expected) > 120
        pages = _followed(params)
        assert [i for *_, ids in pages for i in ids] == expected, params
        for number, count, capped, _queries, _ids in pages:
            bound = -(-((number + 1) * PAGE_SIZE) // 40) * 40  # 40, 40, 80, 80, 120 …
            assert (count, capped) == (min(len(expected), bound), len(expected) > bound)
        assert pages[0][1:3] == (40, True)
        assert len({queries for *_, queries, _ids in pages}) == 1, params


def test_browsing_without_a_search_keeps_its_exact_count(seeded, settings):
    """Only a search counts to the search bound: filters count exactly up to
    PUBLIC_BROWSE_COUNT_MAX."""
    grow_and_publish(total=160)
    settings.PUBLIC_BROWSE_SEARCH_COUNT_MAX = 40
    for params in ({}, {"plan": OSAKA}, {"plan": OSAKA, "result": "achieved"}):
        page = browse(params)["page"]
        assert (page.paginator.count, page.paginator.capped) == (len(_expected(params)), False)


def test_a_capped_search_says_more_than_in_japanese_and_english_and_in_its_json(
    seeded, settings, client
):
    grow_and_publish(total=160)
    settings.PUBLIC_BROWSE_SEARCH_COUNT_MAX = 40
    ja = client.get("/initiatives/?q=追加の取組").content.decode()
    assert "40件を超える中 1〜20件目を表示" in ja and "1ページ目（2ページを超えます）" in ja
    assert 'rel="next"' in ja
    en = client.get("/en/initiatives/?q=追加の取組").content.decode()
    assert "Showing 1–20 of more than 40" in en and "Page 1 of more than 2" in en
    api = client.get("/open-data/initiatives.json?q=追加の取組&page=2").json()
    assert (api["count"], api["count_capped"], api["pages"], api["page"]) == (80, True, 4, 2)
    assert len(api["results"]) == PAGE_SIZE
    exact = client.get(f"/initiatives/?plan={OSAKA}").content.decode()
    assert "件を超える" not in exact and "ページを超えます" not in exact
