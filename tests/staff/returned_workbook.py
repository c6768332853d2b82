"""A department's 照会票 as a person returns it (a plain module, for the import tests in the
browser and without it): a result typed in, 記入日 filled, a column 「メモ」 of their own with a
formula in it, and the answered row hidden."""

from __future__ import annotations

import io


def filled_workbook(round_, department, *, result="達成", narrative="4月に委託を開始した。"):
    """The department's 照会票 for ``round_`` as returned: the first row answered (and the first
    indicator's actual, when it has one), a column 「メモ」 added with a formula in it, and that
    row hidden. Returns the bytes."""
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
    if "指標" in book.sheetnames:  # an actual too, so the preview lists an indicator's change
        book["指標"]["L2"] = 3
    summary = book["概要"]
    for r in range(1, 41):
        if summary.cell(r, 1).value == "記入日":
            summary.cell(r, 2).value = "令和7年5月20日"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
