"""In a real browser: a citizen subscribes to a plan by e-mail and confirms from the mail a real
SMTP server received; a visitor sorts the comparison of plans and finds every plan still in the
group of its own rule; a visitor compares two 時点 of a plan; a wrong address gets its message
on the field; axe at 0 on each."""

import os
import re

import pytest
from django.core.management import call_command

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
from playwright.sync_api import expect

from evaluations.models import Subscription
from tests.browser.axe import violations
from tests.browser.staff_site import chromium
from tests.constants import KITAKYUSHU, OSAKA
from tests.measures.smtp_server import mailers_for, smtp_server

pytestmark = pytest.mark.browser


@pytest.fixture
def site(transactional_db, live_server, settings):
    call_command("load_seed", verbosity=0)
    with smtp_server() as (port, inbox):
        settings.MAILERS = mailers_for(port)
        settings.SITE_URL = live_server.url
        yield live_server.url, inbox.messages


@pytest.fixture
def page(site, chromium_executable):
    with chromium(chromium_executable) as browser:
        yield browser.new_page(viewport={"width": 1280, "height": 900}, bypass_csp=True)


def test_a_citizen_subscribes_from_the_plan_page_and_confirms_from_the_mail(site, page):
    url, inbox = site
    page.goto(f"{url}/plans/{OSAKA}/")
    page.get_by_role("link", name="メールで").click()
    field = page.get_by_label("メールアドレス")
    field.fill("not-an-address")
    page.get_by_role("button", name="確認のメールを送る").click()
    expect(page.locator("#email-errors")).to_contain_text("メールアドレスの形が正しくありません")
    assert page.get_by_label("メールアドレス").get_attribute("aria-describedby") == "email-errors"
    assert violations(page) == []
    page.get_by_label("メールアドレス").fill("citizen@example.jp")
    page.get_by_role("button", name="確認のメールを送る").click()
    expect(page.get_by_role("status")).to_contain_text("確認のメールを送りました")
    assert "citizen@example.jp" not in page.content()
    [mail] = inbox
    link = re.search(r"(http://\S+/confirm/)", mail.get_content()).group(1)
    page.goto(link)
    assert not Subscription.objects.filter(confirmed_at__isnull=False).exists()
    page.get_by_role("button", name="登録する").click()
    expect(page.get_by_role("status")).to_contain_text("登録が完了しました")
    assert Subscription.objects.filter(confirmed_at__isnull=False).count() == 1
    page.get_by_role("link", name="配信を停止する").click()
    page.get_by_role("button", name="配信を停止する").click()
    expect(page.get_by_role("status")).to_contain_text("メールアドレスを削除しました")
    assert not Subscription.objects.exists()


def test_sorting_the_comparison_keeps_each_plan_in_its_rules_group(site, page):
    url, _inbox = site
    page.goto(f"{url}/")
    page.get_by_role("link", name="計画を比べる").click()
    page.get_by_label("並べ方").select_option("rate")
    page.get_by_role("button", name="表示").click()
    expect(page).to_have_url(re.compile(r"/compare/\?sort=rate$"))
    counted = page.get_by_test_id("rule-group-achieved_over_evaluated")
    none = page.get_by_test_id("rule-group-none")
    expect(counted.get_by_test_id(f"compare-row-{OSAKA}")).to_contain_text("約82.6%")
    expect(none.get_by_test_id(f"compare-row-{KITAKYUSHU}")).to_contain_text("全体の数値なし")
    # One table per rule, each with its own headers: nothing ranks across them.
    assert page.locator("table.compare-table").count() == 2
    assert violations(page) == []


def test_a_visitor_compares_two_time_points_of_a_plan_and_sees_what_changed(site, page):
    from evaluations.choices import Result
    from tests.factories import make_initiative, make_plan, make_published_round

    url, _inbox = site
    plan = make_plan()
    a, b = make_initiative(plan, title="取組A"), make_initiative(plan, title="取組B")
    make_published_round(plan, {a: Result.ACHIEVED, b: Result.NOT_ACHIEVED}, fiscal_year=2024)
    make_published_round(plan, {a: Result.ACHIEVED, b: Result.ACHIEVED}, fiscal_year=2025)
    page.goto(f"{url}/plans/{plan.slug}/")
    page.get_by_role("link", name="何が変わったか（時点の比較）").click()
    expect(page.get_by_test_id("changes-plan-row")).to_contain_text("50.0%")
    expect(page.get_by_test_id("changes-plan-row")).to_contain_text("+50.0")
    expect(page.get_by_test_id(f"changed-{b.code}")).to_contain_text("未達成")
    assert violations(page) == []
    # The same 時点 on both sides: nothing changed, and the page says so.
    page.get_by_label("比べる前の時点").select_option(label="令和7年度末時点")
    page.get_by_role("button", name="比べる").click()
    expect(page.get_by_text("結果が変わった取組項目はありません。")).to_be_visible()
    assert page.get_by_test_id(f"changed-{b.code}").count() == 0
