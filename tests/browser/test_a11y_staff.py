"""Accessibility of the staff and office pages in a real browser: axe-core reports no violation
on any of them, in any state — as loaded, refused (422), in conflict (409), after 提出, the
import's error and preview, the sign-in page with its error and after signing out, and in
English.

``PAGES`` is the list to extend: (name, persona, path) of each page as it loads; a new staff or
office page is one line. The states that need steps first are walked in the second test.
"""

import pytest
from playwright.sync_api import expect

from evaluations.models import Round
from initiatives.models import Indicator
from tests.browser.axe import axe
from tests.browser.staff_site import chromium, filled_workbook, sign_in
from tests.personas import PASSWORD, build_world, move

pytestmark = pytest.mark.browser

# (name, persona, path); {entry}, {entry_b}, {round}, {plan} are the world's.
PAGES = [
    ("worklist", "staff-a", "/staff/"),
    ("worklist filtered", "staff-a", "/staff/?state=not_started"),
    ("entry", "staff-a", "/staff/entries/{entry}/"),
    ("import", "staff-a", "/staff/import/"),
    ("entry (office, submitted)", "office", "/staff/entries/{entry_b}/"),
    ("rounds", "office", "/staff/rounds/"),
    ("round", "office", "/staff/rounds/{round}/"),
    ("office reports", "office", "/office/reports/"),
    ("worklist (office)", "office", "/staff/"),
    ("indicators of an initiative", "office", "/office/indicators/initiatives/{initiative}/"),
    ("indicator actuals of a round", "office", "/office/indicators/rounds/{round}/"),
    ("plan title and period", "office", "/office/plans/{plan}/period/"),
    ("analysis clusters", "office", "/office/plans/{plan}/clusters/"),
    ("pillar deletion", "office", "/office/plans/{plan}/pillars/1/delete/"),
]


def _report(name, result, failures, lines):
    lines.append(f"  {name:<40} violations={len(result['violations'])} passes={result['passes']}")
    for v in result["violations"]:
        lines.append(f"      ✗ {v['id']} ({v['impact']}): {v['help']}")
        lines.extend(f"          {node}" for node in v["nodes"])
    if result["violations"]:
        failures[name] = [v["id"] for v in result["violations"]]


def _world():
    world = build_world()
    move(world, world.entry_b, "edit", "submit")
    # An indicator, so the office's indicator pages have a row and a field to check.
    Indicator.objects.create(
        initiative=world.initiative_a,
        name="委託件数",
        unit="件",
        baseline_value=0,
        baseline_year=2024,
        target_value=10,
        target_year=2026,
    )
    ids = {
        "entry": world.entry_a.pk,
        "entry_b": world.entry_b.pk,
        "round": world.round.pk,
        "initiative": world.initiative_a.pk,
        "plan": world.plan.slug,
    }
    return world, ids


def test_axe_reports_no_violation_on_any_staff_page_as_loaded(
    transactional_db, live_server, chromium_executable, capsys
):
    ids = _world()[1]
    base = live_server.url
    failures, lines = {}, ["\naxe-core on each staff and office page:"]
    with chromium(chromium_executable) as browser:
        pages = {}
        for name, persona, path in PAGES:
            if persona not in pages:
                heading = "担当の取組項目"
                pages[persona] = sign_in(browser, base, persona, heading)
            page = pages[persona]
            response = page.goto(base + path.format(**ids))
            assert response.status == 200, path
            _report(name, axe(page), failures, lines)
    with capsys.disabled():
        print("\n".join(lines))
    assert failures == {}


def test_axe_reports_no_violation_in_any_state_of_the_staff_pages(
    transactional_db, live_server, chromium_executable, capsys, tmp_path
):
    world, ids = _world()
    workbook = tmp_path / "shoukai.xlsx"
    bad = tmp_path / "not-a-workbook.xlsx"
    bad.write_bytes(b"not a workbook")
    base = live_server.url
    failures, lines = {}, ["\naxe-core on each state of the staff pages:"]

    def check(name, page):
        _report(name, axe(page), failures, lines)

    with chromium(chromium_executable) as browser:
        # Sign-in: refused, then signed out (the page says so).
        context = browser.new_context(locale="ja-JP", bypass_csp=True)
        anonymous = context.new_page()
        anonymous.goto(base + "/accounts/login/")
        check("sign-in", anonymous)
        anonymous.get_by_label("ユーザー名").fill("staff-a")
        anonymous.get_by_label("パスワード").fill("wrong-" + PASSWORD)
        anonymous.get_by_role("button", name="ログイン").click()
        expect(anonymous.locator(".message-error")).to_be_visible()
        check("sign-in refused", anonymous)

        staff = sign_in(browser, base, "staff-a")
        staff.goto(base + f"/staff/entries/{ids['entry']}/")
        # 422: 評価対象外 without a reason; evidence with neither link nor file.
        staff.get_by_label("評価結果").select_option(label="評価対象外")
        staff.get_by_role("button", name="保存", exact=True).click()
        expect(staff.locator("#entry-form-errors")).to_be_visible()
        check("entry 422", staff)
        staff.get_by_role("button", name="根拠資料を登録").click()
        expect(staff.locator("#evidence-form-errors")).to_be_visible()
        check("evidence 422", staff)
        # 409: someone else saved first.
        move(world, world.entry_a, "edit")
        staff.get_by_label("評価結果").select_option(label="未達成")
        staff.get_by_label("評価対象外の理由・備考").fill("")
        staff.get_by_role("button", name="保存", exact=True).click()
        expect(staff.locator("#entry-conflict")).to_be_visible()
        check("entry 409", staff)
        # Saved, then 提出: the page without the forms.
        staff.get_by_role("button", name="保存", exact=True).click()
        expect(staff.get_by_test_id("entry-state")).to_have_text("入力中")
        check("entry saved", staff)
        staff.get_by_role("button", name="市政改革室に提出する").click()
        expect(staff.get_by_test_id("entry-state")).to_have_text("提出済")
        check("entry submitted", staff)

        # The import: a file that is not a workbook (the error page), then a real one's preview.
        staff.goto(base + "/staff/import/")
        label = "照会票ファイル（.xlsx、10MBまで）"
        staff.get_by_label(label).set_input_files(str(bad))
        staff.get_by_role("button", name="内容を確認する").click()
        expect(staff.locator("#import-problems")).to_be_visible()
        check("import refused", staff)
        move(world, world.entry_a, "return")
        # Exported now, at the entry's current version (as a person would download it).
        workbook.write_bytes(filled_workbook(Round.objects.get(pk=world.round.pk), world.dept_a))
        staff.goto(base + "/staff/import/")
        staff.get_by_label(label).set_input_files(str(workbook))
        staff.get_by_role("button", name="内容を確認する").click()
        expect(staff.locator("#import-preview-title")).to_be_visible()
        expect(staff.get_by_test_id("import-indicators")).to_contain_text("委託件数（件）")
        check("import preview", staff)

        # The office: a round form refused, a bulk action refused.
        office = sign_in(browser, base, "office")
        office.goto(base + "/staff/rounds/")
        # The form proposes the next year and leaves 時点 to its default: a year it cannot
        # read is what refuses it.
        office.locator("[name=fiscal_year]").fill("来年")
        office.get_by_role("button", name="照会を開始").click()
        expect(office.locator("#round-form-errors")).to_be_visible()
        check("round form 422", office)
        office.goto(base + f"/staff/rounds/{ids['round']}/")
        office.get_by_role("button", name="実行").click()
        expect(office.locator("#bulk-form-errors")).to_be_visible()
        check("bulk 422", office)

        # English, through the language switch; then signing out.
        office.get_by_role("button", name="English").click()
        expect(office.locator("html")).to_have_attribute("lang", "en")
        check("round (English)", office)
        office.goto(base + "/staff/")
        check("worklist (English)", office)
        office.get_by_role("button", name="日本語").click()
        office.get_by_role("button", name="ログアウト").click()
        expect(office.get_by_text("ログアウトしました。")).to_be_visible()
        check("after signing out", office)
    with capsys.disabled():
        print("\n".join(lines))
    assert failures == {}
