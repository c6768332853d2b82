"""Writing the 照会票: a round's live entries as an Excel workbook, one per department, to fill
and import (its layout: evaluations.workbooks.format).

A summary sheet (概要) names the plan, the round and its 時点 — the import refuses a sheet from
another round or plan by these — and shows the figures through ``evaluations.rates``. Each pillar
gets a sheet whose ID columns (回答ID, 版 and the initiative's fixed text) are locked; only the
result, the reason and the narrative are open, and the result column carries a list validation.

Every text cell goes through ``safe_text``: a value Excel or a CSV import would read as a
formula (leading = + - @ tab or CR) gets a neutralising apostrophe, and control characters the
XML cannot hold are dropped. The import strips exactly that apostrophe again, so an untouched
cell round-trips unchanged.

Books are written with openpyxl's write-only mode, so memory stays flat for 10,000 rows. Its XML
is serialised by et_xmlfile (pure Python), about half of the 1.4 s of CPU a 10,000-row export
takes. lxml would bring that to about 1.15 s, but deliberately is not a dependency: once lxml is
importable, openpyxl parses workbook parts with lxml instead of defusedxml, and the import's
openpyxl fallback would no longer refuse entity declarations by itself
(tests/reports/test_workbook_import.py::test_openpyxl_itself_refuses_entities).
"""

from __future__ import annotations

import io
from copy import copy

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from evaluations import provenance
from evaluations.choices import Result
from evaluations.indicators import number, plain
from evaluations.models import Entry, IndicatorValue, Round
from evaluations.rates import summarize, summarize_by
from evaluations.workbooks.format import (
    COLUMNS,
    FORMAT_ID,
    INDICATOR_ACTUAL_LETTER,
    INDICATOR_COLUMNS,
    INDICATOR_SHEET,
    META_AS_OF,
    META_DEPARTMENT,
    META_FILLED_ON,
    META_FISCAL_YEAR,
    META_FORMAT,
    META_PLAN,
    META_PLAN_TITLE,
    META_ROUND,
    RESULT_COLUMN_LETTER,
    RESULT_LABELS,
    SUMMARY_SHEET,
    safe_text,
    sheet_title,
)
from initiatives.models import Department, Indicator
from reformtracker.calendar_ja import format_date_ja, format_datetime_ja, fy_label_ja

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="E8F1FE")
_WRAP = Alignment(wrap_text=True, vertical="top")
_OPEN = Protection(locked=False)


def _entries(round_: Round, department: Department | None):
    qs = Entry.objects.filter(round=round_)
    if department is not None:
        qs = qs.filter(initiative__department=department)
    return qs


def export_round(round_: Round, department: Department | None = None) -> bytes:
    """The 照会票 of ``round_`` (only ``department``'s rows when given), as xlsx bytes."""
    plan = round_.plan
    entries = _entries(round_, department)
    summary = summarize(entries)
    by_pillar = summarize_by(entries, "initiative__pillar_id")
    rows = (
        entries.order_by("initiative__pillar__order", "initiative__order", "initiative__code")
        .values_list(
            "pk",
            "version",
            "initiative__code",
            "initiative__title",
            "initiative__department__name",
            "initiative__target",
            "result",
            "reason",
            "narrative",
            "initiative__pillar_id",
            "initiative__pillar__order",
            "initiative__pillar__name",
            "initiative__provenance",
        )
        .iterator(chunk_size=2000)
    )
    labels = {r.value: str(r.label) for r in Result}

    pillars = plan.pillars.filter(pk__in=list(by_pillar)).order_by("order")
    pillar_summaries = [(p.order, p.name, by_pillar[p.pk]) for p in pillars]

    wb = Workbook(write_only=True)
    summary_sheet = _write_summary(wb, round_, department, summary)
    _append_pillar_table(summary_sheet, pillar_summaries)
    sheet = None
    current = None
    count = 0
    for row in rows:
        (pk, version, code, title, dept, target, result, reason, narrative) = row[:9]
        pillar_id, order, name, origin = row[9:]
        if pillar_id != current:
            if sheet is not None:
                _finish_sheet(sheet, count)
            current, count = pillar_id, 0
            sheet = _start_sheet(wb, sheet_title(order, name))
        count += 1
        sheet.append(
            [
                pk,
                version,
                safe_text(code),
                safe_text(title),
                safe_text(dept),
                safe_text(target),
                _open_cell(sheet, labels.get(result, "")),
                _open_cell(sheet, reason),
                _open_cell(sheet, narrative),
                safe_text(provenance.label(origin)),
            ]
        )
    if sheet is not None:
        _finish_sheet(sheet, count)
    _write_indicators(wb, round_, department)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _write_summary(wb: Workbook, round_: Round, department, summary):
    ws = wb.create_sheet(SUMMARY_SHEET)
    ws.column_dimensions["A"].width = 44
    ws.column_dimensions["B"].width = 60
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    plan = round_.plan

    def title(text):
        cell = WriteOnlyCell(ws, value=safe_text(text))
        cell.font = Font(bold=True, size=14)
        return cell

    def label(text):
        cell = WriteOnlyCell(ws, value=safe_text(text))
        cell.font = _HEADER_FONT
        return cell

    ws.append([title(f"{plan.title} 照会票（{round_.as_of_label_ja}）")])
    ws.append([])
    meta = [
        (META_FORMAT, FORMAT_ID),
        (META_PLAN, plan.slug),
        (META_PLAN_TITLE, plan.title),
        (META_ROUND, round_.pk),
        (META_FISCAL_YEAR, fy_label_ja(round_.fiscal_year)),
        (META_AS_OF, format_date_ja(round_.as_of)),
        (META_DEPARTMENT, department.code if department else "（全所属）"),
        ("所管", department.name if department else "（全所属）"),
        ("提出期限", format_date_ja(round_.due_on) if round_.due_on else "—"),
        ("出力日時", format_datetime_ja(timezone.localtime())),
    ]
    for key, value in meta:
        ws.append([label(key), value if isinstance(value, int) else safe_text(value)])
    filled = WriteOnlyCell(ws, value="")
    filled.protection = _OPEN
    ws.append([label(META_FILLED_ON), filled])
    ws.append([])
    ws.append([title("評価結果（出力時点の回答による）")])
    rows = [
        ("1 進捗状況を確認した取組項目数", f"{summary.checked}項目"),
        ("2 評価対象とした取組項目数", f"{summary.evaluated}項目"),
        ("3 評価結果が「達成」であった取組項目数", f"{summary.achieved}項目"),
        ("4 評価結果が「未達成」であった取組項目数", f"{summary.not_achieved}項目"),
        (f"5 達成率({summary.fraction_label})", summary.rate_display_long_ja()),
    ]
    for key, value in rows:
        ws.append([safe_text(key), safe_text(value)])
    _append_provenance(ws, plan, label)
    ws.append([])
    ws.append(
        [
            safe_text(
                "記入方法：各シートの「評価結果」「評価対象外の理由・備考」「進捗状況」の列だけを"
                "記入してください。回答ID・版などの列は変更しないでください。"
            )
        ]
    )
    return ws


def _append_provenance(ws, plan, label) -> None:
    """What of the plan no source published as shown (the 出典の種別 column names it per row)."""
    ws.append([])
    ws.append(
        [
            label("データの出典"),
            safe_text(provenance.source_of(plan).line() if provenance.source_of(plan) else "—"),
        ]
    )
    for notice in provenance.plan_notices(plan):
        ws.append([label(f"［{notice.label}］"), safe_text(notice.note)])
    for value in ("illustrative", "ours"):
        ws.append(
            [label(f"［{provenance.label(value)}］"), safe_text(provenance.explanation(value))]
        )


def _append_pillar_table(ws, pillar_summaries) -> None:
    ws.append([])
    ws.append([safe_text("柱ごとの状況"), "達成", "未達成", "評価対象外", "達成率"])
    for order, name, summary in pillar_summaries:
        ws.append(
            [
                safe_text(f"{order} {name}"),
                summary.achieved,
                summary.not_achieved,
                summary.excluded,
                safe_text(summary.rate_display()),
            ]
        )


def _start_sheet(wb: Workbook, title: str):
    ws = wb.create_sheet(title)
    ws.freeze_panes = "A2"
    for index, column in enumerate(COLUMNS):
        ws.column_dimensions[chr(ord("A") + index)].width = column.width
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.autoFilter = False
    ws.protection.sort = False
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(ws, value=column.header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        header.append(cell)
    ws.append(header)
    return ws


def _finish_sheet(ws, count: int) -> None:
    validation = DataValidation(
        type="list",
        formula1='"' + ",".join(RESULT_LABELS) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="評価結果",
        error="達成・未達成・評価対象外のいずれかを選んでください。",
        promptTitle="評価結果",
        prompt="一覧から選んでください。",
    )
    validation.add(f"{RESULT_COLUMN_LETTER}2:{RESULT_COLUMN_LETTER}{max(count, 1) + 1}")
    ws.data_validations.append(validation)


def _open_cell(ws, value):
    cell = WriteOnlyCell(ws, value=safe_text(value) if value else None)
    cell._style = _open_style(ws)
    return cell


def _open_style(ws):
    """The open, wrapped cells' style, registered with the workbook once: setting
    ``protection``/``alignment`` per cell hashes both objects again for each of 30,000 cells."""
    book = ws.parent
    style = getattr(book, "_reformtracker_open_style", None)
    if style is None:
        template = WriteOnlyCell(ws)
        template.protection = _OPEN
        template.alignment = _WRAP
        style = book._reformtracker_open_style = template._style
    return copy(style)


def _write_indicators(wb: Workbook, round_: Round, department) -> None:
    """The 「指標」 sheet: each indicator of the round's (the department's) initiatives, its
    definition locked, its actual for the round open; 「出力時の実績」 is the row's version.
    No sheet when there are no indicators (two queries)."""
    indicators = Indicator.objects.filter(initiative__entries__round=round_)
    if department is not None:
        indicators = indicators.filter(initiative__department=department)
    rows = indicators.order_by(
        "initiative__pillar__order", "initiative__order", "initiative__code", "order", "pk"
    ).values_list(
        "pk",
        "initiative__code",
        "initiative__title",
        "name",
        "unit",
        "direction",
        "baseline_value",
        "baseline_year",
        "target_value",
        "target_year",
    )
    rows = list(rows)
    if not rows:
        return
    actuals = dict(
        IndicatorValue.objects.filter(
            round=round_, indicator_id__in=[r[0] for r in rows]
        ).values_list("indicator_id", "value")
    )
    directions = {d.value: str(d.label) for d in Indicator.Direction}
    ws = wb.create_sheet(INDICATOR_SHEET)
    ws.freeze_panes = "A2"
    for index, column in enumerate(INDICATOR_COLUMNS):
        ws.column_dimensions[chr(ord("A") + index)].width = column.width
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    header = []
    for column in INDICATOR_COLUMNS:
        text = column.header
        if column.key == "actual":
            text = f"{column.header}（{round_.as_of_label_ja}）"
        cell = WriteOnlyCell(ws, value=text)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        header.append(cell)
    ws.append(header)
    for pk, code, title, name, unit, direction, base, base_year, target, target_year in rows:
        actual = actuals.get(pk)
        cell = WriteOnlyCell(ws, value=_number_cell(actual))
        cell._style = _open_style(ws)
        ws.append(
            [
                pk,
                "" if actual is None else plain(actual),
                safe_text(code),
                safe_text(title),
                safe_text(name),
                safe_text(unit),
                directions.get(direction, direction),
                number(base),
                fy_label_ja(base_year),
                number(target),
                fy_label_ja(target_year),
                cell,
            ]
        )
    validation = DataValidation(
        type="decimal",
        operator="between",
        formula1="-99999999999999",
        formula2="99999999999999",
        allow_blank=True,
        showErrorMessage=False,
        promptTitle="実績",
        prompt="単位を付けずに数値で入力してください（例：1,288 / 151.5）。",
    )
    validation.add(f"{INDICATOR_ACTUAL_LETTER}2:{INDICATOR_ACTUAL_LETTER}{len(rows) + 1}")
    ws.data_validations.append(validation)


def _number_cell(value):
    """An actual as a number cell when Excel's double holds it exactly, else as its text (the
    import reads both)."""
    if value is None:
        return None
    if value == value.to_integral_value() and abs(value) < 10**15:
        return int(value)
    as_float = float(value)
    return as_float if repr(as_float) == plain(value) else plain(value)


def filename(round_: Round, department: Department | None = None) -> str:
    suffix = f"-{department.code}" if department else ""
    return f"{round_.plan.slug}-{round_.fiscal_year}-{round_.kind}{suffix}.xlsx"
