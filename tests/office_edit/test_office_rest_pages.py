"""The office pages that replace the admin's last uses, as a browser without JavaScript uses
them (plain forms that post and redirect) and as htmx does (the form fragment back, 422 with
the error at its field, 409 with what is stored): the plan's title and period (西暦 or 和暦),
an initiative's number, deleting a pillar or a year's schedule, analysis clusters,
reinstating a retired initiative."""

from __future__ import annotations

import re
from datetime import date

from django.utils import translation

from evaluations.choices import HistoryAction, Result
from evaluations.models import HistoryEvent
from evaluations.services import plan_edits, publish_round_as_system
from evaluations.services.plan_edits import edit_token
from initiatives.models import AnalysisCluster, Initiative, Pillar
from tests.factories import confirm_entries, make_pillar
from tests.personas import HTMX, client_for
from xmeetings.models import Schedule, ScheduleLane

TOKEN = re.compile(r'name="(?:[a-z]+-)?token" value="([0-9a-f]*)"')


def _base(world) -> str:
    return f"/office/plans/{world.plan.slug}"


def _period_data(world, **values) -> dict:
    world.plan.refresh_from_db()
    return {
        "token": edit_token(world.plan),
        "title": world.plan.title,
        "title_en": "",
        "start_fiscal_year": "2024",
        "end_fiscal_year": "2027",
        "adopted_on": "",
        "adopted_precision": "day",
        **values,
    }


def test_the_plans_office_page_links_the_new_pages(world):
    page = client_for(world, "office").get(f"{_base(world)}/").content.decode()
    for path in ("period/", "clusters/", f"pillars/{world.initiative_a.pillar.order}/delete/"):
        assert f'href="{_base(world)}/{path}"' in page


def test_the_period_is_typed_in_wareki_and_saved_without_javascript(world):
    response = client_for(world, "office").post(
        f"{_base(world)}/period/",
        _period_data(
            world,
            title="新・市政改革プラン",
            start_fiscal_year="令和6年度",
            end_fiscal_year="Ｒ１０",
            adopted_on="令和6年3月27日",
            adopted_precision="day",
        ),
        follow=True,
    )
    assert response.redirect_chain == [(f"{_base(world)}/", 302)]
    assert "計画の名称・取組期間・策定日を保存しました。" in response.content.decode()
    world.plan.refresh_from_db()
    assert (world.plan.start_fiscal_year, world.plan.end_fiscal_year) == (2024, 2028)
    assert world.plan.adopted_on == date(2024, 3, 27)
    assert world.plan.title == "新・市政改革プラン"


def test_a_year_that_cannot_be_read_is_refused_at_its_field(world):
    response = client_for(world, "office").post(
        f"{_base(world)}/period/", _period_data(world, start_fiscal_year="来年")
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'aria-describedby="id_start_fiscal_year_helptext id_start_fiscal_year_error"' in page
    assert "年度は西暦（例：2025）か和暦（例：令和7年度、R7）で入力してください。" in page


def test_a_period_leaving_the_round_outside_is_422_naming_it_at_the_start_year(world):
    response = client_for(world, "office").post(
        f"{_base(world)}/period/", _period_data(world, start_fiscal_year="R7"), **HTMX
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert body.lstrip().startswith("<form") and "<html" not in body
    error = re.search(r'<div class="errors" id="id_start_fiscal_year_error">(.*?)</div>', body)[1]
    assert "照会 1件（令和6年度）" in error
    world.plan.refresh_from_db()
    assert world.plan.start_fiscal_year == 2024


def test_a_stale_period_form_is_409_with_what_is_stored_and_the_typed_title_kept(world):
    data = _period_data(world, title="わたしの名称")
    plan_edits.edit_plan(
        user=world.users["admin"],
        plan_id=world.plan.pk,
        token=data["token"],
        values={"contact": "先の保存"},
    )
    response = client_for(world, "office").post(f"{_base(world)}/period/", data)
    assert response.status_code == 409
    page = response.content.decode()
    assert 'value="わたしの名称"' in page
    world.plan.refresh_from_db()
    assert TOKEN.search(page)[1] == edit_token(world.plan)


def test_a_new_number_moves_the_items_page_to_its_new_address(world):
    item = world.initiative_a
    client = client_for(world, "office")
    response = client.post(
        f"{_base(world)}/initiatives/{item.code}/number/",
        {"number-token": edit_token(item), "number-code": "2-7"},
        follow=True,
    )
    assert response.redirect_chain == [(f"{_base(world)}/initiatives/2-7/", 302)]
    assert f"取組番号を「{item.code}」から「2-7」に変えました。" in response.content.decode()
    assert client.get(f"/plans/{world.plan.slug}/initiatives/2-7/").status_code == 200


def test_a_number_clash_is_422_naming_the_other_item_at_the_number_field(world):
    item, other = world.initiative_a, world.initiative_b
    response = client_for(world, "office").post(
        f"{_base(world)}/initiatives/{item.code}/number/",
        {"number-token": edit_token(item), "number-code": other.code},
        **HTMX,
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert body.lstrip().startswith('<form method="post" action=') and 'id="number-form"' in body
    assert 'id="id_number-code_error"' in body
    assert "留保財産の取扱いの策定" in body


def test_a_retired_items_page_offers_the_reinstatement_instead_of_the_retirement(world):
    item = world.initiative_a
    client = client_for(world, "office")
    client.post(
        f"{_base(world)}/initiatives/{item.code}/retire/",
        {"retire-token": edit_token(item), "retire-reason": "事業の統合により廃止"},
    )
    item.refresh_from_db()
    page = client.get(f"{_base(world)}/initiatives/{item.code}/").content.decode()
    assert 'id="reinstate-form"' in page and 'id="retire-form"' not in page
    refused = client.post(
        f"{_base(world)}/initiatives/{item.code}/reinstate/",
        {"reinstate-token": edit_token(item), "reinstate-reason": ""},
    )
    assert refused.status_code == 422
    assert 'id="id_reinstate-reason_error"' in refused.content.decode()
    response = client.post(
        f"{_base(world)}/initiatives/{item.code}/reinstate/",
        {"reinstate-token": edit_token(item), "reinstate-reason": "統合が見送られたため"},
        follow=True,
    )
    assert "の廃止を取り消しました。次に開始する照会から対象になります。" in (
        response.content.decode()
    )
    item.refresh_from_db()
    assert not item.is_retired
    detail = client.get(f"/plans/{world.plan.slug}/initiatives/{item.code}/").content.decode()
    assert "廃止（" not in detail


def test_deleting_a_pillar_with_items_asks_where_they_go_and_then_does_both(world):
    pillar = world.initiative_a.pillar
    target = make_pillar(world.plan, name="業務改革の推進")
    client = client_for(world, "office")
    url = f"{_base(world)}/pillars/{pillar.order}/delete/"
    page = client.get(url).content.decode()
    assert "取組項目：2件（うち廃止0件）" in page
    assert 'name="move_to"' in page and "移してからこの柱を削除" in page
    refused = client.post(url, {"token": edit_token(pillar), "move_to": ""})
    assert refused.status_code == 422
    assert re.search(r'id="id_move_to_error"><p>[^<]*取組項目が2件', refused.content.decode())
    response = client.post(url, {"token": edit_token(pillar), "move_to": target.pk}, follow=True)
    assert response.redirect_chain == [(f"{_base(world)}/", 302)]
    assert not Pillar.objects.filter(pk=pillar.pk).exists()
    assert Initiative.objects.filter(pillar=target).count() == 2


def test_a_plans_only_pillar_with_items_says_a_pillar_to_move_them_to_is_needed_first(world):
    pillar = world.initiative_a.pillar
    page = client_for(world, "office").get(f"{_base(world)}/pillars/{pillar.order}/delete/")
    body = page.content.decode()
    assert "取組項目を移す先の柱がありません。先に移し先となる柱を追加してください。" in body
    assert 'id="edit-form"' not in body


def test_an_empty_pillars_delete_page_has_no_choice_to_make(world):
    pillar = make_pillar(world.plan, name="空の柱")
    url = f"{_base(world)}/pillars/{pillar.order}/delete/"
    client = client_for(world, "office")
    page = client.get(url).content.decode()
    assert 'name="move_to"' not in page and "この柱を削除" in page
    assert client.post(url, {"token": edit_token(pillar)}).status_code == 302
    assert not Pillar.objects.filter(pk=pillar.pk).exists()


def test_a_published_pillar_is_not_offered_for_deletion(world):
    confirm_entries(
        world.round, {world.initiative_a: Result.ACHIEVED, world.initiative_b: Result.ACHIEVED}
    )
    publish_round_as_system(round_=world.round, actor_name="test")
    pillar = world.initiative_a.pillar
    page = client_for(world, "office").get(f"{_base(world)}/pillars/{pillar.order}/delete/")
    body = page.content.decode()
    assert "公表済みの時点（1回の公表）に含まれているため削除できません" in body
    assert 'id="edit-form"' not in body and "この柱を削除</button>" not in body


def test_a_pillar_deletion_confirmed_from_a_stale_page_is_409_and_deletes_nothing(world):
    pillar = make_pillar(world.plan, name="空の柱")
    seen = edit_token(pillar)
    plan_edits.edit_pillar(
        user=world.users["admin"], pillar_id=pillar.pk, token=seen, values={"name": "改名"}
    )
    response = client_for(world, "office").post(
        f"{_base(world)}/pillars/{pillar.order}/delete/", {"token": seen}
    )
    assert response.status_code == 409
    assert "ほかの人がこの内容を先に更新しました" in response.content.decode()
    assert Pillar.objects.filter(pk=pillar.pk).exists()
    pillar.refresh_from_db()
    assert TOKEN.search(response.content.decode())[1] == edit_token(pillar)


def test_a_years_schedule_is_deleted_from_its_confirmation_page(world):
    schedule = Schedule.objects.create(plan=world.plan, fiscal_year=2025, first_month=5)
    ScheduleLane.objects.create(schedule=schedule, order=1, name="X会議", shows_meetings=True)
    client = client_for(world, "office")
    grid = client.get(f"{_base(world)}/schedules/2025/").content.decode()
    assert f'href="{_base(world)}/schedules/2025/delete/"' in grid
    page = client.get(f"{_base(world)}/schedules/2025/delete/").content.decode()
    assert "行：1件、活動：0件" in page
    response = client.post(
        f"{_base(world)}/schedules/2025/delete/", {"token": edit_token(schedule)}, follow=True
    )
    assert response.redirect_chain == [(f"{_base(world)}/schedules/", 302)]
    assert "令和7年度のスケジュールを削除しました" in response.content.decode()
    assert not Schedule.objects.filter(plan=world.plan).exists()
    assert HistoryEvent.objects.filter(action=HistoryAction.SCHEDULE_DELETE).count() == 1


def test_clusters_are_added_in_wareki_reordered_edited_and_deleted_without_javascript(world):
    client = client_for(world, "office")
    url = f"{_base(world)}/clusters/"
    for code, name in (("1", "保育所"), ("2", "子育て")):
        response = client.post(url, {"fiscal_year": "令和6年度", "code": code, "name": name})
        assert response.status_code == 302
    second = AnalysisCluster.objects.get(name="子育て")
    page = client.get(url).content.decode()
    assert page.index("保育所") < page.index("子育て")
    client.post(f"{url}{second.pk}/move/", {"token": edit_token(second), "direction": "up"})
    page = client.get(url).content.decode()
    assert page.index("子育て") < page.index("保育所")
    second.refresh_from_db()
    client.post(
        f"{url}{second.pk}/",
        {"token": edit_token(second), "fiscal_year": "2024", "code": "1", "name": "子育て支援"},
    )
    second.refresh_from_db()
    assert (second.code, second.name) == ("1", "子育て支援")
    client.post(f"{url}{second.pk}/delete/", {"token": edit_token(second)})
    assert list(AnalysisCluster.objects.values_list("name", flat=True)) == ["保育所"]


def test_a_cluster_number_used_that_year_is_422_at_its_field_through_htmx(world):
    AnalysisCluster.objects.create(plan=world.plan, fiscal_year=2024, code="1", name="保育所")
    response = client_for(world, "office").post(
        f"{_base(world)}/clusters/",
        {"fiscal_year": "2024", "code": "1", "name": "子育て"},
        **HTMX,
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert body.lstrip().startswith("<form") and "<html" not in body
    assert "この年度には同じ番号のクラスターが既にあります。" in body


def test_the_clusters_page_reads_a_constant_number_of_queries_however_many_clusters(
    world, django_assert_max_num_queries
):
    client = client_for(world, "office")
    url = f"{_base(world)}/clusters/"
    client.get(url)
    AnalysisCluster.objects.bulk_create(
        AnalysisCluster(plan=world.plan, fiscal_year=2024, code=f"{n:02d}", name=f"分析{n}")
        for n in range(1, 38)
    )
    with django_assert_max_num_queries(12):
        page = client.get(url).content.decode()
    assert page.count("/move/") == 2 * 37


def test_a_published_pages_link_to_a_renumbered_item_leads_to_its_new_address(world):
    confirm_entries(
        world.round, {world.initiative_a: Result.ACHIEVED, world.initiative_b: Result.ACHIEVED}
    )
    publish_round_as_system(round_=world.round, actor_name="test")
    item, public = world.initiative_a, client_for(world, "anonymous")
    old = item.code
    pillar_page = f"/plans/{world.plan.slug}/pillars/{item.pillar.order}/"
    assert (
        f'href="/plans/{world.plan.slug}/initiatives/{old}/"'
        in public.get(pillar_page).content.decode()
    )
    client_for(world, "office").post(
        f"{_base(world)}/initiatives/{old}/number/",
        {"number-token": edit_token(item), "number-code": "2-7"},
    )
    response = public.get(f"/plans/{world.plan.slug}/initiatives/{old}/")
    assert (response.status_code, response["Location"]) == (
        302,
        f"/plans/{world.plan.slug}/initiatives/2-7/",
    )
    english = public.get(f"/en/plans/{world.plan.slug}/initiatives/{old}/")
    assert english["Location"] == f"/en/plans/{world.plan.slug}/initiatives/2-7/"
    assert public.get(f"/plans/{world.plan.slug}/initiatives/no-such/").status_code == 404


def test_the_new_pages_read_in_english_when_the_office_switches_language(world, settings):
    try:
        client = client_for(world, "office")
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        make_pillar(world.plan, name="業務改革の推進")
        AnalysisCluster.objects.create(plan=world.plan, fiscal_year=2024, code="1", name="保育所")
        pages = {
            "/period/": "Plan title, period and adoption date",
            "/clusters/": "Analysis clusters (management and programme analysis)",
            f"/pillars/{world.initiative_a.pillar.order}/delete/": "Move them, then delete this pillar",
            f"/initiatives/{world.initiative_a.code}/": "Change the initiative number",
        }
        for path, english in pages.items():
            page = client.get(_base(world) + path).content.decode()
            assert english in page, path
        refused = client.post(
            f"{_base(world)}/period/", _period_data(world, start_fiscal_year="R7")
        ).content.decode()
        assert (
            "Starting in FY2025" in refused
            and "(FY2024)" in refused
            and "outside the plan&#x27;s period" in refused
        )
    finally:
        # The request left English active in this thread; the next test starts in Japanese.
        translation.activate(settings.LANGUAGE_CODE)
