"""The identity page and a city's page wearing its identity, in a real Chromium: axe-core finds
no violation on the page, on its refusal (422) and on the plan page with logo, colour and links;
the form works from the keyboard without JavaScript's help."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.axe import violations
from tests.browser.staff_site import chromium
from tests.personas import PASSWORD, build_world

pytestmark = pytest.mark.browser


@pytest.fixture
def office_page(transactional_db, live_server, chromium_executable, tmp_path):
    world = build_world()
    with chromium(chromium_executable) as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, bypass_csp=True)
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("ユーザー名").fill("office")
        page.get_by_label("パスワード").fill(PASSWORD)
        page.get_by_role("button", name="ログイン").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        yield live_server.url, world, page


def test_the_identity_page_its_refusal_and_the_city_page_have_no_axe_violation(
    office_page, tmp_path
):
    base, world, page = office_page
    url = f"{base}/office/identity/{world.plan.municipality.slug}/"
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("自治体の表示設定")
    assert violations(page) == []

    page.get_by_label("アクセント色").fill("#ffd700")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert").first).to_contain_text("4.5:1")
    assert violations(page) == []

    logo = tmp_path / "emblem.png"
    buffer = io.BytesIO()
    Image.new("RGB", (80, 40), (26, 95, 180)).save(buffer, "PNG")
    logo.write_bytes(buffer.getvalue())
    page.get_by_label("表示名", exact=True).fill("テスト市役所")
    page.get_by_label("アクセント色").fill("#1a5fb4")
    page.get_by_label("ロゴの代替テキスト").fill("テスト市章")
    page.get_by_label("問合せ先", exact=True).fill("市政改革室（06-0000-0000）")
    page.get_by_label("ウェブアクセシビリティ方針のURL").fill("https://example.jp/a11y/")
    page.get_by_label("個人情報の取扱い（プライバシーポリシー）のURL").fill("https://example.jp/p/")
    page.get_by_label("ロゴ画像（PNG・JPEG）").set_input_files(str(logo))
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_contain_text("表示設定を保存しました")
    # The saved page again, without the one-off message (the messages list's own markup is
    # base.html's and checked with the staff pages).
    page.goto(url)
    expect(page.get_by_role("img", name="テスト市章")).to_be_visible()
    assert violations(page) == []

    page.goto(base + world.plan.get_absolute_url())
    expect(page.get_by_role("img", name="テスト市章")).to_be_visible()
    expect(page.locator(".identity-name")).to_have_css("color", "rgb(26, 95, 180)")
    expect(page.get_by_role("link", name="ウェブアクセシビリティ方針")).to_be_visible()
    assert violations(page) == []
