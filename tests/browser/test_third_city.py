"""A third city adopts reformtracker from an empty database to its first publication, entirely
in a real headless Chromium, from a plan workbook the test writes.

みどり市 is fictional (its English name and its plan's notes say so; it has no 全国地方公共団体
コード). The operator sets up the empty site and registers the city with its reform office; the
office sets its password through the link, downloads the plan workbook template, uploads it
filled in (first with a mistake, then fixed), confirms the preview, adds a department's staff
account and opens the year's round; the staff enter and submit their results; the office
confirms and publishes; the public plan page shows the rate of those results. Each phase is
timed, and axe-core checks every new page in each state it is seen in.
"""

import os
import re
from pathlib import Path

import pytest
from django.db import connection

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
from playwright.sync_api import expect

from evaluations.rates import Summary
from tests.browser.axe import problems as axe_problems
from tests.browser.staff_site import chromium
from tests.onboarding.browsing import Stopwatch
from tests.onboarding.workbooks import CITY, fill

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the third city's walkthrough runs once, in the PostgreSQL pass (the database "
        "a city runs on)",
    ),
]

OPERATOR_PASSWORD = "Unyou-Midori-4821!"
OFFICE_PASSWORD = "Kaikaku-Sakura-7390!"
STAFF_PASSWORD = "Kankyo-Kaede-5216!"

PILLARS = [
    [1, "業務改革の推進", "Business process reform", "取組方針", "", "はい"],
    [2, "官民連携の推進", "Public-private partnership", "取組方針", "", "はい"],
]
DEPARTMENTS = [["kankyo", "環境部", "Environment Department", "局"]]
INITIATIVES = [
    ["1-1", 1, "kankyo", "ごみ収集業務の委託化", "", "全地区で委託", "", "毎年度末に評価", "", "A"],
    ["1-2", 1, "kankyo", "電子申請の拡大", "", "申請の8割を電子化", "", "", "", ""],
    ["2-1", 2, "kankyo", "公園の包括管理委託", "", "", "", "", "", "BC"],
]
INDICATORS = [["1-2", "電子申請の割合", "%", "増やす", 40, "令和6年度", 80, "令和9年度"]]
# What the staff enter: (title, result, progress).
RESULTS = [
    ("ごみ収集業務の委託化", "達成", "全地区で委託を開始した。"),
    ("電子申請の拡大", "未達成", "電子化は6割にとどまった。"),
    ("公園の包括管理委託", "達成", "包括管理委託の契約を結んだ。"),
]


def _expected_rate() -> str:
    """The plan page's rate for the results above, by the one display rule."""
    achieved = sum(1 for _title, result, _text in RESULTS if result == "達成")
    not_achieved = sum(1 for _title, result, _text in RESULTS if result == "未達成")
    return Summary(achieved=achieved, not_achieved=not_achieved).rate_display()


def _sign_in(browser, base, username, password):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="ja-JP", bypass_csp=True
    )
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", name="担当の取組項目")).to_be_visible()
    return page


def test_a_third_city_goes_from_an_empty_database_to_its_first_publication(
    transactional_db, live_server, chromium_executable, capsys
):
    base = live_server.url
    clock = Stopwatch()
    accessibility: dict[str, list[str]] = {}

    def check(page, name):
        with clock.aside():
            accessibility[name] = axe_problems(page)

    with chromium(chromium_executable) as browser:
        # axe-core goes in as an inline script, which the site's policy refuses (test_csp.py
        # checks the policy on these pages' kind).
        operator = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="ja-JP", bypass_csp=True
        ).new_page()

        with clock.phase("1 operator: first-run setup"):
            operator.goto(f"{base}/setup/")
            expect(operator.get_by_role("heading", name="初期設定：運用者の登録")).to_be_visible()
            check(operator, "/setup/")
            operator.fill("#id_username", "unyou")
            operator.fill("#id_full_name", "運用 太郎")
            operator.fill("#id_email", "unyou@example.jp")
            operator.fill("#id_password", OPERATOR_PASSWORD)
            operator.fill("#id_password_again", OPERATOR_PASSWORD)
            operator.get_by_role("button", name="運用者を登録する").click()
            expect(operator.get_by_role("heading", name="自治体の登録")).to_be_visible()
            check(operator, "/office/setup/ (operator)")
            assert operator.goto(f"{base}/setup/").status == 404

        with clock.phase("2 operator: municipality, office, account"):
            operator.goto(f"{base}/office/setup/")
            operator.fill("#id_name", CITY["name"])
            operator.fill("#id_name_en", CITY["name_en"])
            operator.select_option("#id_prefecture", label="東京都")
            operator.fill("#id_slug", CITY["slug"])
            operator.fill("#id_office_code", "kaikaku")
            operator.fill("#id_office_name", "行政改革課")
            operator.fill("#id_username", "midori-office")
            operator.fill("#id_full_name", "改革 花子")
            operator.fill("#id_email", "kaikaku@midori.example.jp")
            operator.get_by_role("button", name="自治体を登録する").click()
            message = operator.locator(".messages")
            expect(message).to_contain_text("みどり市と改革担当所属のアカウント「midori-office」")
            check(operator, "/office/setup/ (registered, with the link)")
            link = re.search(r"https?://\S+/office/setup/password/\S+/", message.inner_text())
            assert link, message.inner_text()

        with clock.phase("3 office: set password, sign in"):
            setter = browser.new_context(locale="ja-JP", bypass_csp=True).new_page()
            setter.goto(link.group(0))
            expect(setter.get_by_role("heading", name="パスワードの設定")).to_be_visible()
            check(setter, "set password")
            setter.fill("#id_new_password1", OFFICE_PASSWORD)
            setter.fill("#id_new_password2", OFFICE_PASSWORD)
            setter.get_by_role("button", name="パスワードを設定する").click()
            expect(setter.get_by_text("パスワードを設定しました。")).to_be_visible()
            office = _sign_in(browser, base, "midori-office", OFFICE_PASSWORD)
            office.get_by_role("link", name="計画の準備・職員のアカウント（市政改革室）").click()
            expect(office.get_by_role("heading", name="みどり市の計画の準備")).to_be_visible()
            check(office, "/office/setup/midori/")
            office.goto(f"{base}/admin/")
            expect(office.get_by_role("heading", name="管理画面は使えません")).to_be_visible()
            check(office, "/admin/ (refused)")

        with clock.phase("4 office: download the template"):
            office.goto(f"{base}/office/setup/midori/")
            with office.expect_download() as download:
                office.get_by_role(
                    "link", name="計画ブックのテンプレートをダウンロード（.xlsx）"
                ).click()
            template = Path(download.value.path()).read_bytes()
            assert download.value.suggested_filename == "plan-workbook-midori.xlsx"

        with clock.phase("5 office: upload, fix, preview, confirm"):
            office.get_by_role("link", name="記入した計画ブックをアップロード").click()
            check(office, "plan upload")
            mistaken = [[*INITIATIVES[0][:2], "somu", *INITIATIVES[0][3:]], *INITIATIVES[1:]]
            workbook = fill(
                template,
                pillars=PILLARS,
                departments=DEPARTMENTS,
                initiatives=INITIATIVES,
                indicators=INDICATORS,
            )
            broken = fill(template, pillars=PILLARS, departments=DEPARTMENTS, initiatives=mistaken)
            office.set_input_files(
                "#plan-file",
                files=[
                    {
                        "name": "midori.xlsx",
                        "mimeType": "application/octet-stream",
                        "buffer": broken,
                    }
                ],
            )
            office.get_by_role("button", name="内容を確認する").click()
            problems = office.get_by_test_id("plan-problems")
            expect(problems).to_contain_text("所属コード「somu」の所属がありません")
            expect(problems).to_contain_text("C3")
            check(office, "plan upload (problems)")
            office.set_input_files(
                "#plan-file",
                files=[
                    {
                        "name": "midori.xlsx",
                        "mimeType": "application/octet-stream",
                        "buffer": workbook,
                    }
                ],
            )
            office.get_by_role("button", name="内容を確認する").click()
            expect(office.get_by_role("heading", name="登録される内容の確認")).to_be_visible()
            expect(office.locator("#plan-result")).to_contain_text("ごみ収集業務の委託化")
            expect(office.get_by_test_id("plan-indicators")).to_contain_text("電子申請の割合（%）")
            check(office, "plan upload (preview)")
            office.get_by_role("button", name="この内容で登録する").click()
            expect(office.locator(".messages")).to_contain_text("（柱2、取組項目3）")
            check(office, "/office/setup/midori/ (plan registered)")

        with clock.phase("6 office: a department staff account"):
            office.get_by_role("link", name="所属職員のアカウントを登録").click()
            office.select_option("#id_department", label="環境部")
            office.fill("#id_username", "midori-kankyo")
            office.fill("#id_full_name", "環境 次郎")
            office.fill("#id_email", "kankyo@midori.example.jp")
            office.fill("#id_password", STAFF_PASSWORD)
            office.get_by_role("button", name="アカウントを登録する").click()
            expect(office.locator(".messages")).to_contain_text(
                "環境部のアカウント「midori-kankyo」"
            )
            check(office, "staff accounts")

        with clock.phase("7 office: open the year's round"):
            office.goto(f"{base}/staff/rounds/")
            office.select_option("#id_plan", label="みどり市行財政改革プラン（架空）")
            office.fill("#id_fiscal_year", "2025")
            office.fill("#id_as_of", "2026-03-31")
            office.fill("#id_due_on", "2027-05-31")
            office.get_by_role("button", name="照会を開始").click()
            expect(office.get_by_text("照会「")).to_be_visible()
            round_url = office.url

        with clock.phase("8 staff: enter and submit three results"):
            staff = _sign_in(browser, base, "midori-kankyo", STAFF_PASSWORD)
            for title, result, progress in RESULTS:
                staff.goto(f"{base}/staff/")
                staff.get_by_role("link", name=title).click()
                staff.get_by_label("評価結果").select_option(label=result)
                staff.get_by_label("進捗状況").fill(progress)
                staff.get_by_role("button", name="保存", exact=True).click()
                expect(staff.get_by_test_id("entry-state")).to_have_text("入力中")
                staff.get_by_role("button", name="市政改革室に提出する").click()
                expect(staff.get_by_test_id("entry-state")).to_have_text("提出済")

        with clock.phase("9 office: confirm and publish"):
            for title, _result, _progress in RESULTS:
                office.goto(f"{base}/staff/")
                office.get_by_role("link", name=title).click()
                office.get_by_role("button", name="確認済にする").click()
                expect(office.get_by_test_id("entry-state")).to_have_text("確認済")
            office.goto(round_url)
            # 公表 asks for confirmation on a page that shows what becomes public.
            office.get_by_role("link", name="公表する（内容を確認）").click()
            expect(office.get_by_role("heading", name="公表の確認")).to_be_visible()
            office.get_by_role("button", name="この内容で公表する").click()
            expect(office.get_by_text("公表しました。")).to_be_visible()

        with clock.phase("10 public: the plan page shows the rate"):
            public = browser.new_context(locale="ja-JP", bypass_csp=True).new_page()
            public.goto(f"{base}/plans/midori-2025/")
            expect(public.get_by_test_id("plan-rate")).to_have_text(_expected_rate())
            expect(public.locator("body")).to_contain_text("みどり市行財政改革プラン（架空）")
            check(public, "/plans/midori-2025/")

    with capsys.disabled():
        print(
            f"\nThe third city's walkthrough (みどり市, fictional), rate {_expected_rate()};"
            f" seconds per phase without the axe checks (load average {os.getloadavg()[0]:.1f}):"
        )
        print(clock.report())
        print("axe-core on each new page:")
        for name, found in accessibility.items():
            print(f"  {name:<45} violations={len(found)}")
            for problem in found:
                print(f"      ✗ {problem}")
    assert {name: found for name, found in accessibility.items() if found} == {}
