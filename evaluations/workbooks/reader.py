"""Reading an xlsx's sheets and cell values, for the 照会票 import: a small, fast reader of our
own, and openpyxl for whatever it does not know (``open_book`` picks).

openpyxl builds an object per cell and per string run; for a 10,000-row 照会票 that parsing was
most of the import's time. This reads what the import needs — sheet names and cell values, as
``openpyxl.load_workbook(read_only=True, data_only=True)`` would give them with
``iter_rows(values_only=True)`` — straight from the package XML with ElementTree's C parser.

It is only ever handed a zip that ``safety.check_container`` has already vetted (sizes, ratios,
no DOCTYPE or ENTITY in any part), and it refuses again, by itself, any part with a markup
declaration before the parser sees it, so no DTD ever reaches expat. Anything it does not
understand (strict OOXML, a missing part, a malformed cell) raises ``Unsupported`` and the caller
falls back to openpyxl, which gives the usual messages.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from datetime import date, datetime
from xml.etree.ElementTree import ParseError, XMLParser

from django.utils.translation import gettext as _
from openpyxl.styles.numbers import (
    BUILTIN_FORMATS,
    is_date_format,
    is_timedelta_format,
)
from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH, from_excel, from_ISO8601

from evaluations.workbooks.problems import ImportRejected

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_ROW = MAIN + "row"
_C = MAIN + "c"
_V = MAIN + "v"
_IS = MAIN + "is"
_T = MAIN + "t"
_R = MAIN + "r"
_SI = MAIN + "si"
_SHEET_DATA = MAIN + "sheetData"

# <!DOCTYPE, <!ENTITY, <!ELEMENT…: any markup declaration. Comments and CDATA are harmless.
_DECLARATION = re.compile(rb"<!(?!--|\[CDATA\[)")


class Unsupported(Exception):
    """Not a layout this reader handles; use openpyxl instead."""


class Sheet:
    """One worksheet's rows, read eagerly (the import keeps every row anyway)."""

    def __init__(self, title: str, rows: list[tuple]):
        self.title = title
        self._rows = rows

    def iter_rows(self, min_row: int = 1, max_row: int | None = None, max_col=None, **_):
        """Rows as tuples of values, numbered from 1 with missing rows as empty tuples, like
        openpyxl's ``values_only`` rows (which also pad to the sheet's width; callers here
        index defensively, so the padding is left out)."""
        rows = self._rows[min_row - 1 : max_row]
        if max_col is None:
            return iter(rows)
        return (row[:max_col] for row in rows)


class Book:
    """The sheets of a workbook, in workbook order, as the import reads them."""

    def __init__(self, sheets: list[Sheet]):
        self.worksheets = sheets
        self.sheetnames = [s.title for s in sheets]
        self._by_name = {s.title: s for s in sheets}

    def __getitem__(self, name: str) -> Sheet:
        return self._by_name[name]

    def close(self) -> None:
        pass


def open_book(archive: zipfile.ZipFile, data: bytes):
    """The workbook's sheets: our own 照会票 (and anything plain) straight from the sheet XML;
    openpyxl takes over for whatever ``read`` does not know, with its own messages."""
    try:
        return read(archive)
    except Unsupported:
        return _open_with_openpyxl(data)


def _open_with_openpyxl(data: bytes):
    import openpyxl
    from defusedxml import DefusedXmlException

    entities = _("XML に実体宣言が含まれているため、安全のため読み込みません。")
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except DefusedXmlException:
        raise ImportRejected.because(entities) from None
    except (KeyError, ValueError, TypeError, OSError, zipfile.BadZipFile, SyntaxError) as exc:
        cause = exc
        while cause is not None:  # openpyxl wraps the parser's error in a ValueError
            if isinstance(cause, DefusedXmlException):
                raise ImportRejected.because(entities) from None
            cause = cause.__cause__ or cause.__context__
        raise ImportRejected.because(
            _("Excel ブックとして読み込めません（%(kind)s）。保存し直してください。")
            % {"kind": type(exc).__name__}
        ) from None


def read(archive: zipfile.ZipFile) -> Book:
    """Every sheet's values; raises ``Unsupported`` for anything unusual."""
    try:
        return _read(archive)
    except Unsupported:
        raise
    except (
        KeyError,
        ValueError,
        IndexError,
        TypeError,
        ParseError,
        OverflowError,
        RuntimeError,  # an encrypted member
        OSError,
        EOFError,
        zlib.error,
        zipfile.BadZipFile,
    ) as exc:
        raise Unsupported(f"{type(exc).__name__}: {exc}") from exc


def _part(archive: zipfile.ZipFile, name: str) -> bytes:
    data = archive.read(name)
    if _DECLARATION.search(data):
        raise Unsupported(f"markup declaration in {name}")
    return data


def _tree(archive: zipfile.ZipFile, name: str):
    parser = XMLParser()
    parser.feed(_part(archive, name))
    return parser.close()


def _read(archive: zipfile.ZipFile) -> Book:
    names = set(archive.namelist())
    workbook = _tree(archive, "xl/workbook.xml")
    if workbook.tag != MAIN + "workbook":
        raise Unsupported(workbook.tag)  # strict OOXML or something else
    properties = workbook.find(MAIN + "workbookPr")
    epoch = WINDOWS_EPOCH
    if properties is not None and properties.get("date1904") in ("1", "true"):
        epoch = CALENDAR_MAC_1904

    targets = {}
    rels_name = "xl/_rels/workbook.xml.rels"
    shared_name = None
    styles_name = None
    if rels_name in names:
        for rel in _tree(archive, rels_name).iter(PKG_REL + "Relationship"):
            target = rel.get("Target", "")
            path = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join("xl", target))
            )
            kind = rel.get("Type", "")
            targets[rel.get("Id")] = (path, kind)
            if kind.endswith("/sharedStrings"):
                shared_name = path
            elif kind.endswith("/styles"):
                styles_name = path
    shared = _shared_strings(archive, shared_name) if shared_name in names else []
    dates, durations = _date_styles(archive, styles_name) if styles_name in names else ((), ())

    sheets = []
    element = workbook.find(MAIN + "sheets")
    for sheet in element if element is not None else ():
        path, kind = targets[sheet.get(REL + "id")]
        if not kind.endswith("/worksheet"):
            raise Unsupported(f"sheet of type {kind}")  # a chartsheet, say: openpyxl skips it
        rows = _rows(_part(archive, path), shared, dates, durations, epoch)
        sheets.append(Sheet(sheet.get("name"), rows))
    return Book(sheets)


def _text(element) -> str:
    """A string item's text: its <t>, or its runs' <t>s; phonetic guides (<rPh>) left out."""
    direct = element.find(_T)
    if direct is not None:
        return direct.text or ""
    return "".join(run.findtext(_T) or "" for run in element.iterfind(_R))


def _shared_strings(archive: zipfile.ZipFile, name: str) -> list[str]:
    return [_text(item) for item in _tree(archive, name).iterfind(_SI)]


def _date_styles(archive: zipfile.ZipFile, name: str) -> tuple[set, set]:
    """Indices of the cell formats that show dates (and durations), as openpyxl decides."""
    styles = _tree(archive, name)
    custom = {
        int(fmt.get("numFmtId")): fmt.get("formatCode", "")
        for fmt in styles.iterfind(f"{MAIN}numFmts/{MAIN}numFmt")
    }
    dates, durations = set(), set()
    for index, xf in enumerate(styles.iterfind(f"{MAIN}cellXfs/{MAIN}xf")):
        number = int(xf.get("numFmtId", 0))
        fmt = custom.get(number, BUILTIN_FORMATS.get(number))
        if fmt is None:
            continue
        if is_date_format(fmt):
            dates.add(index)
        if is_timedelta_format(fmt):
            durations.add(index)
    return dates, durations


def _column(letters: str) -> int:
    if not letters or len(letters) > 3 or not letters.isascii() or not letters.isupper():
        raise Unsupported(f"cell reference {letters}")
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


_COLUMNS = {chr(64 + n): n for n in range(1, 27)}


def _rows(data: bytes, shared: list[str], dates, durations, epoch) -> list[tuple]:
    # One C-built tree per sheet (a few MB for 10,000 rows) walks faster than iterparse's
    # Python-level event loop, and is dropped as soon as the sheet is read.
    parser = XMLParser()
    parser.feed(data)
    root = parser.close()
    rows: list[tuple] = []
    row_number = 0
    columns = _COLUMNS
    for element in root.iterfind(f"{_SHEET_DATA}/{_ROW}"):
        r = element.get("r")
        row_number = int(r) if r is not None else row_number + 1
        if row_number <= len(rows):
            raise Unsupported(f"rows out of order at {row_number}")
        while len(rows) < row_number - 1:
            rows.append(())
        values: list = []
        for cell in element.iterfind(_C):
            ref = cell.get("r")
            if ref is not None:
                letters = ref.rstrip("0123456789")
                column = columns.get(letters) or _column(letters)
            else:
                column = len(values) + 1
            if column <= len(values):
                raise Unsupported(f"cells out of order in row {row_number}")
            if column > len(values) + 1:
                values.extend([None] * (column - 1 - len(values)))
            values.append(_value(cell, shared, dates, durations, epoch))
        rows.append(tuple(values))
    return rows


def _value(cell, shared, dates, durations, epoch):
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        item = cell.find(_IS)
        return None if item is None else _text(item)
    value = cell.findtext(_V) or None
    if value is None:
        return None
    if kind == "n":
        number = float(value) if ("." in value or "E" in value or "e" in value) else int(value)
        style = int(cell.get("s") or 0)
        if style in dates:
            converted: date | datetime = from_excel(number, epoch, timedelta=style in durations)
            return converted
        return number
    if kind == "s":
        return shared[int(value)]
    if kind == "b":
        return bool(int(value))
    if kind in ("str", "e"):
        return value
    if kind == "d":
        return from_ISO8601(value)
    raise Unsupported(f"cell type {kind}")
