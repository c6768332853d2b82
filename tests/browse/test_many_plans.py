"""Among many plans the browser lists what a reader can choose from (a prefecture's plans, a
plan's pillars and departments), counts up to a bound, and a plan page lists a bounded number
of its 評価対象外 items with a link to all of them."""

import re

import pytest

from initiatives.models import Initiative, Pillar
from tests.constants import KITAKYUSHU, OSAKA

pytestmark = pytest.mark.django_db


def _options(body: str, name: str) -> list[str]:
    select = re.search(rf'<select id="filter-{name}" name="{name}".*?</select>', body, re.S)
    return re.findall(r'<option value="([^"]*)"', select.group(0))[1:]  # after 「すべて」


def _count(body: str) -> str:
    return re.search(r'id="result-count"[^>]*>([^<]+)<', body).group(1)


def test_while_plans_are_few_every_plan_pillar_and_department_is_offered(client, seeded):
    body = client.get("/initiatives/").content.decode()
    assert set(_options(body, "plan")) == {OSAKA, KITAKYUSHU}
    assert len(_options(body, "pillar")) == Pillar.objects.count()
    assert "計画が多いため" not in body


def test_among_many_plans_a_prefecture_is_chosen_first(client, seeded, settings):
    settings.PUBLIC_BROWSE_PLAN_CHOICES_MAX = 1  # the seed's two plans are "many"
    body = client.get("/initiatives/").content.decode()
    assert _options(body, "plan") == [] and _options(body, "pillar") == []
    assert _options(body, "department") == []
    assert "都道府県を選ぶとその計画から選べます" in body
    assert "30件中" in _count(body)  # every initiative is still browsed
    # Osaka prefecture (27) holds one plan: it is offered, and the page lists only its items.
    osaka = client.get("/initiatives/?prefecture=27").content.decode()
    assert _options(osaka, "plan") == [OSAKA]
    assert "24件中" in _count(osaka)
    # A chosen plan is offered with its own pillars and departments.
    chosen = client.get(f"/initiatives/?plan={OSAKA}").content.decode()
    assert _options(chosen, "plan") == [OSAKA]
    pillars = Pillar.objects.filter(plan__slug=OSAKA).values_list("pk", flat=True)
    assert sorted(map(int, _options(chosen, "pillar"))) == sorted(pillars)
    owners = Initiative.objects.filter(plan__slug=OSAKA).values_list("department", flat=True)
    assert set(map(int, _options(chosen, "department"))) == set(owners)


def test_an_unknown_prefecture_is_a_bad_request_that_says_so(client, seeded):
    response = client.get("/initiatives/?prefecture=99")
    assert response.status_code == 400
    assert "都道府県の指定「99」は正しくありません。" in response.content.decode()


def test_past_the_count_bound_the_page_says_more_than_and_pages_up_to_it(client, seeded, settings):
    settings.PUBLIC_BROWSE_COUNT_MAX = 20
    first = client.get("/initiatives/").content.decode()
    assert _count(first).startswith("20件を超える中 1〜20件目を表示")
    assert "page=2" not in first  # the rest is found by narrowing
    api = client.get("/open-data/initiatives.json").json()
    assert (api["count"], api["count_capped"], api["pages"]) == (20, True, 1)
    assert _count(client.get(f"/initiatives/?plan={KITAKYUSHU}").content.decode()).startswith(
        "6件中"
    )


def test_a_plan_page_lists_its_excluded_items_up_to_the_bound_and_links_to_them_all(
    client, seeded, settings
):
    page = client.get(f"/plans/{OSAKA}/").content.decode()
    assert "環境負荷の低減に係る取組の推進" in page
    assert "すべて見る" not in page
    settings.PUBLIC_PLAN_EXCLUDED_MAX = 0
    page = client.get(f"/plans/{OSAKA}/").content.decode()
    link = f'href="/initiatives/?plan={OSAKA}&amp;result=excluded"'
    assert link in page and "評価対象外の1項目をすべて見る" in page
    listed = client.get(f"/initiatives/?plan={OSAKA}&result=excluded").content.decode()
    assert "環境負荷の低減に係る取組の推進" in listed


def test_after_an_htmx_request_the_choices_follow_the_chosen_prefecture_and_plan(
    client, seeded, settings
):
    settings.PUBLIC_BROWSE_PLAN_CHOICES_MAX = 1
    body = client.get("/initiatives/?prefecture=27", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in body
    # Each field whole, by its id (htmx gives the focus back to the select of the same id).
    plan = re.search(
        r'<div class="field" id="field-plan" hx-swap-oob="true">(.*?)</div>', body, re.S
    )
    assert re.findall(r'<option value="([^"]+)"', plan.group(1)) == [OSAKA]
    # Among all plans (too many to list) the pillars wait for a plan to be chosen.
    every = client.get("/initiatives/", HTTP_HX_REQUEST="true").content.decode()
    assert '<p id="filter-pillar-help" class="help">計画を選ぶと' in every
    body = client.get(f"/initiatives/?plan={OSAKA}", HTTP_HX_REQUEST="true").content.decode()
    pillars = re.search(
        r'<div class="field" id="field-pillar" hx-swap-oob="true">(.*?)</div>', body, re.S
    )
    assert len(re.findall(r'<option value="\d+"', pillars.group(1))) == 6
