"""The staff workflow in a real headless Chromium, end to end.

A department member signs in, edits and submits an initiative (htmx swaps, no page reload);
the reform office returns it with a comment; the member fixes and resubmits; the office
confirms and publishes. The public initiative page changes only after publication.
"""

import os

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
from playwright.sync_api import expect

from tests.browser.staff_site import chromium
from tests.personas import PASSWORD, build_world, move

pytestmark = pytest.mark.browser


def sign_in(browser, base, username):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", name="担当の取組項目")).to_be_visible()
    return page


def mark_document(page):
    """A marker that survives htmx swaps but not a full page load."""
    page.evaluate("window.__noReload = true")


def assert_not_reloaded(page):
    assert page.evaluate("window.__noReload === true"), "the page reloaded instead of swapping"


def test_it_walks_a_result_from_entry_to_publication(
    transactional_db, live_server, settings, chromium_executable
):
    world = build_world()
    # The other department's entry is already confirmed, so the round can be published.
    move(world, world.entry_b, "edit", "submit", "confirm")
    base = live_server.url
    public_url = f"{base}{world.initiative_a.get_absolute_url()}"
    entry_url = f"{base}/staff/entries/{world.entry_a.pk}/"

    with chromium(chromium_executable) as browser:
        public = browser.new_context().new_page()
        public.goto(public_url)
        expect(public.get_by_text("公表された評価結果はまだありません。")).to_be_visible()

        # 1. Department staff: edit (htmx) and submit.
        staff = sign_in(browser, base, "staff-a")
        staff.get_by_role("link", name=world.initiative_a.title).click()
        expect(staff.get_by_test_id("entry-state")).to_have_text("未着手")
        mark_document(staff)
        staff.get_by_label("評価結果").select_option(label="達成")
        staff.get_by_label("進捗状況").fill("ごみ収集業務の全面委託を開始した。")
        staff.get_by_role("button", name="保存", exact=True).click()
        expect(staff.get_by_text("保存しました（入力中）")).to_be_visible()
        expect(staff.get_by_test_id("entry-state")).to_have_text("入力中")
        expect(staff.locator("#entry-history")).to_contain_text(
            "ごみ収集業務の全面委託を開始した。"
        )
        # Saving again (still 入力中): the form is left as typed, the new history row goes
        # on top, and the next version reaches both forms (the submission below would
        # otherwise be refused as a conflict).
        rows = staff.locator("#entry-history-rows > tr:not(.history-empty)")
        rows_before = rows.count()
        staff.get_by_label("進捗状況").fill("ごみ収集業務の全面委託を4月に開始した。")
        staff.get_by_role("button", name="保存", exact=True).click()
        expect(rows).to_have_count(rows_before + 1)
        expect(rows.first).to_contain_text("ごみ収集業務の全面委託を4月に開始した。")
        expect(staff.get_by_label("進捗状況")).to_have_value(
            "ごみ収集業務の全面委託を4月に開始した。"
        )
        expect(staff.get_by_test_id("entry-state")).to_have_text("入力中")
        staff.get_by_role("button", name="市政改革室に提出する").click()
        expect(staff.get_by_test_id("entry-state")).to_have_text("提出済")
        expect(staff.locator("#entry-form")).to_have_count(0)
        assert_not_reloaded(staff)

        # 2. Reform office: return with a comment.
        office = sign_in(browser, base, "office")
        office.goto(entry_url)
        expect(office.get_by_test_id("entry-state")).to_have_text("提出済")
        mark_document(office)
        office.get_by_label("コメント（差戻しの場合は必須）").fill("委託開始日を追記してください。")
        office.get_by_role("button", name="差し戻す").click()
        expect(office.get_by_test_id("entry-state")).to_have_text("差戻し")
        assert_not_reloaded(office)

        # 3. Staff: sees the comment, fixes, resubmits.
        staff.goto(entry_url)
        expect(staff.get_by_test_id("review-comment")).to_have_text(
            "委託開始日を追記してください。"
        )
        staff.get_by_label("進捗状況").fill("令和6年10月1日からごみ収集業務の全面委託を開始した。")
        staff.get_by_role("button", name="保存", exact=True).click()
        expect(staff.get_by_test_id("entry-state")).to_have_text("入力中")
        staff.get_by_role("button", name="市政改革室に提出する").click()
        expect(staff.get_by_test_id("entry-state")).to_have_text("提出済")

        # 4. Office: confirm. Not yet public.
        office.goto(entry_url)
        office.get_by_role("button", name="確認済にする").click()
        expect(office.get_by_test_id("entry-state")).to_have_text("確認済")
        public.reload()
        expect(public.get_by_text("公表された評価結果はまだありません。")).to_be_visible()
        expect(public.get_by_text("令和6年10月1日から")).to_have_count(0)

        # 5. Office: publish the round; now the public page shows the result.
        office.goto(f"{base}/staff/rounds/{world.round.pk}/")
        office.get_by_role("link", name="公表する（内容を確認）").click()
        expect(office.get_by_role("heading", name="公表の確認")).to_be_visible()
        office.get_by_role("button", name="この内容で公表する").click()
        expect(office.get_by_text("公表しました。")).to_be_visible()
        public.reload()
        results = public.locator("table").first
        expect(results).to_contain_text("令和6年10月1日からごみ収集業務の全面委託を開始した。")
        expect(results).to_contain_text("達成")
        expect(public.locator("#initiative-history")).to_contain_text("公表")
