"""A 照会票 cell's value as the import reads it, whatever real municipal sheets hold: 全角 digits
and spaces, trailing spaces, 和暦 dates (令和6年3月31日, R6.3.31, 令和元年…), numbers typed as
text, and the export's formula guard."""

from __future__ import annotations

import re
from datetime import date, datetime

from evaluations.workbooks.format import IMPORT_HEADERS, unguard
from reformtracker.calendar_ja import format_date_ja, normalize, parse_date


def text(value) -> str:
    """A cell as text: trailing (also 全角) spaces trimmed, CRLF as LF, export's guard undone."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return format_date_ja(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unguard(str(value).replace("\r\n", "\n").strip())


def integer(value) -> int | None:
    """A whole number, or None when the cell holds anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    digits = normalize(str(value or "")).replace(",", "")
    return int(digits) if re.fullmatch(r"\d{1,12}", digits) else None


def day(value) -> date:
    """A date cell, or a date typed as text (CalendarError if it is neither)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return parse_date(str(value))


def header_key(value) -> str | None:
    """Which imported column a header cell names (spaces and 全角 ignored), if any."""
    heading = normalize(str(value or "")).replace(" ", "")
    for key, label in IMPORT_HEADERS.items():
        if heading == normalize(label).replace(" ", ""):
            return key
    return None


def column_letter(position: int) -> str:
    """The spreadsheet letter of a 0-based column position (A, B, … AA)."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(position + 1)
