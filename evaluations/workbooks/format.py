"""The 照会票's layout, shared by the export that writes it and the import that reads it back:
the format id, the sheet and key-cell names of the summary sheet, the columns of a pillar's
sheet, and the guard that keeps a cell from being run as a formula.

The import finds its columns by these headers, so renaming one here renames it both ways.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from evaluations.choices import Result

FORMAT_ID = "reformtracker-照会票-1"
SUMMARY_SHEET = "概要"
RESULT_LABELS = [str(r.label) for r in Result]

# Labels of the summary sheet's key cells (column A), read back by the import.
META_FORMAT = "様式"
META_PLAN = "計画ID"
META_PLAN_TITLE = "計画"
META_ROUND = "照会ID"
META_AS_OF = "時点"
META_FISCAL_YEAR = "年度"
META_DEPARTMENT = "所管コード"
META_FILLED_ON = "記入日"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    editable: bool = False


COLUMNS = (
    Column("entry_id", "回答ID", 9),
    Column("version", "版", 6),
    Column("code", "取組番号", 10),
    Column("title", "取組項目", 40),
    Column("department", "所管", 16),
    Column("target", "目標", 40),
    Column("result", "評価結果", 13, editable=True),
    Column("reason", "評価対象外の理由・備考", 40, editable=True),
    Column("narrative", "進捗状況", 60, editable=True),
    # A reading aid like 所管 (the import ignores it): 公表資料 / 当サイトの整理 / 例示
    # (evaluations.provenance).
    Column("provenance", "出典の種別", 14),
)
RESULT_COLUMN_LETTER = "G"

# The columns the import reads (found by header, in any order, among extra columns), and those
# a sheet must have. 所管 and 目標 are the export's reading aids: the import ignores them.
IMPORT_HEADERS = {
    c.key: c.header
    for c in COLUMNS
    if c.key in ("entry_id", "version", "code", "title", "result", "reason", "narrative")
}
REQUIRED_HEADERS = ("entry_id", "version", "code", "result", "reason", "narrative")
# The columns a person fills in, by header: what an import may change.
EDITABLE_HEADERS = {c.key: c.header for c in COLUMNS if c.editable}

_FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_text(value) -> str:
    """Text that no spreadsheet will run as a formula (after pretix's safe_openpyxl)."""
    text = _ILLEGAL.sub("", str(value))
    if text.startswith(_FORMULA_LEAD):
        return "'" + text
    return text


def unguard(text: str) -> str:
    """Undoes ``safe_text``'s apostrophe, and nothing else."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        return text[1:]
    return text


def sheet_title(order: int, name: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", "・", f"{order} {name}")
    return cleaned[:31]


# The indicator sheet: one row per indicator of the round's initiatives. Its definition is a
# reading aid (locked); only the actual for the round is open. 「出力時の実績」 is the row's
# version: the import refuses a row whose live actual is no longer the one exported.
INDICATOR_SHEET = "指標"
INDICATOR_COLUMNS = (
    Column("indicator_id", "指標ID", 9),
    Column("version", "出力時の実績", 14),
    Column("code", "取組番号", 10),
    Column("title", "取組項目", 36),
    Column("name", "指標名", 30),
    Column("unit", "単位", 8),
    Column("direction", "方向", 8),
    Column("baseline", "基準値", 12),
    Column("baseline_year", "基準年度", 12),
    Column("target", "目標値", 12),
    Column("target_year", "目標年度", 12),
    Column("actual", "実績", 14, editable=True),
)
INDICATOR_ACTUAL_LETTER = "L"
INDICATOR_IMPORT_HEADERS = {
    c.key: c.header
    for c in INDICATOR_COLUMNS
    if c.key in ("indicator_id", "version", "code", "actual")
}
