"""What the staff-side browser tests share (a plain module; fixtures stay in tests/conftest.py).

``chromium(executable)`` starts the headless browser; ``sign_in`` opens a page signed in as a
persona; ``axe`` runs the vendored axe-core on the page as it is and returns its report;
``focus`` says where keyboard focus is; ``filled_workbook`` is a department's 照会票 as a person
returns it: a result typed in, a memo column of their own with a formula in it, a hidden row.
"""

from __future__ import annotations

import io
import os
from contextlib import contextmanager
from pathlib import Path

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
from playwright.sync_api import expect, sync_playwright

from tests.personas import PASSWORD

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# WCAG 2.0 A/AA is what JIS X 8341-3:2016 adopts; 2.1 A/AA checks ride along.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@contextmanager
def chromium(executable: str):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


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


def axe(page) -> dict:
    """axe-core's violations on the page as it is now (after any swap), with the first nodes."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return {
                violations: r.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.failureSummary),
                })),
                passes: r.passes.length,
                incomplete: r.incomplete.map(v => v.id),
            };
        }""",
        AXE_TAGS,
    )


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


def filled_workbook(round_, department, *, result="達成", narrative="4月に委託を開始した。"):
    """The department's 照会票 for ``round_`` as returned: the first row answered, a column
    「メモ」 added with a formula in it, and that row hidden. Returns the bytes."""
    import openpyxl

    from evaluations import workbooks

    book = openpyxl.load_workbook(io.BytesIO(workbooks.export_round(round_, department)))
    sheet = next(ws for ws in book.worksheets if ws.title != "概要")
    header = next(r for r in range(1, 11) if sheet.cell(r, 1).value == "回答ID")
    columns = {sheet.cell(header, c).value: c for c in range(1, sheet.max_column + 1)}
    row = header + 1
    sheet.cell(row, columns["評価結果"]).value = result
    sheet.cell(row, columns["進捗状況"]).value = narrative
    memo = sheet.max_column + 1
    sheet.cell(header, memo).value = "メモ"
    sheet.cell(row, memo).value = f"=LEN(I{row})"
    sheet.row_dimensions[row].hidden = True
    summary = book["概要"]
    for r in range(1, 41):
        if summary.cell(r, 1).value == "記入日":
            summary.cell(r, 2).value = "令和7年5月20日"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
