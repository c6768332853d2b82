"""No Content-Security-Policy violation in a real browser on any page type (issue 11 #5).

Chromium reports each refused script, style, frame or form target as a console error naming
the Content Security Policy and as a ``securitypolicyviolation`` event; both are collected on
every page (public ones in both languages, htmx swaps, sign-in, staff and office pages, the
admin, an error page) and must stay empty.
"""

import os
import re

import pytest
from django.core.management import call_command

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
from playwright.sync_api import expect

from tests.browser.staff_site import chromium

pytestmark = pytest.mark.browser

OSAKA = "osaka-shin-shisei-kaikaku"
KITAKYUSHU = "kitakyushu-shisei-henkaku"
PUBLIC = [
    "/",
    f"/plans/{OSAKA}/",
    f"/plans/{OSAKA}/pillars/6/",
    f"/plans/{OSAKA}/initiatives/6-5/",
    "/initiatives/",
    "/meetings/",
    f"/meetings/{KITAKYUSHU}/schedule/",
    "/open-data/",
    f"/plans/{OSAKA}/badge.svg",
    "/en/",
    f"/en/plans/{OSAKA}/",
    "/en/initiatives/",
    "/no-such-page/",
    "/en/no-such-page/",
]
STAFF = ["/staff/", "/staff/rounds/", "/office/reports/", "/staff/import/"]
ADMIN = ["/admin/", "/admin/initiatives/plan/", "/admin/initiatives/plan/add/"]
RECORD = """
document.addEventListener('securitypolicyviolation', (e) => {
  (window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


@pytest.fixture
def site(transactional_db, live_server):
    call_command("load_seed", verbosity=0)
    call_command("load_demo_accounts", verbosity=0)
    return live_server.url


class Violations:
    def __init__(self, page):
        self.page, self.found = page, []
        page.add_init_script(RECORD)
        page.on("console", self._console)

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.found.append(f"{self.page.url}: {message.text}")

    def visit(self, url):
        response = self.page.goto(url)
        self.collect()
        return response

    def collect(self):
        events = self.page.evaluate("window.__csp || []")
        self.found += [f"{self.page.url}: {event}" for event in events]
        self.page.evaluate("window.__csp = []")


def sign_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill("demo-pass-2025")
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_load_state()


def test_no_page_type_reports_a_csp_violation(site, chromium_executable):
    with chromium(chromium_executable) as browser:
        page = browser.new_page()
        violations = Violations(page)
        for path in PUBLIC:
            response = violations.visit(site + path)
            assert response.status in (200, 404), path
            assert response.headers.get("content-security-policy"), path

        # An htmx swap on the initiative browser.
        violations.visit(f"{site}/initiatives/")
        page.select_option("#filter-plan", OSAKA)
        expect(page).to_have_url(re.compile(f"plan={OSAKA}"))
        page.wait_for_timeout(300)
        violations.collect()

        # Sign-in, the office's pages, an htmx-enabled staff page, the admin, sign-out.
        sign_in(page, site, "osaka-office")
        violations.collect()
        for path in STAFF:
            assert violations.visit(site + path).status == 200, path
        rounds = page.locator("main a[href^='/staff/rounds/']")
        if rounds.count():
            rounds.first.click()
            page.wait_for_load_state()
            violations.collect()
        page.get_by_role("button", name="ログアウト").click()
        page.wait_for_load_state()
        violations.collect()
        sign_in(page, site, "admin")
        for path in ADMIN:
            assert violations.visit(site + path).status == 200, path
    assert violations.found == []
