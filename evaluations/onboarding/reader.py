"""Reading an uploaded plan workbook into a ``ParsedPlan`` of plain cell values.

The file passes the same guards as the 照会票 import before any XML parser builds a row
(``workbooks.safety.check_container``: size, zip structure, zip bombs, macros, entity
declarations; ``workbooks.bounds.check_sheets``: rows, columns and cells by a streaming scan),
and is read by the import's own reader. What the office cannot see is refused rather than
imported unseen: a formula in a column we read, a hidden row or a hidden sheet. Asks no
database; ``validate`` checks the values.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from evaluations.onboarding import layout
from evaluations.workbooks import cells
from evaluations.workbooks import reader as xlsx
from evaluations.workbooks.bounds import check_sheets
from evaluations.workbooks.problems import ImportRejected, Problem
from evaluations.workbooks.safety import check_container
from reformtracker.calendar_ja import normalize

_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_HIDDEN = re.compile(rb"""\bhidden\s*=\s*["'](?:1|true)["']""")
_NUMBER = re.compile(rb"""\br\s*=\s*["'](\d+)["']""")
_REQUIRED_MARK = re.compile(r"[（(]必須[)）]$")


@dataclass
class ParsedPlan:
    """A plan workbook as read: the plan form's items (key → [row, value]) and each list
    sheet's non-blank rows ([row, {key: [column letter, value]}]). Plain values only, so it
    can wait as JSON between the upload and the confirmation."""

    filename: str = ""
    sha256: str = ""
    plan: dict[str, list] = field(default_factory=dict)
    sheets: dict[str, list] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ParsedPlan:
        kept = json.loads(text)
        if set(kept) != {"filename", "sha256", "plan", "sheets"}:
            raise ValueError("not a parsed plan workbook")
        return cls(**kept)


def _key(value, columns) -> str | None:
    heading = _REQUIRED_MARK.sub("", normalize(str(value or "")).replace(" ", ""))
    for column in columns:
        if heading == normalize(column.heading).replace(" ", ""):
            return column.key
    return None


def parse(data: bytes, *, filename: str = "") -> ParsedPlan:
    """The workbook's values; ImportRejected (every problem, each with its sheet and cell) for
    a file that is not a sane plan workbook."""
    archive = check_container(data)
    check_sheets(archive)
    try:
        book = xlsx.read(archive)
    except xlsx.Unsupported:
        raise ImportRejected.because(
            _(
                "計画ブックとして読めない形式です。ダウンロードしたテンプレートに記入し、"
                "Excel の標準の形式（.xlsx）で保存してください。"
            )
        ) from None
    problems: list[Problem] = []
    hidden_sheets = _hidden_sheets(archive)
    for title in hidden_sheets:
        problems.append(
            Problem(
                _("非表示のシートは取り込めません。シートを再表示するか、削除してください。"),
                title,
            )
        )
    missing = [
        name
        for name in (layout.PLAN_SHEET, *layout.SHEETS)
        if name not in book.sheetnames and name not in layout.OPTIONAL_SHEETS
    ]
    if missing:
        raise ImportRejected(
            [
                Problem(
                    _(
                        "「%(sheet)s」シートがありません。ダウンロードしたテンプレートに"
                        "記入してください（シート名は変えないでください）。"
                    )
                    % {"sheet": name}
                )
                for name in missing
            ]
        )
    hidden_rows = _hidden_rows(archive)
    parsed = ParsedPlan(filename=filename, sha256=hashlib.sha256(data).hexdigest())
    parsed.plan = _plan_items(
        book[layout.PLAN_SHEET], hidden_rows.get(layout.PLAN_SHEET, ()), problems
    )
    if normalize(str(parsed.plan.get("format", [0, ""])[1] or "")) != layout.FORMAT_ID:
        row = parsed.plan.get("format", [None])[0]
        raise ImportRejected.because(
            _(
                "計画ブックの様式ではありません（「様式」欄が %(id)s ではありません）。"
                "ダウンロードしたテンプレートに記入してください。"
            )
            % {"id": layout.FORMAT_ID},
            layout.PLAN_SHEET,
            row,
            "B",
        )
    for name, columns in layout.SHEETS.items():
        if name not in book.sheetnames:
            continue
        parsed.sheets[name] = _rows(book[name], columns, hidden_rows.get(name, ()), problems)
    if problems:
        raise ImportRejected(problems)
    return parsed


def _hidden_sheets(archive) -> list[str]:
    workbook = xlsx._tree(archive, "xl/workbook.xml")
    sheets = workbook.find(xlsx.MAIN + "sheets")
    return [
        s.get("name") or ""
        for s in (sheets if sheets is not None else ())
        if s.get("state") in ("hidden", "veryHidden")
    ]


def _hidden_rows(archive) -> dict[str, set[int]]:
    """Row numbers marked hidden, per sheet title (a scan of the row tags only)."""
    hidden: dict[str, set[int]] = {}
    for title, path in xlsx.sheet_parts(archive):
        numbers = set()
        last = 0
        for match in _ROW_TAG.finditer(xlsx._part(archive, path)):
            attributes = match.group(1)
            number = _NUMBER.search(attributes)
            last = int(number.group(1)) if number else last + 1
            if _HIDDEN.search(attributes):
                numbers.add(last)
        hidden[title] = numbers
    return hidden


def _hidden_row_problem(sheet: str, row: int) -> Problem:
    return Problem(
        _("非表示の行は取り込めません。行を再表示して内容を確かめるか、行を削除してください。"),
        sheet,
        row,
    )


def _formula_problem(sheet: str, row: int, letter: str) -> Problem:
    return Problem(
        _(
            "数式のセルは取り込めません。数式ではなく値を入力するか、「値として貼り付け」てください。"
        ),
        sheet,
        row,
        letter,
    )


def _plan_items(ws, hidden: set[int], problems: list[Problem]) -> dict[str, list]:
    """The plan form: column A's heading → [row, column B's value]."""
    items: dict[str, list] = {}
    for number, row in ws.numbered_rows():
        if not row:
            continue
        key = _key(row[0], layout.PLAN_ITEMS)
        if key is None or key in items:
            continue
        if number in hidden:
            problems.append(_hidden_row_problem(ws.title, number))
            continue
        if (number, 2) in ws.formulas:
            problems.append(_formula_problem(ws.title, number, "B"))
            continue
        items[key] = [number, _plain(row[1] if len(row) > 1 else None)]
    return items


def _plain(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int | float):
        return value
    return cells.text(value)


def _rows(ws, columns, hidden: set[int], problems: list[Problem]) -> list:
    """The sheet's non-blank data rows: [row, {key: [column letter, value]}]."""
    positions: dict[str, int] = {}
    rows = []
    for number, row in ws.numbered_rows():
        if number == 1:
            for position, value in enumerate(row):
                key = _key(value, columns)
                if key and key not in positions:
                    positions[key] = position
            missing = [c for c in columns if c.required and c.key not in positions]
            for column in missing:
                problems.append(
                    Problem(
                        _(
                            "見出し「%(name)s」の列がありません。テンプレートの1行目の見出しを"
                            "消したり書き換えたりしないでください。"
                        )
                        % {"name": column.heading},
                        ws.title,
                        1,
                    )
                )
            if missing:
                return []
            continue
        if number < layout.FIRST_DATA_ROW:
            continue
        values = {
            key: [cells.column_letter(pos), _plain(row[pos] if pos < len(row) else None)]
            for key, pos in positions.items()
        }
        if all(value in ("", None) for _letter, value in values.values()):
            continue
        if number in hidden:
            problems.append(_hidden_row_problem(ws.title, number))
            continue
        formula = next((p for p in positions.values() if (number, p + 1) in ws.formulas), None)
        if formula is not None:
            problems.append(_formula_problem(ws.title, number, cells.column_letter(formula)))
            continue
        rows.append([number, values])
    if not positions:
        problems.append(
            Problem(
                _("1行目に見出しがありません。テンプレートの見出しを消さないでください。"),
                ws.title,
                1,
            )
        )
    return rows
