"""Reading an xlsx's sheets and cell values, for the 照会票 import: a small, fast reader of our
own, and openpyxl for whatever it does not know (``open_book`` picks).

openpyxl builds an object per cell and per string run; for a 10,000-row 照会票 that parsing was
most of the import's time. This reads what the import needs — sheet names and cell values, as
``openpyxl.load_workbook(read_only=True, data_only=True)`` would give them with
``iter_rows(values_only=True)`` — straight from the package XML with ElementTree's C parser.

It is only ever handed a zip that ``safety.check_container`` and ``bounds.check_sheets`` have
already vetted (sizes, ratios, rows, columns, cells, no DOCTYPE or ENTITY in any part), and it
refuses again, by itself, any part with a markup declaration before the parser sees it, so no DTD
ever reaches expat. A layout it does not know (strict OOXML, a chartsheet) raises ``Unsupported``
and the caller falls back to openpyxl; a malformed cell, a sheet the workbook points to outside
the package and a cell type nobody writes are refused here, naming the sheet and cell, since
openpyxl would crash on some and guess at others.

Rows are kept sparse (number, values): a row number far down the sheet costs nothing, and the
empty rows between are never built. Formula cells are noted, so the import can refuse them in
the columns it reads rather than take a cached result (or nothing) for what a person typed.
"""

from __future__ import annotations

import io
import math
import posixpath
import re
import zipfile
import zlib
from datetime import date, datetime
from xml.etree.ElementTree import ParseError, XMLParser, XMLPullParser

from django.utils.translation import gettext as _

from evaluations.workbooks.cells import column_letter
from evaluations.workbooks.problems import ImportRejected, Problem

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_ROW = MAIN + "row"
_C = MAIN + "c"
_V = MAIN + "v"
_F = MAIN + "f"
_IS = MAIN + "is"
_T = MAIN + "t"
_R = MAIN + "r"
_SI = MAIN + "si"
_SHEET_DATA = MAIN + "sheetData"

# <!DOCTYPE, <!ENTITY, <!ELEMENT…: any markup declaration. Comments and CDATA are harmless.
_DECLARATION = re.compile(rb"<!(?!--|\[CDATA\[)")
# Excel's escape of a character XML cannot hold (_x000D_ is a carriage return); _x005F_ is "_".
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_REFERENCE = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")


class Unsupported(Exception):
    """Not a layout this reader handles; use openpyxl instead."""


class Sheet:
    """One worksheet's non-empty rows, read eagerly (the import keeps every row anyway)."""

    def __init__(
        self, title: str, rows: list[tuple[int, tuple]], formulas=frozenset(), hidden=frozenset()
    ):
        self.title = title
        self._rows = rows  # (row number, values), rising, empty rows left out
        self.formulas = formulas  # (row number, column number) of each formula cell
        self.hidden_rows = hidden  # row numbers the sheet hides (the import reads them all)

    def numbered_rows(self):
        """(row number, values) of each row that has a cell, in order; no empty rows."""
        return iter(self._rows)

    def iter_rows(self, min_row: int = 1, max_row: int | None = None, max_col=None, **_):
        """Rows as tuples of values, numbered from 1 with missing rows as empty tuples, like
        openpyxl's ``values_only`` rows (which also pad to the sheet's width; callers here
        index defensively, so the padding is left out). The row numbers are bounded before
        reading (``bounds``), so the padding is too."""
        last = self._rows[-1][0] if self._rows else 0
        stop = last if max_row is None else min(max_row, last)
        by_number = dict(self._rows)
        for number in range(min_row, stop + 1):
            row = by_number.get(number, ())
            yield row if max_col is None else row[:max_col]


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
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        _mark_formulas(book, openpyxl.load_workbook(io.BytesIO(data), read_only=True))
        return book
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


def _mark_formulas(book, with_formulas) -> None:
    """Gives each sheet of ``book`` (read for its cached values) the ``formulas`` our own reader
    gives: (row number, column number) of every formula cell, read from a second, formula-keeping
    load. The preview refuses a formula in a column it reads whichever reader read the file;
    the bounds scan has already capped the sheets, and a file needs this path only when it holds
    something our reader does not know (a chart sheet, strict OOXML)."""
    from django.conf import settings

    for sheet in book.worksheets:
        rows = with_formulas[sheet.title].iter_rows(
            max_row=settings.IMPORT_MAX_ROWS, max_col=settings.IMPORT_MAX_COLUMNS
        )
        sheet.formulas = frozenset(
            (number, column)
            for number, row in enumerate(rows, start=1)
            for column, cell in enumerate(row, start=1)
            if getattr(cell, "data_type", None) == "f"
        )


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


def sheet_parts(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(name, part path) of each worksheet, in workbook order. A sheet whose relationship points
    outside the package's xl/ folder, or at no part, is refused by name (openpyxl drops such a
    sheet without a word); ``Unsupported`` for a layout this reader does not know."""
    workbook, targets = _workbook(archive)
    names = set(archive.namelist())
    parts = []
    element = workbook.find(MAIN + "sheets")
    for sheet in element if element is not None else ():
        title = sheet.get("name") or ""
        path, kind = targets.get(sheet.get(REL + "id"), ("", ""))
        if not kind.endswith("/worksheet"):
            raise Unsupported(f"sheet of type {kind}")  # a chartsheet, say: openpyxl skips it
        if not path.startswith("xl/") or path not in names:
            raise ImportRejected.because(
                _(
                    "シートの中身がブックの中にありません（参照先 %(target)s）。"
                    "Excel で開いて保存し直してください。"
                )
                % {"target": path or "?"},
                title,
            )
        parts.append((title, path))
    return parts


def shared_strings_part(archive: zipfile.ZipFile) -> str | None:
    """The path of the shared strings part the workbook names, if any."""
    _workbook_tree, targets = _workbook(archive)
    return next((p for p, kind in targets.values() if kind.endswith("/sharedStrings")), None)


def _workbook(archive: zipfile.ZipFile):
    """workbook.xml's tree and its relationships: id → (part path, relationship type)."""
    workbook = _tree(archive, "xl/workbook.xml")
    if workbook.tag != MAIN + "workbook":
        raise Unsupported(workbook.tag)  # strict OOXML or something else
    targets = {}
    rels_name = "xl/_rels/workbook.xml.rels"
    if rels_name in set(archive.namelist()):
        for rel in _tree(archive, rels_name).iter(PKG_REL + "Relationship"):
            target = rel.get("Target", "")
            if rel.get("TargetMode") == "External":
                path = ""
            elif target.startswith("/"):
                path = posixpath.normpath(target.lstrip("/"))
            else:
                path = posixpath.normpath(posixpath.join("xl", target))
            targets[rel.get("Id")] = (path, rel.get("Type", ""))
    return workbook, targets


def _read(archive: zipfile.ZipFile) -> Book:
    # openpyxl's package import loads all of it (~0.4 s), so it is imported by the functions
    # that read a workbook, never when the URLconf or a management command imports this module.
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH

    names = set(archive.namelist())
    workbook, targets = _workbook(archive)
    properties = workbook.find(MAIN + "workbookPr")
    epoch = WINDOWS_EPOCH
    if properties is not None and properties.get("date1904") in ("1", "true"):
        epoch = CALENDAR_MAC_1904

    shared_name = styles_name = None
    for path, kind in targets.values():
        if kind.endswith("/sharedStrings"):
            shared_name = path
        elif kind.endswith("/styles"):
            styles_name = path
    shared = _shared_strings(archive, shared_name) if shared_name in names else []
    dates, durations = _date_styles(archive, styles_name) if styles_name in names else ((), ())

    sheets = []
    for title, path in sheet_parts(archive):
        cells = _Cells(title, shared, dates, durations, epoch)
        rows = _rows(_part(archive, path), cells)
        sheets.append(Sheet(title, rows, frozenset(cells.formulas), frozenset(cells.hidden)))
    return Book(sheets)


def _text(element) -> str:
    """A string item's text: its <t>, or its runs' <t>s; phonetic guides (<rPh>) left out;
    Excel's _xHHHH_ escapes decoded as Excel reads them."""
    direct = element.find(_T)
    if direct is not None:
        text = direct.text or ""
    else:
        text = "".join(run.findtext(_T) or "" for run in element.iterfind(_R))
    return unescape(text) if "_x" in text else text


def unescape(text: str) -> str:
    """Excel's ``_xHHHH_`` escapes as the characters they stand for (``_x000D_`` a carriage
    return, ``_x005F_`` an underscore, so ``_x005F_x000D_`` stays as typed)."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _shared_strings(archive: zipfile.ZipFile, name: str) -> list[str]:
    """The shared strings, each item dropped once read (rich text is many elements a string)."""
    data = _part(archive, name)
    parser = XMLPullParser(events=("end",))
    strings: list[str] = []
    step = 1024 * 1024
    for start in range(0, len(data) + 1, step):
        if start < len(data):
            parser.feed(data[start : start + step])
        else:
            parser.close()
        for _event, element in parser.read_events():
            if element.tag == _SI:
                strings.append(_text(element))
                element.clear()
    return strings


def _date_styles(archive: zipfile.ZipFile, name: str) -> tuple[set, set]:
    """Indices of the cell formats that show dates (and durations), as openpyxl decides."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

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


def column_number(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


_COLUMNS = {chr(64 + n): n for n in range(1, 27)}


class _Bad(Exception):
    """A cell this reader will not guess at: refused with the message, at the cell."""


class _Cells:
    """Reads one sheet's cells: the book's shared strings and date styles, and where each
    problem is (the sheet's title) and each formula is."""

    def __init__(self, title, shared, dates, durations, epoch):
        self.title = title
        self.shared = shared
        self.dates = dates
        self.durations = durations
        self.epoch = epoch
        self.formulas: set[tuple[int, int]] = set()
        self.hidden: set[int] = set()

    def refuse(self, message: str, row: int | None, column: int | None = None):
        letter = column_letter(column - 1) if column else ""
        return ImportRejected([Problem(message, self.title, row, letter)])


def _rows(data: bytes, cells: _Cells) -> list[tuple[int, tuple]]:
    # A sheet of a few MB (a few thousand rows) is parsed whole by the C parser, the fastest
    # walk; a larger one incrementally, each row read when it ends and then emptied, so it
    # costs its values and not a tree of every cell (a third of a GB for 20,000 rows of nine).
    rows: list[tuple[int, tuple]] = []
    last = 0
    try:
        if len(data) <= _TREE_BYTES:
            parser = XMLParser()
            parser.feed(data)
            for element in parser.close().iterfind(f"{_SHEET_DATA}/{_ROW}"):
                last = _row(element, last, rows, cells)
            return rows
        pull = XMLPullParser(events=("end",))
        for start in range(0, len(data) + 1, _FEED_BYTES):
            if start < len(data):
                pull.feed(data[start : start + _FEED_BYTES])
            else:
                pull.close()
            for _event, element in pull.read_events():
                if element.tag == _ROW:
                    last = _row(element, last, rows, cells)
                    element.clear()
    except ParseError as exc:
        raise cells.refuse(
            _("シートの XML が壊れています（%(where)s）。Excel で開いて保存し直してください。")
            % {"where": str(exc)},
            None,
        ) from None
    return rows


_TREE_BYTES = 5 * 1024 * 1024 // 2  # 2.5 MiB: a tree of ~90 MB at most
_FEED_BYTES = 1024 * 1024


def _row(element, last: int, rows: list, cells: _Cells) -> int:
    """Appends one <row>'s values to ``rows`` (unless it has none); returns its number."""
    r = element.get("r")
    if r is None:
        row_number = last + 1
    elif r.isdigit() and r.isascii():
        row_number = int(r)
    else:
        raise cells.refuse(_("行番号「%(r)s」が正しくありません。") % {"r": r}, last + 1)
    if row_number <= last:
        raise cells.refuse(_("行の順序が正しくありません。"), row_number)
    values: list = []
    columns = _COLUMNS
    for cell in element.iterfind(_C):
        ref = cell.get("r")
        if ref is not None:
            letters = ref.rstrip("0123456789")
            column = columns.get(letters)
            if column is None or ref[len(letters) :] != str(row_number):
                match = _REFERENCE.fullmatch(ref)
                if match is None or int(match.group(2)) != row_number:
                    raise cells.refuse(
                        _("セル番地「%(ref)s」が正しくありません。") % {"ref": ref}, row_number
                    )
                column = column_number(match.group(1))
        else:
            column = len(values) + 1
        if column <= len(values):
            raise cells.refuse(_("セルの順序が正しくありません。"), row_number, column)
        if column > len(values) + 1:
            values.extend([None] * (column - 1 - len(values)))
        if cell.find(_F) is not None:
            cells.formulas.add((row_number, column))
        try:
            values.append(_value(cell, cells))
        except _Bad as exc:
            raise cells.refuse(str(exc), row_number, column) from None
    if values:
        rows.append((row_number, tuple(values)))
        if element.get("hidden") in ("1", "true"):
            cells.hidden.add(row_number)
    return row_number


def _value(cell, cells: _Cells):
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        item = cell.find(_IS)
        return None if item is None else _text(item)
    value = cell.findtext(_V) or None
    if value is None:
        return None
    if kind == "n":
        number = _number(value)
        style = _style(cell.get("s"))
        if style in cells.dates:
            from openpyxl.utils.datetime import from_excel

            try:
                converted: date | datetime = from_excel(
                    number, cells.epoch, timedelta=style in cells.durations
                )
            except (ValueError, OverflowError, TypeError):
                raise _Bad(
                    _("日付の書式のセルの値「%(value)s」を日付として読めません。")
                    % {"value": value}
                ) from None
            return converted
        return number
    if kind == "s":
        if not (value.isdigit() and value.isascii()) or int(value) >= len(cells.shared):
            raise _Bad(
                _("共有文字列の番号「%(value)s」がブックにありません。ファイルが壊れています。")
                % {"value": value}
            )
        return cells.shared[int(value)]
    if kind == "b":
        if value not in ("0", "1"):
            raise _Bad(_("真偽値のセルの値「%(value)s」を読めません。") % {"value": value})
        return value == "1"
    if kind in ("str", "e"):
        return unescape(value) if "_x" in value else value
    if kind == "d":
        from openpyxl.utils.datetime import from_ISO8601

        try:
            return from_ISO8601(value)
        except (ValueError, TypeError, OverflowError):
            raise _Bad(
                _("日付のセルの値「%(value)s」を日付として読めません。") % {"value": value}
            ) from None
    raise _Bad(
        _('セルの種類（t="%(kind)s"）を読めません。Excel で開いて保存し直してください。')
        % {"kind": kind}
    )


def _number(value: str) -> int | float:
    try:
        return int(value)
    except ValueError:
        pass
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise _Bad(_("数値のセルの値「%(value)s」を数値として読めません。") % {"value": value})
    return number


def _style(s: str | None) -> int:
    if s is None:
        return 0
    if not (s.isdigit() and s.isascii()):
        raise _Bad(_("セルの書式番号「%(s)s」が正しくありません。") % {"s": s})
    return int(s)
