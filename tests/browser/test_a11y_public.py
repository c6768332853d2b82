"""Accessibility of the public pages in a real browser (JIS X 8341-3:2016 AA ≈ WCAG 2.0 AA).

axe-core (vendored: tests/browser/vendor/axe-core, nothing fetched at run time) runs on every
public page type, in Japanese and in English, and must report no violation; the summary per page
is printed to the test output whether the test passes or fails. A keyboard-only
walkthrough checks the skip link, the navigation, the language switch and the browser filters,
with a visible focus indicator at each stop.
"""

import os

import pytest
from django.core.management import call_command

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
from playwright.sync_api import expect

from tests.browser.axe import AXE_TAGS, axe, unreviewed
from tests.browser.staff_site import chromium
from tests.constants import KITAKYUSHU, OSAKA

pytestmark = pytest.mark.browser


PAGE_TYPES = {
    "home": "/",
    "plan (published)": f"/plans/{OSAKA}/",
    "plan (no item results)": f"/plans/{KITAKYUSHU}/",
    "pillar": f"/plans/{OSAKA}/pillars/6/",
    "pillar (method)": f"/plans/{KITAKYUSHU}/pillars/2/",
    "initiative": f"/plans/{OSAKA}/initiatives/6-5/",
    "initiative browser": f"/initiatives/?plan={OSAKA}&result=achieved",
    "meetings": "/meetings/",
    "schedule": f"/meetings/{KITAKYUSHU}/schedule/",
    "open data": "/open-data/",
    "departments": f"/plans/{OSAKA}/departments/",
    "departments (English)": f"/en/plans/{OSAKA}/departments/",
    "home (English)": "/en/",
    "plan (English)": f"/en/plans/{OSAKA}/",
    "initiative browser (English)": "/en/initiatives/",
    "schedule (English)": f"/en/meetings/{KITAKYUSHU}/schedule/",
    "compare plans": "/compare/?sort=rate",
    "compare plans (English)": "/en/compare/",
    "subscribe by e-mail": f"/plans/{OSAKA}/subscribe/",
}


@pytest.fixture
def site(transactional_db, live_server):
    call_command("load_seed", verbosity=0)
    return live_server.url


@pytest.fixture
def browser_page(site, chromium_executable):
    with chromium(chromium_executable) as browser:
        # axe-core goes in as an inline script, which the site's policy refuses; the policy
        # itself is checked by test_csp.py.
        page = browser.new_page(viewport={"width": 1280, "height": 900}, bypass_csp=True)
        yield page


def test_axe_reports_no_violation_on_any_public_page_type(site, browser_page, capsys):
    failures, report = {}, [f"\naxe-core {AXE_TAGS} on each public page type:"]
    left = []  # what axe leaves for review for a reason not in REVIEWED (tests/browser/axe.py)
    for name, path in PAGE_TYPES.items():
        response = browser_page.goto(site + path)
        assert response.status == 200, path
        result = axe(browser_page)
        report.append(
            f"  {name:<30} {path:<55} violations={len(result['violations'])} "
            f"passes={result['passes']} needs-review={','.join(result['incomplete']) or '-'}"
        )
        report.extend(f"      ? {item}" for item in result["review"])
        left += [f"{path}: {item}" for item in unreviewed(result)]
        for v in result["violations"]:
            report.append(f"      ✗ {v['id']} ({v['impact']}): {v['help']}")
            report.extend(f"          {node}" for node in v["nodes"])
        if result["violations"]:
            failures[name] = [v["id"] for v in result["violations"]]
    # Straight to the terminal, passing or not: the axe report belongs in every CI log.
    with capsys.disabled():
        print("\n".join(report))
    assert failures == {}
    assert left == [], "axe asks for a review this test has not made"


def _focus_is_visible(page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const s = getComputedStyle(el);
            const box = el.getBoundingClientRect();
            return {
                tag: el.tagName, text: (el.innerText || el.value || '').trim().slice(0, 40),
                id: el.id, outline: s.outlineStyle, width: parseFloat(s.outlineWidth),
                onscreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
                    && box.top < innerHeight && box.left < innerWidth,
            };
        }"""
    )


def _tab_to(page, predicate, limit=40) -> dict:
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = _focus_is_visible(page)
        assert focus["outline"] != "none" and focus["width"] >= 2, f"focus not visible: {focus}"
        assert focus["onscreen"], f"focused element off screen: {focus}"
        if predicate(focus):
            return focus
    raise AssertionError("never reached the element by Tab")


def test_a_keyboard_user_can_skip_navigate_switch_language_and_filter(site, browser_page):
    page = browser_page
    page.goto(site + "/")
    # 1. The first Tab lands on the skip link, visible while focused; Enter moves to the content.
    page.keyboard.press("Tab")
    first = _focus_is_visible(page)
    assert first["text"] == "本文へ移動" and first["onscreen"] and first["outline"] != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # 2. The main navigation: from the top, Tab reaches "取組項目をさがす"; Enter opens it.
    page.goto(site + "/")
    _tab_to(page, lambda f: f["text"] == "取組項目をさがす")
    page.keyboard.press("Enter")
    page.wait_for_url(site + "/initiatives/")

    # 3. The language switch: Tab to "English", Enter → the same page in English.
    _tab_to(page, lambda f: f["text"] == "English")
    page.keyboard.press("Enter")
    page.wait_for_url(site + "/en/initiatives/")
    assert page.evaluate("document.documentElement.lang") == "en"
    page.goto(site + "/initiatives/")

    # 4. The browser's filters: Tab to the plan select, choose by keyboard; htmx updates the
    #    list and the URL (shareable), and Back returns to the unfiltered list.
    count = page.locator("#result-count")
    expect(count).to_have_text("30件中 1〜20件目を表示")
    _tab_to(page, lambda f: f["id"] == "filter-plan")
    page.keyboard.press("ArrowDown")  # the first plan (Osaka, 24 items)
    expect(count).to_have_text("24件中 1〜20件目を表示")
    assert "plan=" + OSAKA in page.url
    _tab_to(page, lambda f: f["id"] == "filter-result")
    page.keyboard.press("ArrowDown")  # 達成
    expect(count).to_have_text("19件中 1〜19件目を表示")
    assert "result=achieved" in page.url
    # The same URL opened afresh shows the same state.
    shared = page.url
    page.goto(shared)
    expect(page.locator("#result-count")).to_have_text("19件中 1〜19件目を表示")
    # Back: the htmx-pushed state before (reopening the same URL replaced its entry).
    page.go_back()
    expect(page.locator("#result-count")).to_have_text("24件中 1〜20件目を表示")
    assert "result=achieved" not in page.url and "plan=" + OSAKA in page.url
    assert page.locator("#filter-plan").input_value() == OSAKA
    assert page.locator("#filter-result").input_value() == ""

    # 5. The keyword box: typing searches without a submit click.
    page.locator("#filter-q").focus()
    page.keyboard.type("委託")
    expect(page.locator("#result-count")).not_to_have_text("24件中 1〜20件目を表示")
    assert "q=" in page.url


def test_print_stylesheet_hides_navigation_and_keeps_the_figures(site, browser_page):
    page = browser_page
    page.goto(site + f"/plans/{OSAKA}/")
    page.emulate_media(media="print")
    assert page.locator(".language-switcher").is_hidden()
    assert page.locator(".site-header nav").first.is_hidden()
    assert page.locator("[data-testid=plan-rate]").is_visible()
    assert page.locator("table.results-table").is_visible()


def test_the_directory_of_many_cities_is_accessible_and_filters_by_keyboard(
    site, browser_page, settings
):
    """The home page as it is with many cities (the directory), and paginated pillar and
    open-data pages: no axe violation; the prefecture filter works from the keyboard (htmx),
    and the URL it leaves shows the same list."""
    settings.PUBLIC_HOME_BOARDS_MAX = 0
    settings.PUBLIC_HOME_PLANS_PER_PAGE = 1
    settings.PUBLIC_PILLAR_ITEMS_PER_PAGE = 3
    page = browser_page
    failures = {}
    for path in (
        "/",
        "/?prefecture=27",
        "/en/",
        f"/plans/{OSAKA}/pillars/2/?page=2",
        "/open-data/",
    ):
        assert page.goto(site + path).status == 200, path
        result = axe(page)
        if result["violations"]:
            failures[path] = [v["id"] for v in result["violations"]]
    assert failures == {}
    page.goto(site + "/")
    count = page.locator("#plan-count")
    expect(count).to_have_text("2件中 1〜1件目を表示")
    _tab_to(page, lambda f: f["id"] == "filter-prefecture")
    page.keyboard.press("End")  # 沖縄県: no plan there
    expect(count).to_have_text("条件に合う計画はありません。")
    assert "prefecture=47" in page.url
    page.goto(site + "/?prefecture=40")
    expect(page.locator("#plan-count")).to_have_text("1件中 1〜1件目を表示")
    assert "北九州市" in page.locator("#directory").inner_text()
