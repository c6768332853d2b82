"""Reading a filled 照会票 into an ``ImportPreview``: the file's checks, its summary sheet (which
plan, round and 時点 it belongs to) and every pillar sheet's rows, compared with the live
entries. Writes nothing; ``evaluations.workbooks.apply`` saves what it found.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from evaluations import access
from evaluations.choices import RoundState
from evaluations.models import Round
from evaluations.workbooks import cells
from evaluations.workbooks.compare import ImportPreview, compare
from evaluations.workbooks.format import (
    FORMAT_ID,
    IMPORT_HEADERS,
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


def read_workbook(data: bytes, *, user=None, filename: str = "") -> ImportPreview:
    """Validates a filled 照会票 and returns what importing it would change. Writes nothing.

    ``user`` None means the terminal (manage.py import_workbook): every department's rows, with
    the workflow still deciding which entries may change.
    """
    book = open_book(check_container(data), data)
    try:
        return _read(book, user=user, filename=filename)
    finally:
        book.close()


def _read(book, *, user, filename: str) -> ImportPreview:
    if SUMMARY_SHEET not in book.sheetnames:
        raise ImportRejected.because(
            _(
                "照会票の「%(sheet)s」シートがありません。このシステムから出力した照会票を使ってください。"
            )
            % {"sheet": SUMMARY_SHEET}
        )
    round_, filled_on = _read_summary(book[SUMMARY_SHEET])
    if user is not None and not access.rounds_for(user).filter(pk=round_.pk).exists():
        raise ImportRejected.because(_("この照会の照会票を取り込む権限がありません。"))

    problems: list[Problem] = []
    rows: list[tuple[str, int, dict, dict]] = []
    for ws in book.worksheets:
        if ws.title != SUMMARY_SHEET:
            _read_sheet(ws, rows, problems)
    if not rows and not problems:
        problems.append(Problem(_("取り込む行がありません。")))
    if problems:
        raise ImportRejected(problems)

    preview = ImportPreview(round=round_, filled_on=filled_on, filename=filename)
    compare(preview, rows, problems, user)
    if problems:
        raise ImportRejected(problems)
    return preview


def _read_summary(ws) -> tuple[Round, date | None]:
    """The open round the sheet belongs to (by its plan and 時点) and the 記入日 if filled."""
    sheet = SUMMARY_SHEET
    meta: dict[str, tuple[int, object]] = {}
    for index, row in enumerate(
        ws.iter_rows(min_row=1, max_row=40, max_col=2, values_only=True), 1
    ):
        if not row or row[0] is None:
            continue
        key = normalize(str(row[0]))
        if key not in meta:
            meta[key] = (index, row[1] if len(row) > 1 else None)

    def value(key):
        return meta.get(key, (None, None))

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


def _read_sheet(ws, rows: list, problems: list[Problem]) -> None:
    """Appends a pillar sheet's non-blank rows (sheet, row number, values by column key, column
    positions) to ``rows``; its header row is found by name within the first rows."""
    columns: dict[str, int] = {}
    header_row = None
    has_content = False
    for index, row in enumerate(ws.iter_rows(values_only=True), 1):
        if header_row is None:
            found = {}
            for position, value in enumerate(row):
                key = cells.header_key(value)
                if key and key not in found:
                    found[key] = position
            if "entry_id" in found:
                header_row, columns = index, found
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
                if index >= HEADER_SCAN_ROWS:
                    break
            continue
        values = {key: (row[pos] if pos < len(row) else None) for key, pos in columns.items()}
        if all(cells.text(v) == "" for v in values.values()):
            continue  # blank row
        rows.append((ws.title, index, values, columns))
    if header_row is None and has_content:
        problems.append(Problem(_("見出し行（回答ID・版・評価結果…）が見つかりません。"), ws.title))
