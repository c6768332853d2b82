"""The office's meeting page with the keyboard only, in a real Chromium: a 議題 and a material
link added, an initiative linked, each swapped in place by htmx (the page never reloads) with
focus on the changed section's notice (document.activeElement), never on <body>; a refused
material (422) and a topic added over someone else's (409) put focus on their message, the
typed text kept; axe-core finds no violation as loaded and in each of those states."""

import pytest
from playwright.sync_api import expect

from evaluations.services import meetings as services
from tests.browser.axe import violations as _violations
from tests.browser.staff_site import chromium, focus, sign_in
from tests.factories import make_office_meeting
from tests.personas import PDF_BYTES, build_world

pytestmark = pytest.mark.browser


def _where(page) -> dict:
    """document.activeElement: its tag, text, and the page region (section or form) it is in."""
    return {
        **focus(page),
        "within": page.evaluate(
            "() => { const r = document.activeElement.closest('section[id], form[id]');"
            " return r ? r.id : ''; }"
        ),
    }


def _focus_in(page, region: str, text: str, seconds: int = 5) -> dict:
    """Focus reaches an element inside ``region`` saying ``text`` within the time a swap
    takes (an element of a form inside the section counts as the section's)."""
    for _ in range(seconds * 10):
        now = _where(page)
        inside = page.evaluate("(id) => !!document.activeElement.closest('#' + id)", region)
        if now["tag"] != "BODY" and inside and text in now["text"]:
            return now
        page.wait_for_timeout(100)
    raise AssertionError(f"focus is on {now}, not on {text!r} in #{region}")


def test_the_office_adds_a_topic_and_a_link_with_the_keyboard_and_focus_follows(
    transactional_db, live_server, chromium_executable
):
    world = build_world()
    meeting = make_office_meeting(world)
    found = {}
    with chromium(chromium_executable) as browser:
        page = sign_in(browser, live_server.url, "office")
        # The plan's page: a new meeting whose date cannot be read (422), swapped in place.
        page.goto(f"{live_server.url}/office/meetings/plans/{world.plan.slug}/")
        page.get_by_label("年度（西暦）（必須）", exact=True).fill("2025")
        page.get_by_label("回（必須）", exact=True).fill("3")
        page.get_by_label("開催日（必須）", exact=True).fill("7月末旬")
        page.get_by_label("開催日（必須）", exact=True).press("Enter")
        _focus_in(page, "meeting-add", "入力内容を確認してください")
        found["new meeting refused (422)"] = _violations(page)

        page.goto(f"{live_server.url}/office/meetings/{meeting.pk}/")
        page.evaluate("window.__noReload = true")
        found["loaded"] = _violations(page)

        # A 議題: typed, Enter.
        page.get_by_label("議題（必須）", exact=True).focus()
        page.keyboard.type("公共施設マネジメント")
        page.keyboard.press("Enter")
        _focus_in(page, "meeting-topics", "議題を追加しました")
        expect(page.get_by_label("議題1", exact=True)).to_have_value("公共施設マネジメント")
        expect(page.get_by_label("議題（必須）", exact=True)).to_have_value("")

        # A material as a link: title, Tab, address, Enter.
        page.get_by_label("資料名", exact=True).focus()
        page.keyboard.type("会議の動画")
        page.keyboard.press("Tab")
        page.keyboard.type("https://example.jp/x-kaigi")
        page.keyboard.press("Enter")
        _focus_in(page, "meeting-materials", "資料を追加しました")
        expect(page.locator("#meeting-materials table")).to_contain_text("会議の動画")

        # An initiative linked: the choice with the arrow key, Tab to the button, Enter.
        page.get_by_label("取組項目（必須）", exact=True).focus()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        _focus_in(page, "meeting-links", "取組項目を関連付けました")
        expect(page.locator("#meeting-links ul")).to_contain_text(world.initiative_a.title)
        found["after adding"] = _violations(page)

        # 422: a material with neither a link nor a file.
        page.get_by_label("資料名", exact=True).focus()
        page.keyboard.type("中身のない資料")
        page.keyboard.press("Enter")
        _focus_in(page, "meeting-materials", "入力内容を確認してください")
        expect(page.get_by_label("資料名", exact=True)).to_have_value("中身のない資料")
        found["material refused (422)"] = _violations(page)

        # 409: someone else adds a topic after this page was loaded.
        services.add_topic(
            user=world.users["admin"], meeting_id=meeting.pk, name="先に追加した議題"
        )
        page.get_by_label("議題（必須）", exact=True).focus()
        page.keyboard.type("わたしの議題")
        page.keyboard.press("Enter")
        _focus_in(page, "meeting-topics", "ほかの人がこの欄を先に変更しました")
        expect(page.locator("#meeting-topics .conflict")).to_contain_text("追加：先に追加した議題")
        expect(page.get_by_label("議題（必須）", exact=True)).to_have_value("わたしの議題")
        found["topic over someone else's (409)"] = _violations(page)

        # Saving again after reading it is accepted.
        page.get_by_label("議題（必須）", exact=True).focus()
        page.keyboard.press("Enter")
        _focus_in(page, "meeting-topics", "議題を追加しました")
        assert page.evaluate("window.__noReload === true"), "the page reloaded instead of swapping"

        # A file through the same swap (multipart with htmx).
        page.get_by_label("資料名", exact=True).fill("資料1 次第")
        page.get_by_label("ファイル", exact=True).set_input_files(
            files=[{"name": "shidai.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
        )
        page.get_by_role("button", name="資料を追加").click()
        _focus_in(page, "meeting-materials", "資料を追加しました")
        expect(page.locator("#meeting-materials table")).to_contain_text("資料1 次第")

        # 409 on the meeting's own details: the stored name shown, the typed one kept.
        services.edit_meeting(
            user=world.users["admin"],
            meeting_id=meeting.pk,
            date_text="7月上旬",
            fiscal_year=2025,
            number=2,
            title="先に保存した名称",
            summary="",
            status="scheduled",
        )
        page.get_by_label("名称", exact=True).fill("わたしの名称")
        page.get_by_label("名称", exact=True).press("Enter")
        _focus_in(page, "meeting-details", "ほかの人がこの内容を先に更新しました")
        expect(page.locator("#meeting-details .conflict")).to_contain_text("先に保存した名称")
        expect(page.get_by_label("名称", exact=True)).to_have_value("わたしの名称")
        found["details over someone else's (409)"] = _violations(page)
        browser.close()
    assert list(meeting.topics.order_by("order").values_list("name", flat=True)) == [
        "公共施設マネジメント",
        "先に追加した議題",
        "わたしの議題",
    ]
    assert {state: v for state, v in found.items() if v} == {}
