"""The initiative browser: filters, Japanese search, pagination, htmx fragments with URL state."""

import re

import pytest
from django.http import QueryDict

from evaluations.browse import NOT_PUBLISHED, BrowseFilters
from initiatives.models import Department, Initiative, Pillar
from tests.constants import KITAKYUSHU, OSAKA
from tests.factories import grow_and_publish

pytestmark = pytest.mark.django_db


def _codes(response) -> list[str]:
    body = response.content.decode()
    table = body.split('class="initiative-table"', 1)[-1] if "initiative-table" in body else ""
    return re.findall(r"<tr>\s*<td>([^<]+)</td>", table)


def _count(response) -> str:
    return re.search(r'id="result-count"[^>]*>([^<]+)<', response.content.decode()).group(1)


def test_it_lists_every_initiative_of_both_plans_by_default(client, seeded):
    response = client.get("/initiatives/")
    assert _count(response) == "30件中 1〜20件目を表示"
    assert len(_codes(response)) == 20


def test_it_filters_by_plan_pillar_department_result_and_level(client, seeded):
    assert "6件中" in _count(client.get(f"/initiatives/?plan={KITAKYUSHU}"))
    pillar = Pillar.objects.get(plan__slug=OSAKA, order=6)
    codes = _codes(client.get(f"/initiatives/?pillar={pillar.pk}"))
    assert codes and all(code.startswith("6-") for code in codes)
    assert len(codes) == Initiative.objects.filter(pillar=pillar).count()

    department = Department.objects.get(name="環境局")
    codes = _codes(client.get(f"/initiatives/?department={department.pk}"))
    assert sorted(codes) == sorted(
        Initiative.objects.filter(department=department).values_list("code", flat=True)
    )

    assert "評価対象外" in client.get("/initiatives/?result=excluded").content.decode()
    assert _codes(client.get("/initiatives/?result=excluded")) == ["6-5"]
    assert "4件中" in _count(client.get("/initiatives/?result=not_achieved"))
    assert "19件中" in _count(client.get(f"/initiatives/?plan={OSAKA}&result=achieved"))
    # Kitakyushu publishes no item results: its six are "not published".
    assert "6件中" in _count(client.get("/initiatives/?result=none"))
    level_b = _codes(client.get("/initiatives/?level=BC"))
    assert sorted(level_b) == sorted(
        Initiative.objects.filter(reform_level="BC").values_list("code", flat=True)
    )


def test_it_filters_by_fiscal_year_and_shows_that_years_result(client, seeded):
    grow_and_publish(total=40, fiscal_year=2025)
    latest = client.get(f"/initiatives/?plan={OSAKA}&result=excluded")
    assert _codes(latest) == []  # in the FY2025 時点 every item was evaluated
    fy2024 = client.get(f"/initiatives/?plan={OSAKA}&result=excluded&fy=2024")
    assert _codes(fy2024) == ["6-5"]
    assert "令和6年度末時点" in fy2024.content.decode()
    # Only items published in that year: the 16 added for FY2025 are not in FY2024.
    assert "24件中" in _count(client.get(f"/initiatives/?plan={OSAKA}&fy=2024"))
    assert "40件中" in _count(client.get(f"/initiatives/?plan={OSAKA}&fy=2025"))


def test_it_searches_japanese_titles_and_published_narratives_with_full_width_input(client, seeded):
    codes = _codes(client.get("/initiatives/?q=民間委託"))
    titles = Initiative.objects.filter(title__contains="民間委託").values_list("code", flat=True)
    assert titles and set(titles) <= set(codes)
    # 全角 letters are read as 半角: 「ＤＸ」 finds what 「DX」 finds.
    assert _codes(client.get("/initiatives/?q=ＤＸ")) == _codes(client.get("/initiatives/?q=DX"))
    # The reason published with a result is searched too.
    assert _codes(client.get("/initiatives/?q=令和9年度末時点で評価")) == ["6-5"]
    assert (
        "条件に合う取組項目はありません"
        in client.get("/initiatives/?q=存在しない語").content.decode()
    )


def test_it_pages_through_results_keeping_the_filters_in_the_links(client, seeded):
    first = client.get(f"/initiatives/?plan={OSAKA}")
    assert _count(first) == "24件中 1〜20件目を表示"
    assert f"?plan={OSAKA}&amp;page=2" in first.content.decode()
    second = client.get(f"/initiatives/?plan={OSAKA}&page=2")
    assert _count(second) == "24件中 21〜24件目を表示"
    assert set(_codes(first)).isdisjoint(_codes(second))
    assert len(_codes(first) + _codes(second)) == 24
    assert client.get("/initiatives/?page=999").status_code == 200  # last page, not an error


def test_it_answers_htmx_with_the_fragment_and_a_full_page_otherwise(client, seeded):
    full = client.get(f"/initiatives/?plan={OSAKA}").content.decode()
    assert full.startswith("<!DOCTYPE html>")
    # The form pushes each state into the URL: shareable and the back button works.
    form = re.search(r'<form id="filters".*?>', full, re.S).group(0)
    assert 'hx-push-url="true"' in form and 'hx-target="#results"' in form
    assert 'method="get"' in form  # and without JavaScript it is an ordinary GET form

    fragment = client.get(
        f"/initiatives/?plan={OSAKA}", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    body = fragment.content.decode()
    assert "<html" not in body and '<form id="filters"' not in body
    assert 'id="result-count"' in body and 'hx-swap-oob="true"' in body
    assert _codes(fragment) == _codes(client.get(f"/initiatives/?plan={OSAKA}"))
    assert "HX-Request" in fragment["Vary"]

    # Back/forward after htmx navigation asks for the whole page.
    restored = client.get(
        f"/initiatives/?plan={OSAKA}",
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    ).content.decode()
    assert restored.startswith("<!DOCTYPE html>")
    assert f'<option value="{OSAKA}" selected>' in restored


def test_a_malformed_filter_is_a_bad_request_that_says_which_and_shows_the_rest(client, seeded):
    response = client.get("/initiatives/?pillar=abc&department=x&fy=R6&result=maybe&level=Z")
    assert response.status_code == 400
    page = response.content.decode()
    for message in (
        "取組方針の指定「abc」は正しくありません。",
        "所管の指定「x」は正しくありません。",
        "年度の指定「R6」は正しくありません。",
        "評価結果の指定「maybe」は正しくありません。",
        "改革レベルの指定「Z」は正しくありません。",
    ):
        assert message in page
    assert _count(response) == "30件中 1〜20件目を表示"  # shown without the broken filters


def test_an_id_past_what_the_database_holds_is_a_bad_request_in_both_languages_and_in_json(
    client, seeded
):
    huge = "99999999999999999999"
    ja = client.get(f"/initiatives/?pillar={huge}")
    assert ja.status_code == 400
    assert f"取組方針の指定「{huge}」は正しくありません。" in ja.content.decode()
    en = client.get(f"/en/initiatives/?department={huge}")
    assert en.status_code == 400
    assert f"filter “{huge}” is not valid" in en.content.decode()
    api = client.get(f"/open-data/initiatives.json?pillar={huge}")
    assert api.status_code == 400
    assert api.json()["errors"]["pillar"].startswith("取組方針の指定")


def test_the_filter_form_keeps_each_value_as_typed_and_reads_what_it_means():
    form = BrowseFilters(QueryDict("q=%EF%BC%96-%EF%BC%95+&pillar=abc&fy=2024&result=none&level=Z"))
    assert form.is_valid()  # read whatever it holds; what cannot mean anything is a problem
    assert set(form.problems) == {"pillar", "level"}
    assert form.chosen() == {
        "prefecture": "",
        "plan": "",
        "pillar": "abc",
        "department": "",
        "result": "none",
        "fy": "2024",
        "level": "Z",
        "q": "6-5",  # 全角 → 半角, trimmed
    }
    data = form.cleaned_data
    assert (data["pillar_id"], data["department_id"], data["fiscal_year"]) == (None, None, 2024)
    assert (data["result_filter"], data["reform_level"]) == (NOT_PUBLISHED, None)


@pytest.mark.django_db
@pytest.mark.parametrize("number", [None, "1", "2", "99", "0", "-1", "abc", "2.0", "9" * 30])
def test_a_page_is_the_one_paginator_would_give_with_the_count_read_alongside(seeded, number):
    from django.core.paginator import Paginator
    from django.http import QueryDict

    from evaluations.browse import PAGE_SIZE, browse

    params = QueryDict(mutable=True)
    if number is not None:
        params["page"] = number
    page = browse(params)["page"]
    every = list(browse(QueryDict())["page"].paginator.object_list)
    expected = Paginator(every, PAGE_SIZE).get_page(number)
    assert page.number == expected.number
    assert page.paginator.count == len(every) > PAGE_SIZE
    assert [i.pk for i in page.object_list] == list(expected.object_list)
