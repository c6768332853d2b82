"""The office pages that replace the admin's last uses, in a real headless Chromium: axe-core
finds no violation on any of them as loaded and in each refused state swapped in by htmx (a
period leaving the round outside, a number clash, a pillar deletion without a target, a
cluster number used that year), focus then on the field in error; and each change made there
holds: the period saved from 和暦, the item reachable at its new number, a pillar deleted after
its items moved, a year's schedule deleted, a retired item reinstated."""

import pytest
from playwright.sync_api import expect

from initiatives.models import AnalysisCluster, Initiative, Pillar
from tests.browser.axe import axe
from tests.browser.staff_site import chromium, sign_in
from tests.factories import make_pillar
from tests.personas import build_world
from xmeetings.models import Schedule, ScheduleActivity, ScheduleLane

pytestmark = pytest.mark.browser


def _world():
    world = build_world()
    make_pillar(world.plan, name="業務改革の推進")
    AnalysisCluster.objects.create(plan=world.plan, fiscal_year=2024, code="1", name="保育所")
    schedule = Schedule.objects.create(plan=world.plan, fiscal_year=2025, first_month=5)
    lane = ScheduleLane.objects.create(schedule=schedule, order=1, name="局区X方針")
    ScheduleActivity.objects.create(
        lane=lane, order=1, label="方針の公表", start_month=5, end_month=6
    )
    Initiative.objects.filter(pk=world.initiative_b.pk).update(
        retired_on="2025-10-01", retired_reason="事業の統合により廃止"
    )
    return world


def test_the_new_office_pages_pass_axe_in_every_state_and_their_changes_hold(
    transactional_db, live_server, chromium_executable, capsys
):
    world = _world()
    base = f"{live_server.url}/office/plans/{world.plan.slug}"
    a, b = world.initiative_a, world.initiative_b
    cluster = AnalysisCluster.objects.get()
    failures, lines = {}, ["\naxe-core on the office's new pages:"]

    def check(name, page):
        found = axe(page)["violations"]
        lines.append(f"  {name:<40} violations={len(found)}")
        lines.extend(f"      ✗ {v['id']} ({v['impact']}): {v['nodes']}" for v in found)
        if found:
            failures[name] = [v["id"] for v in found]

    with chromium(chromium_executable) as browser:
        page = sign_in(browser, live_server.url, "office")
        for name, path in {
            "plan index": "/",
            "plan title and period": "/period/",
            "pillar deletion (items to move)": f"/pillars/{a.pillar.order}/delete/",
            "schedule deletion": "/schedules/2025/delete/",
            "analysis clusters": "/clusters/",
            "analysis cluster form": f"/clusters/{cluster.pk}/",
            "initiative (number form)": f"/initiatives/{a.code}/",
            "retired initiative (reinstate form)": f"/initiatives/{b.code}/",
        }.items():
            assert page.goto(base + path).status == 200, path
            check(name, page)

        # A period that leaves the 令和6年度 round outside: 422 at the start year, focused.
        page.goto(base + "/period/")
        page.get_by_label("取組期間（開始年度）").fill("令和7年度")
        page.get_by_role("button", name="保存").click()
        expect(page.locator("#id_start_fiscal_year_error")).to_contain_text("照会 1件（令和6年度）")
        expect(page.locator("#id_start_fiscal_year")).to_be_focused()
        check("period refused (422)", page)
        page.get_by_label("取組期間（開始年度）").fill("R6")
        page.get_by_label("取組期間（終了年度）").fill("令和10年度")
        page.get_by_role("button", name="保存").click()
        expect(page.get_by_text("計画の名称・取組期間・策定日を保存しました。")).to_be_visible()

        # A number another item has: 422 naming it; then a free one moves the page.
        page.goto(base + f"/initiatives/{a.code}/")
        page.get_by_label("新しい取組番号").fill(b.code)
        page.get_by_role("button", name="番号を変える").click()
        expect(page.locator("#id_number-code_error")).to_contain_text(b.title)
        expect(page.locator("#id_number-code")).to_be_focused()
        check("number clash (422)", page)
        page.get_by_label("新しい取組番号").fill("2-7")
        page.get_by_role("button", name="番号を変える").click()
        expect(page.get_by_role("heading", name=f"2-7 {a.title}")).to_be_visible()

        # The retired item reinstated.
        page.goto(base + f"/initiatives/{b.code}/")
        page.get_by_label("廃止を取り消す理由").fill("統合が見送られたため")
        page.get_by_role("button", name="廃止を取り消す").click()
        expect(page.get_by_text("の廃止を取り消しました。")).to_be_visible()
        expect(page.get_by_role("heading", name="廃止する")).to_be_visible()

        # A pillar with items: refused without a target (focused), then moved and deleted.
        pillar = Pillar.objects.get(pk=a.pillar_id)
        page.goto(base + f"/pillars/{pillar.order}/delete/")
        page.get_by_role("button", name="移してからこの柱を削除").click()
        expect(page.locator("#id_move_to_error")).to_contain_text("取組項目が2件")
        expect(page.locator("#id_move_to")).to_be_focused()
        check("pillar deletion refused (422)", page)
        page.get_by_label("取組項目の移し先の柱").select_option(label="2 業務改革の推進")
        page.get_by_role("button", name="移してからこの柱を削除").click()
        expect(page.get_by_text(f"柱「{pillar.name}」を削除しました")).to_be_visible()

        # A cluster number used that year: 422 at the number.
        page.goto(base + "/clusters/")
        page.get_by_label("年度").fill("R6")
        page.get_by_label("番号").fill("1")
        page.get_by_label("名称").fill("子育て")
        page.get_by_role("button", name="追加").click()
        expect(page.get_by_text("この年度には同じ番号のクラスターが既にあります。")).to_be_visible()
        check("cluster refused (422)", page)

        # The year's schedule deleted from its confirmation page.
        page.goto(base + "/schedules/2025/delete/")
        page.get_by_role("button", name="このスケジュールを削除").click()
        expect(page.get_by_text("令和7年度のスケジュールを削除しました")).to_be_visible()

    world.plan.refresh_from_db()
    assert (world.plan.start_fiscal_year, world.plan.end_fiscal_year) == (2024, 2028)
    assert set(Initiative.objects.filter(plan=world.plan).values_list("code", "retired_on")) == {
        ("2-7", None),
        (b.code, None),
    }
    assert not Pillar.objects.filter(pk=pillar.pk).exists()
    assert not Schedule.objects.filter(plan=world.plan).exists()
    with capsys.disabled():
        print("\n".join(lines))
    assert failures == {}
