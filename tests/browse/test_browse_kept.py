"""What the initiative browser keeps per process with ``PUBLIC_DATA_MEMO`` (evaluations.browse):
the filter form's plans, pillars and departments and the page's initiatives built once per rows
read, the filters of each query string and the query of each combination of them, and the
form's selects as markup (public_tags ``kept``, keyed by browse.field_keys). A page made from
what is kept is byte for byte the page the plain path renders, an edit of any row it shows
appears at once, and it reads what a fresh page reads."""

import re

import pytest
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.http import QueryDict
from django.template import Context, Engine
from django.test.utils import CaptureQueriesContext
from django.utils.translation import override

from evaluations import browse as browse_module
from evaluations import published
from evaluations.browse import BrowseFilters
from evaluations.templatetags import public_tags
from initiatives.models import Department, Initiative, Pillar, Plan
from reformtracker import memos
from tests.constants import KITAKYUSHU, OSAKA
from tests.factories import grow_and_publish

pytestmark = pytest.mark.django_db

PAGES = [
    "/initiatives/",
    f"/initiatives/?plan={OSAKA}&page=2",
    f"/initiatives/?plan={OSAKA}&pillar=&result=achieved&fy=2024",
    f"/initiatives/?plan={OSAKA}&pillar=PILLAR",
    "/initiatives/?department=DEPARTMENT",
    "/initiatives/?result=none",
    "/initiatives/?prefecture=27",
    "/initiatives/?q=取組",
    "/initiatives/?q=ゴミ",
    "/initiatives/?q=追加の取組&page=2",
    "/initiatives/?q=6-5",
    "/initiatives/?pillar=abc&fy=1",
    "/en/initiatives/",
    f"/en/initiatives/?plan={KITAKYUSHU}",
    "/en/initiatives/?q=ごみ",
    f"/open-data/initiatives.json?plan={OSAKA}&page=2",
    "/open-data/initiatives.json?q=委託",
    "/en/open-data/initiatives.json?fy=2024&result=achieved",
]


def _keep(settings) -> None:
    settings.PUBLIC_DATA_MEMO = True
    settings.PUBLIC_PAGE_FINGERPRINT_SECONDS = 0  # tests publish and look at once
    memos.clear()


def _paths() -> list[str]:
    pillar = str(Pillar.objects.get(plan__slug=OSAKA, order=2).pk)
    department = str(Department.objects.get(name="環境局").pk)
    return [p.replace("PILLAR", pillar).replace("DEPARTMENT", department) for p in PAGES]


def _render(client, paths: list[str]) -> dict:
    pages = {}
    for path in paths:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(path, headers=headers)
            pages[path, bool(headers)] = (response.status_code, response.content)
    return pages


def _plain_items(ids):
    return list(
        Initiative.objects.filter(pk__in=ids)
        .order_by()
        .select_related("plan__municipality", "pillar", "department")
    )


def test_pages_made_from_what_is_kept_are_byte_for_byte_the_plain_paths(
    seeded, client, settings, monkeypatch
):
    grow_and_publish(total=45)
    paths = _paths()
    _keep(settings)
    first = _render(client, paths)  # later pages already reuse the rows and selects kept
    kept = _render(client, paths)
    # Every page a new search: its rows and selects are kept, the page itself is not.
    searches = _render(client, [f"{p}&q=取組" if "?" in p else f"{p}?q=取組" for p in paths])
    settings.PUBLIC_DATA_MEMO = False
    memos.clear()
    monkeypatch.setattr(browse_module, "_items", _plain_items)
    monkeypatch.setattr(browse_module, "_known_items", lambda ids, known: _plain_items(ids))
    plain = _render(client, paths)
    plain_searches = _render(client, [f"{p}&q=取組" if "?" in p else f"{p}?q=取組" for p in paths])
    assert first == kept == plain
    assert searches == plain_searches
    statuses = {status for status, _content in plain.values()}
    assert statuses == {200, 400}
    assert b"<tbody>" in plain["/initiatives/", False][1]
    assert b'<option value="27" selected>' in plain["/initiatives/?prefecture=27", False][1]


def test_an_edit_of_any_row_the_browser_shows_appears_at_once(seeded, client, settings):
    _keep(settings)
    # Kitakyushu's items are not published: the page shows their live titles.
    browsing = f"/initiatives/?plan={KITAKYUSHU}"
    english = f"/en/initiatives/?plan={KITAKYUSHU}"
    searches = iter(f"/initiatives/?q=委託{n}" for n in range(100))

    def shown(text: str, *urls: str) -> bool:
        # And a new search, which finds nothing: its page is new, its selects may be kept.
        pages = [client.get(url) for url in (*urls, next(searches))]
        assert {page.status_code for page in pages} == {200}
        return all(text in page.content.decode() for page in pages)

    for url in (browsing, english, next(searches)):
        client.get(url)
    item = Initiative.objects.get(plan__slug=KITAKYUSHU, code="K-A-1")
    item.title = "書き換えた取組項目名"
    item.save()
    assert "書き換えた取組項目名" in client.get(browsing).content.decode()
    pillar = item.pillar
    pillar.name = "改名した取組方針"  # an option of the form and a row's pillar
    pillar.save()
    assert shown("改名した取組方針", browsing)
    plan = item.plan
    plan.title = "改名した計画"
    plan.save()
    assert shown("改名した計画", browsing)
    plan.municipality.name = "改名した市"  # in the plan's option
    plan.municipality.save()
    assert shown("改名した市", browsing)
    item.department.name_en = "Renamed Bureau"
    item.department.save()
    assert "Renamed Bureau" in client.get(english).content.decode()
    moved = Department.objects.create(
        municipality=plan.municipality, code="zz-new", name="新設した局"
    )
    Initiative.objects.filter(pk=item.pk).update(department=moved)
    assert shown("新設した局", browsing)
    Plan.objects.filter(pk=plan.pk).update(order=0)  # the plans' order
    page = client.get("/initiatives/").content.decode()
    assert page.index(f'value="{KITAKYUSHU}"') < page.index(f'value="{OSAKA}"')
    Plan.objects.filter(pk=plan.pk).update(order=99)
    page = client.get("/initiatives/").content.decode()
    assert page.index(f'value="{OSAKA}"') < page.index(f'value="{KITAKYUSHU}"')


def test_a_kept_page_reads_its_rows_in_as_few_queries_as_a_fresh_one(seeded, client, settings):
    _keep(settings)
    for url in (
        "/initiatives/",
        f"/initiatives/?plan={OSAKA}&result=achieved",
        "/initiatives/?q=取組",
    ):
        with CaptureQueriesContext(connection) as fresh:
            client.get(url)
        with CaptureQueriesContext(connection) as kept:
            client.get(url)
        assert len(kept.captured_queries) <= len(fresh.captured_queries), url
        # A search: its page's ids with their count (one query), the items' own rows (their
        # plan, pillar and department are the form's, whose lists are kept per fingerprint) and
        # their published results. Browsing without a word: only the rows and results, its
        # count and ids being kept for the fingerprint too. And the publication fingerprint,
        # here twice: once for the whole of browse(), once for the page's digest (the test
        # reads it afresh each time it is asked: PUBLIC_PAGE_FINGERPRINT_SECONDS = 0).
        assert len(kept.captured_queries) == (5 if "q=" in url else 4), url
        sqls = [q["sql"] for q in kept.captured_queries]
        assert any(
            re.search(r'FROM "initiatives_initiative" t0 WHERE t0\."id" IN', s) for s in sqls
        )


LISTS = re.compile(r'FROM "initiatives_(plan|pillar|department)" t0')
ROWS_OF_PLAN = re.compile(r'JOIN "initiatives_initiative" i ON .* <> ')


def test_the_forms_lists_are_read_once_per_fingerprint_and_again_after_any_write(
    seeded, client, settings
):
    _keep(settings)
    settings.PUBLIC_PAGE_FINGERPRINT_SECONDS = 60  # as in production: read once a minute here
    memos.clear()
    browsing = f"/initiatives/?plan={OSAKA}"
    with CaptureQueriesContext(connection) as first:
        client.get(browsing)
    read = [q["sql"] for q in first.captured_queries if LISTS.search(q["sql"])]
    assert len(read) == 3  # the plans, the pillars and the departments
    checks = []
    for url in (f"{browsing}&result=achieved", f"{browsing}&page=2", f"{browsing}&fy=2024"):
        with CaptureQueriesContext(connection) as kept:
            page = client.get(url)
        assert page.status_code == 200
        assert not [q for q in kept.captured_queries if LISTS.search(q["sql"])], url
        sqls = [q["sql"] for q in kept.captured_queries]
        # Whether the publication's rows are all of its plan's items (browse._rows_of_plan),
        # asked once per fingerprint by the first count of a result or a year.
        checks += [sql for sql in sqls if ROWS_OF_PLAN.search(sql)]
        # The count, the page's ids, the items' own rows and their published results; page 2
        # counts what page 1 counted, kept for the fingerprint.
        read = len([sql for sql in sqls if not ROWS_OF_PLAN.search(sql)])
        assert read == (3 if url.endswith("page=2") else 4), url
    assert len(checks) == 1
    # A write no service made (a shell's): the database's trigger counts it, and the lists
    # are read again once the fingerprint is read again (at most a minute here, as the stored
    # pages themselves).
    Pillar.objects.filter(plan__slug=OSAKA, order=2).update(name="改名した柱")
    settings.PUBLIC_PAGE_FINGERPRINT_SECONDS = 0
    with CaptureQueriesContext(connection) as after:
        page = client.get(f"{browsing}&result=achieved")
    assert "改名した柱" in page.content.decode()
    assert len([q for q in after.captured_queries if LISTS.search(q["sql"])]) == 3


def test_the_filters_kept_per_query_string_are_what_the_form_reads(settings):
    _keep(settings)
    strings = [
        "q=%EF%BC%96-%EF%BC%95+&pillar=abc&fy=2024&result=none&level=Z",
        "q=ごみ+委託&pillar=abc&fy=2024&result=none&level=Z",  # the same but the words: kept
        "q=&pillar=abc&fy=2024&result=none&level=Z",
        "pillar=abc&fy=2024&result=none&level=Z",
        "plan=x&department=3&prefecture=27&q=サーバー",
        "plan=x&department=3&prefecture=27&q=A-1",
    ]
    for language in ("ja", "en"):
        with override(language):
            for string in strings:
                form = BrowseFilters(QueryDict(string))
                form.is_valid()
                problems = {name: str(message) for name, message in form.problems.items()}
                expected = (form.cleaned_data, form.chosen(), problems)
                assert browse_module._read_filters(QueryDict(string)) == expected, string


def test_the_kept_tag_renders_once_per_key_and_every_time_without_one():
    memos.clear()
    engine = Engine(libraries={"public_tags": "evaluations.templatetags.public_tags"})
    template = engine.from_string("{% load public_tags %}{% kept key %}{{ value }}{% endkept %}")
    assert template.render(Context({"key": ("a",), "value": 1})) == "1"
    assert template.render(Context({"key": ("a",), "value": 2})) == "1"  # kept for its key
    assert template.render(Context({"key": ("b",), "value": 2})) == "2"
    assert template.render(Context({"key": None, "value": 3})) == "3"
    assert template.render(Context({"value": 4})) == "4"  # no key in the context
    memos.clear()
    assert template.render(Context({"key": ("a",), "value": 5})) == "5"


def test_two_kept_tags_of_one_template_given_one_key_keep_each_its_own_markup():
    # Django records where a tag stands in its template only while debugging: without debug,
    # the two tags below would have shared one entry, each row's cells then being its title.
    memos.clear()
    engine = Engine(debug=False, libraries={"public_tags": "evaluations.templatetags.public_tags"})
    template = engine.from_string(
        "{% load public_tags %}{% kept key rows %}<th>{{ title }}</th>{% endkept %}"
        "{% kept key rows %}<td>{{ cells }}</td>{% endkept %}"
    )
    context = {"key": ("row", 1), "title": "題", "cells": "欄"}
    assert template.render(Context(context)) == "<th>題</th><td>欄</td>"
    assert template.render(Context(context)) == "<th>題</th><td>欄</td>"


def test_a_search_again_takes_its_marked_titles_and_the_cells_from_what_is_kept(
    seeded, client, settings, monkeypatch
):
    """A search keeps each row's title cell with its words marked (keyed by the words) and the
    row's other cells, once for all the rows of one plan, pillar, department and result: the
    same search at another address renders nothing, nor marks a word."""
    _keep(settings)
    first = client.get("/initiatives/?q=取組").content
    rows = first.count(b"<tr>") - 1  # the header's
    cells = {row.split(b"</th>", 1)[1] for row in first.split(b"<tr>")[2:]}
    kept = public_tags._KEPT["rows"]
    # Each row's title cell, and the other cells once per markup they show.
    assert rows >= 3 and len(cells) < rows and len(kept) == rows + len(cells)
    rendered, marked = [], []
    monkeypatch.setattr(kept, "put", lambda *args: rendered.append(args))
    monkeypatch.setattr(browse_module, "highlight", lambda *args: marked.append(args))
    # Another address (the page memo's key), the same rows.
    again = client.get("/initiatives/?q=取組&page=1").content
    assert rendered == [] and marked == []
    assert again.count(b"<tr>") - 1 == rows and again.count(b"<mark>") == first.count(b"<mark>")


def test_a_new_search_renders_the_titles_it_marks_and_takes_the_other_cells_from_what_is_kept(
    seeded, client, settings, monkeypatch
):
    """Other words (the same rows: every item with 取組 has 取) mark the titles anew; the plan,
    department and result cells of a row shown before come from what was kept."""
    _keep(settings)
    first = client.get("/initiatives/?q=取組").content
    rows = first.count(b"<tr>") - 1
    kept = public_tags._KEPT["rows"]
    rendered = []
    put = kept.put
    monkeypatch.setattr(kept, "put", lambda *args: (rendered.append(args), put(*args)))
    again = client.get("/initiatives/?q=取組+取").content
    assert again.count(b"<tr>") - 1 == rows and b"<mark>" in again
    assert len(rendered) == rows
    # Each the row's number and title (the part kept by title_key), none its other cells.
    assert all('<th scope="row">' in markup for _key, markup in rendered)
    assert not any('class="result ' in markup or "未公表" in markup for _key, markup in rendered)


def test_rows_no_page_showed_before_take_the_cells_shown_with_other_items_from_what_is_kept(
    seeded, client, settings, monkeypatch
):
    """A row's plan, department and result cells show nothing of the item itself: the rows of
    a page nobody opened before render only the cells no row of another page showed."""
    _keep(settings)
    first = client.get(f"/initiatives/?plan={OSAKA}").content
    shown = {row.split(b"</th>", 1)[1] for row in first.split(b"<tr>")[2:]}
    kept = public_tags._KEPT["rows"]
    rendered = []
    put = kept.put
    monkeypatch.setattr(kept, "put", lambda *args: (rendered.append(args), put(*args)))
    second = client.get(f"/initiatives/?plan={OSAKA}&page=2").content
    cells = [row.split(b"</th>", 1)[1] for row in second.split(b"<tr>")[2:]]
    new_cells = {c for c in cells if c not in shown}
    titles = [m for _key, m in rendered if '<th scope="row">' in m]
    assert len(titles) == len(cells) >= 3
    assert len(new_cells) < len(cells)  # the seed's page 2 repeats cells of page 1
    assert len(rendered) == len(titles) + len(new_cells)


def test_a_combination_of_filters_nobody_chose_before_takes_each_select_from_what_is_kept(
    seeded, client, settings, monkeypatch
):
    """Each of the form's selects is kept for what it shows (browse.field_keys), not the form
    per combination: a result chosen on one page and a level on another, then both at once,
    renders no select anew, and the page is the one rendered without anything kept."""
    _keep(settings)
    for path in ("/initiatives/?result=achieved", "/initiatives/?level=A"):
        assert client.get(path).status_code == 200
    parts = public_tags._KEPT["parts"]
    rendered = []
    put = parts.put
    monkeypatch.setattr(parts, "put", lambda *args: (rendered.append(args), put(*args)))
    both = client.get("/initiatives/?result=achieved&level=A")
    assert both.status_code == 200 and rendered == []
    assert '<option value="achieved" selected>' in both.content.decode()
    assert '<option value="A" selected>' in both.content.decode()
    settings.PUBLIC_DATA_MEMO = False
    memos.clear()
    assert client.get("/initiatives/?result=achieved&level=A").content == both.content


def test_whether_a_word_is_dense_is_asked_once_per_fingerprint(seeded, client, settings):
    """The FTS5 probe that decides how a word is found (search_index.dense) is kept for the
    publication fingerprint, which counts every write of the items: asked again after one."""
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite asks (PostgreSQL reads every word through its indexes)")
    _keep(settings)

    def probes(path: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        probe = "SELECT (SELECT COUNT(*) FROM (SELECT rowid FROM initiative_search_fts WHERE"
        return sum(q["sql"].startswith(probe) for q in ctx.captured_queries)

    assert probes("/initiatives/?q=取組の推進") == 1
    assert probes("/initiatives/?q=取組の推進&page=1") == 0  # another address, the same words
    item = Initiative.objects.filter(plan__slug=OSAKA).first()
    Initiative.objects.filter(pk=item.pk).update(title=item.title + "（改）")
    assert probes("/initiatives/?q=取組の推進&page=1&plan=") == 1


def test_a_page_of_more_items_than_are_kept_lists_every_one_of_them(
    seeded, client, settings, monkeypatch
):
    """The items kept per process (memos.Bounded) let the least recently used go: a page that
    builds more than it may keep still shows each of its rows, as the plain path does."""
    _keep(settings)
    path = f"/initiatives/?plan={OSAKA}"
    full = client.get(path).content
    assert full.count(b"<tr>") - 1 == 20
    memos.clear()
    monkeypatch.setattr(browse_module._items_built, "most", 5)
    assert client.get(f"{path}&page=1").content.count(b"<tr>") - 1 == 20
    assert len(browse_module._items_built) == 5
    assert client.get(path).content == full  # built again where no longer kept


@pytest.mark.parametrize(
    "params",
    [
        {"q": "推進"},
        {"q": "6-5"},
        {"q": "ごみ 削減", "plan": OSAKA},
        {"q": "取組の推進", "plan": OSAKA, "result": "achieved", "fy": "2024"},
        {"q": "取組", "result": "none"},
        {"q": "見直し", "level": "A", "prefecture": "40"},
        {"q": "取組", "fy": "2001"},
    ],
    ids=[
        "a word",
        "a number",
        "two words in a plan",
        "a result",
        "not published",
        "a level",
        "a year nobody published",
    ],
)
def test_a_search_on_sqlite_has_the_where_the_orm_compiles_for_its_words(seeded, params):
    """A word that is not walked is added as SQL to the other filters' WHERE compiled once
    (browse._searched_on_sqlite): the same conditions and values as those filters' queryset
    with ``pk__in=`` each word's ids compiled by the ORM, so the same items; nothing at all
    where nothing can match."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL finds words through the ORM's query")
    filters = browse_module._read_filters(params)[0]
    plan = Plan.objects.filter(slug=params.get("plan", "")).first()
    shown = [p.pk for p in published.current_publications()]
    if params.get("fy") == "2001":
        shown = []  # (as browse shows no 時点 of a year nobody published)
    searched = browse_module._filtered(filters, plan, shown, False)
    rest = {**filters, "q": "", "terms": []}
    orm = browse_module._filtered(rest, plan, shown, False)["matching"]
    for n, term in enumerate(filters["terms"]):
        codes = browse_module._numbered(filters, n)
        orm = orm.filter(pk__in=browse_module._found_on_sqlite(term, shown, codes))
    try:
        where, values = orm.query.get_compiler(connection=connection).compile(orm.query.where)
    except EmptyResultSet:
        assert searched["where"] is None
        return

    def items(where: str, values) -> list[int]:
        table = connection.ops.quote_name(Initiative._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {table} WHERE {where} ORDER BY id", values)
            return [pk for (pk,) in cursor.fetchall()]

    assert searched["where"][1] == list(values)
    assert " ".join(searched["where"][0].replace("(", " ").replace(")", " ").split()) == " ".join(
        where.replace("(", " ").replace(")", " ").split()
    )
    assert items(*searched["where"]) == items(where, values)


def test_a_new_word_on_sqlite_builds_no_query_for_the_filters_an_earlier_search_had(
    seeded, client, settings, monkeypatch
):
    """Only the word's own SQL is new: the other filters' queryset and WHERE are the ones kept
    for the earlier search among them, and the page lists what a fresh process lists."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL finds words through the ORM's query")
    _keep(settings)
    path = f"/initiatives/?plan={OSAKA}&result=achieved&q="
    assert client.get(path + "官民").status_code == 200
    built = []
    matching = browse_module._matching
    monkeypatch.setattr(
        browse_module, "_matching", lambda *args, **kw: built.append(args) or matching(*args, **kw)
    )
    page = client.get(path + "委託")
    assert page.status_code == 200 and built == []
    assert page.content.count(b"<mark>") == 2  # 2-1 and 2-3
    settings.PUBLIC_DATA_MEMO = False
    memos.clear()
    assert client.get(path + "委託").content == page.content


def test_the_years_and_the_shown_publications_are_worked_out_once_per_fingerprint(
    seeded, client, settings, monkeypatch
):
    """Which 時点 each plan shows (for a year, or the latest) and the years published are
    worked out from every plan's publications once per fingerprint, not on each request (among
    1,741 cities that walk was half of a browser page); a year nobody published works out
    nothing. A publication shows at once."""
    _keep(settings)
    walks = []
    shown_of = browse_module._shown_of
    monkeypatch.setattr(
        browse_module, "_shown_of", lambda *args: walks.append(args[1]) or shown_of(*args)
    )
    for path in ("/initiatives/", "/initiatives/?fy=2024", "/initiatives/?fy=2019"):
        assert client.get(path).status_code == 200
    assert walks == [None, 2024]
    for path in ("/initiatives/?level=A", "/initiatives/?fy=2024&result=achieved&page=2"):
        assert client.get(path).status_code == 200
    assert walks == [None, 2024]
    grow_and_publish(total=30, fiscal_year=2025)
    assert "令和7年度" in client.get("/initiatives/").content.decode()
    assert walks == [None, 2024, None]
