"""Reading a filled 照会票 into an ``ImportPreview``, in two halves:

``parse(data)`` reads the file once: its checks (container, then the sheets' bounds), its summary
sheet's key cells and every pillar sheet's non-blank rows, as a ``ParsedWorkbook`` of plain values
that can be kept as JSON between the upload, the preview and the confirmation (so the file is
parsed once, at upload). ``preview_of(parsed, user)`` then finds the round and compares the rows
with the live entries — the database half, run again at each step so scope, workflow and
versions are those of the moment. Writes nothing; ``evaluations.workbooks.apply`` saves
(applying.py).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.utils.translation import gettext as _

from evaluations import access
from evaluations.choices import RoundState
from evaluations.models import Round
from evaluations.workbooks import cells
from evaluations.workbooks import indicators as indicator_sheet
from evaluations.workbooks.bounds import check_sheets
from evaluations.workbooks.compare import ImportPreview, compare
from evaluations.workbooks.format import (
    FORMAT_ID,
    IMPORT_HEADERS,
    INDICATOR_SHEET,
    META_AS_OF,
    META_FILLED_ON,
    META_FORMAT,
    META_PLAN,
    REQUIRED_HEADERS,
    SUMMARY_SHEET,
)
from evaluations.workbooks.problems import ImportRejected, Problem
from evaluations.workbooks.reader import open_book
from evaluations.workbooks.safety import check_container
from initiatives.models import Plan
from reformtracker.calendar_ja import CalendarError, format_date_ja, normalize

HEADER_SCAN_ROWS = 10
SUMMARY_ROWS = 40


@dataclass
class ParsedWorkbook:
    """What a 照会票 file holds, read once: its summary sheet's key cells (label → row, value),
    its pillar sheets' non-blank rows (sheet, row, values by column key, column positions) and
    the problems found in the file itself. Values are plain (dates as ``{"date": iso}``), so the
    whole can be kept as JSON."""

    filename: str = ""
    sha256: str = ""
    summary: dict[str, list] = field(default_factory=dict)
    rows: list[list] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # What the file holds that the import leaves alone or takes silently, for the preview:
    # "ignored_columns" [sheet, letter, header], "formula_cells" [sheet, row, letter] outside
    # the columns read, "hidden_rows" [sheet, row] read like any other row.
    notes: dict[str, list] = field(
        default_factory=lambda: {"ignored_columns": [], "formula_cells": [], "hidden_rows": []}
    )
    # The indicator sheet's non-blank rows, as ``rows`` (evaluations.workbooks.indicators).
    indicators: list[list] = field(default_factory=list)

    def to_json(self) -> str:
        if self.problems:
            raise ValueError("a refused workbook is not kept")
        return json.dumps(
            {
                "filename": self.filename,
                "sha256": self.sha256,
                "summary": self.summary,
                "rows": self.rows,
                "notes": self.notes,
                "indicators": self.indicators,
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> ParsedWorkbook:
        kept = json.loads(text)
        parsed = cls(kept["filename"], kept["sha256"], kept["summary"], kept["rows"])
        parsed.notes |= kept.get("notes", {})
        parsed.indicators = kept.get("indicators", [])
        return parsed


def _plain(value):
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)  # a time or duration: read as its text


def _restored(value):
    if isinstance(value, dict):
        return date.fromisoformat(value["date"])
    return value


def read_workbook(data: bytes, *, user=None, filename: str = "") -> ImportPreview:
    """Validates a filled 照会票 and returns what importing it would change. Writes nothing.

    ``user`` None means the terminal (manage.py import_workbook): every department's rows, with
    the workflow still deciding which entries may change.
    """
    return preview_of(parse(data, filename=filename), user=user)


def parse(data: bytes, *, filename: str = "") -> ParsedWorkbook:
    """The file's checks and contents, read once; ImportRejected for a file that is not a sane
    照会票 workbook. Asks no database."""
    archive = check_container(data)
    check_sheets(archive)
    book = open_book(archive, data)
    parsed = ParsedWorkbook(filename=filename, sha256=hashlib.sha256(data).hexdigest())
    try:
        if SUMMARY_SHEET not in book.sheetnames:
            raise ImportRejected.because(
                _(
                    "照会票の「%(sheet)s」シートがありません。このシステムから出力した照会票を使ってください。"
                )
                % {"sheet": SUMMARY_SHEET}
            )
        parsed.summary = _summary_cells(book[SUMMARY_SHEET])
        for ws in book.worksheets:
            if ws.title == INDICATOR_SHEET:
                indicator_sheet.read_sheet(
                    _numbered_rows(ws),
                    ws,
                    parsed.indicators,
                    parsed.problems,
                    _plain,
                    parsed.notes,
                )
            elif ws.title != SUMMARY_SHEET:
                _read_sheet(ws, parsed.rows, parsed.problems, parsed.notes)
    finally:
        book.close()
    return parsed


def preview_of(parsed: ParsedWorkbook, *, user=None) -> ImportPreview:
    """What importing ``parsed`` would change now: its round (by plan and 時点, open, within the
    user's reach) and each row against the live entry. Writes nothing."""
    round_, filled_on = _read_summary(parsed.summary)
    if user is not None and not access.rounds_for(user).filter(pk=round_.pk).exists():
        raise ImportRejected.because(_("この照会の照会票を取り込む権限がありません。"))
    problems = list(parsed.problems)
    if not parsed.rows and not parsed.indicators and not problems:
        problems.append(Problem(_("取り込む行がありません。")))
    if problems:
        raise ImportRejected(problems)
    rows = [
        (sheet, number, {key: _restored(v) for key, v in values.items()}, columns)
        for sheet, number, values, columns in parsed.rows
    ]
    preview = ImportPreview(
        round=round_, filled_on=filled_on, filename=parsed.filename, notes=parsed.notes
    )
    compare(preview, rows, problems, user)
    indicator_sheet.compare(preview, parsed.indicators, problems, user)
    if problems:
        raise ImportRejected(problems)
    return preview


def _numbered_rows(ws, max_row: int | None = None):
    """(row number, values) of a sheet's rows that hold something, never building the empty
    ones; openpyxl's rows (the fallback) bounded to the settings' rows and columns."""
    if hasattr(ws, "numbered_rows"):
        for number, row in ws.numbered_rows():
            if max_row is not None and number > max_row:
                return
            yield number, row
        return
    last = settings.IMPORT_MAX_ROWS if max_row is None else max_row
    rows = ws.iter_rows(max_row=last, max_col=settings.IMPORT_MAX_COLUMNS, values_only=True)
    try:
        for number, row in enumerate(rows, 1):
            if any(v is not None for v in row):
                yield number, row
    except (
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        OverflowError,
        AttributeError,
        SyntaxError,  # the XML parser's ParseError
    ) as exc:
        raise ImportRejected.because(
            _("シートを読み込めません（%(kind)s）。Excel で開いて保存し直してください。")
            % {"kind": type(exc).__name__},
            ws.title,
        ) from None


def _summary_cells(ws) -> dict[str, list]:
    """The summary sheet's key cells: column A's label → [row, column B's value]."""
    meta: dict[str, list] = {}
    for index, row in _numbered_rows(ws, SUMMARY_ROWS):
        if not row or row[0] is None:
            continue
        key = normalize(str(row[0]))
        if key not in meta:
            meta[key] = [index, _plain(row[1] if len(row) > 1 else None)]
    return meta


def _read_summary(meta: dict[str, list]) -> tuple[Round, date | None]:
    """The open round the sheet belongs to (by its plan and 時点) and the 記入日 if filled."""
    sheet = SUMMARY_SHEET

    def value(key):
        row, kept = meta.get(key, (None, None))
        return row, _restored(kept)

    row, form = value(META_FORMAT)
    if normalize(str(form or "")) != normalize(FORMAT_ID):
        raise ImportRejected.because(
            _("照会票の様式ではありません（「様式」欄が %(id)s ではありません）。")
            % {"id": FORMAT_ID},
            sheet,
            row,
            "B",
        )
    plan_row, plan_slug = value(META_PLAN)
    slug = cells.text(plan_slug)
    plan = Plan.objects.filter(slug=slug).first() if slug else None
    if plan is None:
        raise ImportRejected.because(
            _("計画ID「%(id)s」の計画はありません。") % {"id": slug}, sheet, plan_row, "B"
        )
    as_of_row, as_of = value(META_AS_OF)
    try:
        as_of_date = cells.day(as_of)
    except CalendarError as exc:
        raise ImportRejected.because(str(exc), sheet, as_of_row, "B") from None
    # A round is known by its plan and 時点 (unique together), so a sheet of another round or
    # another plan names a round that is not this one, whatever database ids it carries.
    round_ = Round.objects.select_related("plan").filter(plan=plan, as_of=as_of_date).first()
    if round_ is None:
        raise ImportRejected.because(
            _(
                "計画「%(plan)s」に時点 %(day)s の照会はありません。"
                "別の照会・別の計画の照会票ではありませんか。"
            )
            % {"plan": plan.title, "day": format_date_ja(as_of_date)},
            sheet,
            as_of_row,
            "B",
        )
    if round_.state != RoundState.OPEN:
        raise ImportRejected.because(
            _("この照会（%(round)s）は締め切られているため、取り込めません。")
            % {"round": round_.as_of_label_ja}
        )
    filled_row, filled = value(META_FILLED_ON)
    filled_on = None
    if filled not in (None, ""):
        try:
            filled_on = cells.day(filled)
        except CalendarError as exc:
            raise ImportRejected.because(str(exc), sheet, filled_row, "B") from None
    return round_, filled_on


def _read_sheet(ws, rows: list, problems: list[Problem], notes: dict | None = None) -> None:
    """Appends a pillar sheet's non-blank rows (sheet, row number, values by column key, column
    positions) to ``rows``; its header row is found by name within the first rows. ``notes``
    gets the columns not read, the formula cells in them and the hidden rows read."""
    notes = notes if notes is not None else {}
    columns: dict[str, int] = {}
    header_row = None
    has_content = False
    formulas = getattr(ws, "formulas", frozenset())
    hidden = getattr(ws, "hidden_rows", frozenset())
    formula_columns: dict[int, list[int]] = {}
    for number, column in sorted(formulas):
        formula_columns.setdefault(number, []).append(column)
    for index, row in _numbered_rows(ws):
        if header_row is None:
            if index > HEADER_SCAN_ROWS:
                break
            found = {}
            for position, value in enumerate(row):
                key = cells.header_key(value)
                if key and key not in found:
                    found[key] = position
            if "entry_id" in found:
                header_row, columns = index, found
                read = set(found.values())
                notes.setdefault("ignored_columns", []).extend(
                    [ws.title, cells.column_letter(position), cells.text(value)]
                    for position, value in enumerate(row)
                    if position not in read and cells.text(value) != ""
                )
                missing = [k for k in REQUIRED_HEADERS if k not in columns]
                if missing:
                    problems.append(
                        Problem(
                            _("見出し「%(name)s」の列がありません。")
                            % {"name": IMPORT_HEADERS[missing[0]]},
                            ws.title,
                            index,
                        )
                    )
                    return
            else:
                has_content = has_content or any(v not in (None, "") for v in row)
            continue
        values = {key: (row[pos] if pos < len(row) else None) for key, pos in columns.items()}
        read = {p + 1 for p in columns.values()}
        notes.setdefault("formula_cells", []).extend(
            [ws.title, index, cells.column_letter(column - 1)]
            for column in formula_columns.get(index, ())
            if column not in read
        )
        if all(cells.text(v) == "" for v in values.values()):
            continue  # blank row
        if index in hidden:
            notes.setdefault("hidden_rows", []).append([ws.title, index])
        formula = next((p for p in columns.values() if (index, p + 1) in formulas), None)
        if formula is not None:
            problems.append(
                Problem(
                    _(
                        "数式のセルは取り込めません。数式ではなく値を入力するか、"
                        "「値として貼り付け」てください。"
                    ),
                    ws.title,
                    index,
                    cells.column_letter(formula),
                )
            )
            continue
        rows.append([ws.title, index, {k: _plain(v) for k, v in values.items()}, columns])
    if header_row is None and has_content:
        problems.append(Problem(_("見出し行（回答ID・版・評価結果…）が見つかりません。"), ws.title))
