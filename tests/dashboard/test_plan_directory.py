"""Many cities: the home page's directory (by prefecture, filtered, searched, paginated), the
paginated /open-data/plans.json and pillar page, at a constant number of queries per page."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations.models import PublishedResult
from initiatives.models import Municipality
from tests.constants import KITAKYUSHU, OSAKA
from tests.factories import grow_and_publish, make_cities


def _queries(client, url, status=200) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == status, url
    return len(ctx.captured_queries)


def _text(response) -> str:
    return response.content.decode()


@pytest.fixture
def directory(settings):
    """The home page as it is for many cities, whatever the number of plans."""
    settings.PUBLIC_HOME_BOARDS_MAX = 0


@pytest.mark.django_db
def test_the_seed_cities_carry_their_prefecture_and_local_government_code(seeded):
    codes = dict(Municipality.objects.values_list("name", "local_code"))
    prefectures = dict(Municipality.objects.values_list("name", "prefecture"))
    assert codes == {"大阪市": "271004", "北九州市": "401005"}
    assert prefectures == {"大阪市": "27", "北九州市": "40"}


@pytest.mark.django_db
def test_with_two_plans_the_home_page_shows_their_dashboards_and_no_directory(client, seeded):
    page = _text(client.get("/"))
    assert 'id="plan-filters"' not in page
    assert page.index(f'id="plan-{OSAKA}"') < page.index(f'id="plan-{KITAKYUSHU}"')


@pytest.mark.django_db
def test_the_directory_groups_plans_under_their_prefectures_in_jis_order(client, seeded, directory):
    page = _text(client.get("/"))
    assert 'id="plan-filters"' in page
    assert page.index(">大阪府</h2>") < page.index("大阪市") < page.index(">福岡県</h2>")
    assert page.index(">福岡県</h2>") < page.index("北九州市")
    assert "約82.6%" in page  # Osaka's headline rate beside its name
    assert "2件中 1〜2件目を表示" in page


@pytest.mark.django_db
def test_the_prefecture_filter_and_the_name_search_narrow_the_directory(client, seeded, directory):
    fukuoka = _text(client.get("/?prefecture=40"))
    assert "北九州市" in fukuoka and "大阪市" not in fukuoka
    assert '<option value="40" selected>福岡県</option>' in fukuoka
    osaka = _text(client.get("/?q=大阪"))
    assert "大阪市" in osaka and "北九州市" not in osaka
    # Typed in full width, as a Japanese keyboard gives it, the code still filters.
    assert "北九州市" in _text(client.get("/?prefecture=４０"))
    assert "条件に合う計画はありません。" in _text(client.get("/?q=存在しない市"))


@pytest.mark.django_db
def test_a_prefecture_that_is_no_jis_code_is_refused_with_a_message(client, seeded, directory):
    response = client.get("/?prefecture=48")
    assert response.status_code == 400
    page = _text(response)
    assert "都道府県の指定「48」は正しくありません。" in page
    assert "大阪市" in page and "北九州市" in page  # shown without that filter


@pytest.mark.django_db
def test_htmx_gets_the_directory_alone(client, seeded, directory):
    fragment = _text(client.get("/?prefecture=27", headers={"HX-Request": "true"}))
    assert "大阪市" in fragment
    assert "<html" not in fragment and 'id="plan-filters"' not in fragment


@pytest.mark.django_db
def test_the_directory_pages_through_many_cities_at_the_same_queries(
    client, seeded, directory, settings
):
    settings.PUBLIC_HOME_PLANS_PER_PAGE = 20
    urls = ("/", "/?prefecture=27&q=市")
    small = {url: _queries(client, url) for url in urls}
    # 30 more cities in 大阪府 and 30 in 福岡県, listed after the seed's plan of each.
    make_cities(60, prefectures=["27", "40"])
    large = {url: _queries(client, url) for url in urls}
    assert large == small
    first, second = _text(client.get("/")), _text(client.get("/?page=2"))
    last = _text(client.get("/?page=4"))
    assert "62件中 1〜20件目を表示" in first and 'rel="next"' in first
    assert "62件中 61〜62件目を表示" in last and 'rel="prev"' in last
    assert len(re.findall(r'<th scope="row">', first)) == 20
    assert first.index("大阪市") < first.index("試験")  # the seed's plan first in its prefecture
    # Page 2 ends 大阪府 (31 plans) and begins 福岡県, each under its heading.
    assert second.index(">大阪府</h2>") < second.index(">福岡県</h2>")


@pytest.mark.django_db
def test_plans_json_is_paginated_with_its_links_and_keeps_its_fields(client, seeded):
    make_cities(5)
    payload = client.get("/open-data/plans.json?per_page=3").json()
    assert next(iter(payload)) == "licence"
    assert payload["count"] == 7 and payload["pages"] == 3 and payload["per_page"] == 3
    assert payload["previous"] is None
    assert payload["next"] == "http://testserver/open-data/plans.json?per_page=3&page=2"
    assert len(payload["plans"]) == 3
    second = client.get(payload["next"]).json()
    assert second["previous"].endswith("/open-data/plans.json?per_page=3&page=1")
    slugs = [p["slug"] for p in payload["plans"] + second["plans"]]
    assert len(set(slugs)) == 6
    osaka = client.get("/open-data/plans.json?prefecture=27").json()
    assert [p["slug"] for p in osaka["plans"]] == [OSAKA]
    plan = osaka["plans"][0]
    assert {"slug", "title", "municipality", "period", "url", "summaries"} <= set(plan)
    assert plan["prefecture"] == {"code": "27", "name": "大阪府"}
    assert plan["local_code"] == "271004"


@pytest.mark.django_db
def test_plans_json_refuses_more_per_page_than_its_maximum(client, seeded, settings):
    settings.OPEN_DATA_PLANS_MAX_PER_PAGE = 50
    response = client.get("/open-data/plans.json?per_page=51")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "per_page": "1ページの件数は1から50 までで指定してください。"
    }
    assert client.get("/open-data/plans.json?prefecture=tokyo").status_code == 400


@pytest.mark.django_db
def test_plans_json_costs_the_same_queries_for_2_and_for_200_plans(client, seeded):
    urls = ("/open-data/plans.json?per_page=50", "/open-data/plans.json?prefecture=40")
    small = {url: _queries(client, url) for url in urls}
    make_cities(200, prefectures=["27", "40"])
    assert {url: _queries(client, url) for url in urls} == small
    assert client.get(urls[0]).json()["count"] == 202


@pytest.mark.django_db
def test_the_pillar_page_shows_one_page_of_items_and_counts_them_all(client, seeded, settings):
    settings.PUBLIC_PILLAR_ITEMS_PER_PAGE = 100
    url = f"/plans/{OSAKA}/pillars/2/"
    small = _queries(client, url)
    publication = grow_and_publish(total=1_000)
    assert _queries(client, url) == small
    assert _queries(client, url + "?page=5") == small
    items = PublishedResult.objects.filter(publication=publication, pillar__order=2)
    total, achieved = items.count(), items.filter(result="achieved").count()
    assert total > 900
    first = _text(client.get(url))
    # Every item of pillar 2 is counted, 100 of them listed.
    assert f"達成{achieved}項目 / 評価対象{total}項目" in first
    assert f"{total}件中 1〜100件目を表示" in first
    assert len(re.findall(r'<th scope="row">', first)) == 100
    last = _text(client.get(url + "?page=10"))
    assert f"{total}件中 901〜{total}件目を表示" in last
    api = client.get(f"/open-data/plans/{OSAKA}/pillars/2.json?page=10").json()
    assert api["count"] == total and len(api["results"]) == total - 900


@pytest.mark.django_db
def test_the_open_data_index_lists_one_page_of_plans_at_the_same_queries(client, seeded, settings):
    settings.PUBLIC_HOME_PLANS_PER_PAGE = 20
    small = _queries(client, "/open-data/")
    make_cities(30, prefectures=["27"])
    assert _queries(client, "/open-data/") == small
    first = _text(client.get("/open-data/"))
    assert "1 / 2ページ" in first and 'rel="next"' in first
    assert f"/open-data/{OSAKA}/2024/results.csv" in first
    assert 'rel="prev"' in _text(client.get("/open-data/?page=2"))


@pytest.mark.django_db
def test_home_json_gives_a_page_of_dashboards_at_the_same_queries(client, seeded, settings):
    settings.PUBLIC_HOME_PLANS_PER_PAGE = 20
    url = "/open-data/home.json?prefecture=27"
    small = _queries(client, url)
    make_cities(60, prefectures=["27", "40"])
    assert _queries(client, url) == small
    payload = client.get("/open-data/home.json").json()
    assert (payload["count"], payload["page"], payload["pages"]) == (62, 1, 4)
    assert len(payload["plans"]) == 20
    assert payload["plans"][0]["plan"]["slug"] == OSAKA
    assert payload["plans"][0]["summary"]["rate_display"] == "約82.6%"


@pytest.mark.django_db
def test_the_plan_page_reads_its_own_plans_pillars_only(client, seeded):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/plans/{OSAKA}/").status_code == 200
    pillar_reads = [
        q["sql"] for q in ctx.captured_queries if 'FROM "initiatives_pillar"' in q["sql"]
    ]
    # Filtered by its plan (= one plan, or IN the page's plans), never every plan's pillars.
    assert pillar_reads and all(
        '"plan_id" IN' in sql or '"plan_id" = ' in sql for sql in pillar_reads
    )
