"""A save that the server refuses with a 503 (the database is unreachable) tells the user so in
the page, and the form keeps what they typed (static/js/htmx-errors.js); the next save that
succeeds clears the message."""

import os

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
from playwright.sync_api import expect

from tests.browser.staff_site import chromium
from tests.personas import PASSWORD, build_world

pytestmark = pytest.mark.browser

SAVE_REFUSED = (
    "保存できませんでした。データベースに接続できません。"
    "入力した内容はそのまま残っています。時間をおいてもう一度保存してください。"
)


def test_a_refused_htmx_save_shows_the_message_and_keeps_the_typed_text(
    transactional_db, live_server, chromium_executable
):
    world = build_world()
    base = live_server.url
    entry_path = f"/staff/entries/{world.entry_a.pk}/"

    with chromium(chromium_executable) as browser:
        page = browser.new_context(locale="ja-JP").new_page()
        page.goto(f"{base}/accounts/login/")
        page.get_by_label("ユーザー名").fill("staff-a")
        page.get_by_label("パスワード").fill(PASSWORD)
        page.get_by_role("button", name="ログイン").click()
        page.goto(base + entry_path)
        page.evaluate("window.__noReload = true")

        # What reformtracker.views.database_unavailable answers an htmx save during an outage.
        def outage(route):
            if route.request.method == "POST":
                route.fulfill(
                    status=503,
                    headers={"HX-Reswap": "none", "Retry-After": "30"},
                    content_type="text/plain; charset=utf-8",
                    body=SAVE_REFUSED,
                )
            else:
                route.continue_()

        page.route(f"**{entry_path}", outage)
        page.get_by_label("評価結果").select_option(label="達成")
        page.get_by_label("進捗状況").fill("窓口の統合を完了した。")
        page.get_by_role("button", name="保存", exact=True).click()

        alert = page.locator("#entry-form").locator("xpath=preceding-sibling::p[1]")
        expect(alert).to_have_text(SAVE_REFUSED)
        expect(alert).to_have_attribute("role", "alert")
        expect(page.get_by_label("進捗状況")).to_have_value("窓口の統合を完了した。")
        assert page.evaluate("window.__noReload === true")

        # The database is back: the same form saves, and the message goes.
        page.unroute(f"**{entry_path}")
        page.get_by_role("button", name="保存", exact=True).click()
        expect(page.get_by_text("保存しました（入力中）")).to_be_visible()
        expect(page.get_by_text(SAVE_REFUSED)).to_have_count(0)
    world.refresh()
    assert world.entry_a.narrative == "窓口の統合を完了した。"
