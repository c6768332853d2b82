"""What the browser tests share (a plain module; fixtures stay in tests/conftest.py).

``chromium(executable)`` starts the headless browser; ``sign_in`` opens a page signed in as a
persona (axe-core runs on it through tests/browser/axe.py); ``focus`` says where keyboard focus
is; ``filled_workbook`` (tests/staff/returned_workbook.py) is a department's 照会票 as a person
returns it.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
from django.db import connections
from playwright.sync_api import expect, sync_playwright

from tests.personas import PASSWORD
from tests.staff.returned_workbook import filled_workbook  # noqa: F401 (shared with the browser)

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Shared memory goes to /tmp: a container's small /dev/shm makes Chromium crash under load.
    "--disable-dev-shm-usage",
]


@contextmanager
def chromium(executable: str):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()
            # While Playwright's event loop runs, Django gives the test's own ORM calls a
            # connection of their own (its connections are kept per context, and the running
            # loop makes a new one). Nothing else closes it: left open, it keeps a session on the
            # test database, and PostgreSQL refuses to drop that database at the end of the run
            # ("is being accessed by other users").
            connections.close_all()


def sign_in(browser, base: str, username: str, heading: str = "担当の取組項目"):
    """A new browser context signed in as ``username`` through the sign-in form. The page may
    take axe-core's inline script (the site's policy refuses it; tests/browser/test_csp.py
    checks the policy itself)."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="ja-JP", bypass_csp=True
    )
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    return page


def focus(page) -> dict:
    """Where keyboard focus is: the element's tag, id, text and the id of its nearest parent
    that has one (the region it is in)."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const region = el.parentElement ? el.parentElement.closest('[id]') : null;
            return {tag: el.tagName, id: el.id, text: (el.innerText || '').trim().slice(0, 80),
                    region: region ? region.id : ''};
        }"""
    )
