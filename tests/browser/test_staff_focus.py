"""Keyboard focus after every htmx swap of the staff pages, in a real Chromium.

Before, focus dropped to <body> after a swap and a keyboard user had to Tab 23 times to get
back to 保存. Now each response marks what changed (its notice, its error summary, the conflict
box) and static/js/staff-focus.js moves focus there; the test reads document.activeElement
after each swap: first save, save again, 422, 409, evidence added and refused, 提出, and the
office's bulk action refused and done, and the 照会票 preview.
"""

import pytest
from playwright.sync_api import expect

from evaluations.models import Round
from tests.browser.staff_site import chromium, filled_workbook, focus, sign_in
from tests.personas import build_world, move

pytestmark = pytest.mark.browser


def mark_document(page):
    page.evaluate("window.__noReload = true")


def assert_swapped(page):
    assert page.evaluate("window.__noReload === true"), "the page reloaded instead of swapping"


def assert_focus(page, *, id=None, text=None, region=None, seconds=5):
    """Focus reaches the element wanted (by id, text or the region it is in) within the time a
    swap takes, and is never left on <body>."""

    def matches(now):
        return (
            now["tag"] != "BODY"
            and (id is None or now["id"] == id)
            and (text is None or text in now["text"])
            and (region is None or now["region"] == region)
        )

    now = focus(page)
    for _ in range(seconds * 10):
        if matches(now):
            return now
        page.wait_for_timeout(100)
        now = focus(page)
    raise AssertionError(f"focus is on {now}, not on id={id} text={text} region={region}")


def tabs_to(page, name: str, limit: int = 12) -> int:
    for count in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == name:
            return count
    raise AssertionError(f"{name} not reached in {limit} Tabs")


def test_focus_follows_every_swap_of_the_entry_page(
    transactional_db, live_server, chromium_executable
):
    world = build_world()
    base = live_server.url
    entry_url = f"{base}/staff/entries/{world.entry_a.pk}/"
    with chromium(chromium_executable) as browser:
        page = sign_in(browser, base, "staff-a")
        page.goto(entry_url)
        mark_document(page)

        # 1. The first save (未着手 → 入力中 redraws the panel): focus on its notice, and 保存
        #    a few Tabs away (the four fields), not 23.
        page.get_by_label("評価結果").select_option(label="達成")
        page.get_by_label("進捗状況").fill("委託を開始した。")
        page.get_by_role("button", name="保存", exact=True).click()
        expect(page.get_by_test_id("entry-state")).to_have_text("入力中")
        assert_focus(page, text="保存しました", region="entry-notice")
        assert tabs_to(page, "保存") <= 5

        # 2. Saving again (only the notice is swapped): focus on the new notice.
        page.get_by_label("進捗状況").fill("4月に委託を開始した。")
        page.get_by_role("button", name="保存", exact=True).click()
        expect(page.locator("#entry-history-rows tr").first).to_contain_text(
            "4月に委託を開始した。"
        )
        assert_focus(page, text="保存しました", region="entry-notice")

        # 3. Refused (422: 評価対象外 needs a reason): focus on the error summary; the field's
        #    aria-describedby names its error, which is there.
        page.get_by_label("評価結果").select_option(label="評価対象外")
        page.get_by_label("評価対象外の理由・備考").fill("")
        page.get_by_role("button", name="保存", exact=True).click()
        assert_focus(page, id="entry-form-errors", text="入力内容を確認してください")
        described = page.get_attribute("#id_reason", "aria-describedby").split()
        assert "id_reason_error" in described
        expect(page.locator("#id_reason_error")).to_contain_text("理由")

        # 4. Someone else saved first (409): focus on the message, the conflict box after it.
        move(world, world.entry_a, "edit")
        page.get_by_label("評価結果").select_option(label="未達成")
        page.get_by_role("button", name="保存", exact=True).click()
        assert_focus(page, id="entry-error", text="ほかの人がこの回答を先に更新しました")
        expect(page.locator("#entry-conflict")).to_contain_text("ほかの人が先に保存した変更")

        # 5. Evidence refused (neither link nor file), then added: focus on each message.
        page.get_by_role("button", name="根拠資料を登録").click()
        assert_focus(page, id="evidence-form-errors")
        page.get_by_label("名称").fill("委託契約の公表資料")
        page.get_by_label("リンク（URL）").fill("https://example.jp/itaku")
        page.get_by_role("button", name="根拠資料を登録").click()
        assert_focus(page, text="根拠資料を登録しました", region="entry-evidence")

        # 6. 提出: focus on its notice; the evidence form, which would now be refused, is gone.
        page.get_by_role("button", name="保存", exact=True).click()  # the 409's form, re-saved
        # The state read 入力中 before the save too: wait for its answer to be swapped in, or
        # 提出 would go out with the version the save is replacing (a 409, not a race to test).
        assert_focus(page, text="保存しました", region="entry-notice")
        expect(page.get_by_test_id("entry-state")).to_have_text("入力中")
        page.get_by_role("button", name="市政改革室に提出する").click()
        expect(page.get_by_test_id("entry-state")).to_have_text("提出済")
        assert_focus(page, text="提出しました", region="entry-notice")
        expect(page.locator("#entry-evidence form")).to_have_count(0)
        expect(page.locator("#entry-evidence")).to_contain_text("根拠資料を追加・削除できません")
        assert_swapped(page)


def test_focus_follows_the_offices_bulk_action_and_the_import_preview(
    transactional_db, live_server, chromium_executable, tmp_path
):
    world = build_world()
    move(world, world.entry_b, "edit", "submit")
    round_ = Round.objects.get(pk=world.round.pk)
    workbook = tmp_path / "shoukai.xlsx"
    workbook.write_bytes(filled_workbook(round_, world.dept_a))
    base = live_server.url
    with chromium(chromium_executable) as browser:
        office = sign_in(browser, base, "office")
        office.goto(f"{base}/staff/rounds/{world.round.pk}/")
        mark_document(office)
        # Nothing ticked: refused, focus on the summary that says so.
        office.get_by_role("button", name="実行").click()
        assert_focus(office, id="bulk-form-errors", text="対象の回答を選んでください")
        # One ticked and confirmed: focus on the notice.
        office.get_by_role("checkbox").first.check()
        office.get_by_role("button", name="実行").click()
        assert_focus(office, text="1件を処理しました", region="round-entries")
        assert_swapped(office)

        staff = sign_in(browser, base, "staff-a")
        staff.get_by_role("link", name="照会票（Excel）をダウンロード・取り込む").click()
        mark_document(staff)
        staff.get_by_label("照会票ファイル（.xlsx、10MBまで）").set_input_files(str(workbook))
        staff.get_by_role("button", name="内容を確認する").click()
        assert_focus(staff, id="import-preview-title")
        assert_swapped(staff)
