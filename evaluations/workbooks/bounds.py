"""Bounds on a workbook's sheets, checked by a streaming scan before any sheet is parsed.

A valid 照会票 with one extra ``<row r="100000000">`` is 12 KB; a reader that builds its rows
pads a hundred million of them. So before any parser sees a sheet, each sheet part is read in
chunks (never more than IMPORT_MAX_SHEET_BYTES of it) and its ``<row>`` and ``<c>`` tags are
counted by regular expressions: the first row number over IMPORT_MAX_ROWS, column over
IMPORT_MAX_COLUMNS, cell over IMPORT_MAX_CELLS (the whole book), XML elements beyond a few per
cell, or a malformed cell reference refuses the file, naming the sheet and the row or cell. The
shared strings are counted the same way. Nothing is built but a few counters, so the worst file
is refused in a fraction of a second (bench/bench_hostile_import.py)."""

from __future__ import annotations

import re
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

from evaluations.workbooks import reader
from evaluations.workbooks.cells import column_letter
from evaluations.workbooks.problems import ImportRejected
from evaluations.workbooks.safety import CHUNK_BYTES, megabytes

# The root's namespace prefix ("" for Excel's default namespace; "x:" from some tools): the
# patterns below begin with a literal "<" + prefix + name, which the regular expression engine
# finds at C speed, so a sheet at the limits is scanned in a moment with no Python work per cell.
_ROOT = re.compile(rb"<([A-Za-z_][\w.\-]*:)?(?:worksheet|sst)[\s/>]")


class _Patterns:
    """The scan's patterns for one part. ``first`` ones read the r attribute where Excel and
    openpyxl write it, first in the tag (all literal up to the value: the fastest to find);
    the others wherever it is, for a chunk where some tag has it elsewhere."""

    def __init__(self, prefix: bytes, max_rows: int, *, first: bool = True):
        tag = b"<" + re.escape(prefix)
        self.tag = b"<" + prefix
        if first:
            row_r = tag + rb'row r="'
            ref = tag + rb'c r="'
        else:
            row_r = tag + rb"""row\s[^>]*?\br\s*=\s*["']"""
            ref = tag + rb"""c\s[^>]*?\br\s*=\s*["']"""
        self.row_numbers = re.compile(row_r + rb"([0-9]+)")
        self.refs = re.compile(ref)
        # The column letters of each well-formed reference; one that is not is found by bad_ref.
        self.columns = re.compile(ref + rb"""([A-Z]{1,3})[1-9][0-9]{0,6}["']""")
        self.bad_ref = re.compile(ref + rb"""(?![A-Z]{1,3}[1-9][0-9]{0,6}["'])([^"']*)""")
        self.ref = ref
        self.shared = re.compile(tag + rb"si[\s/>]")
        self.other = None if not first else _Patterns(prefix, max_rows, first=False)

    def for_chunk(self, chunk: bytes) -> tuple[_Patterns, int, int]:
        """The patterns that see every r attribute of ``chunk``, and its rows and cells (a tag
        name followed by a line break rather than a space goes uncounted here; the element
        budget still counts it)."""
        tag = self.tag
        row_attrs, cell_attrs = chunk.count(tag + b"row "), chunk.count(tag + b"c ")
        rows = row_attrs + chunk.count(tag + b"row>") + chunk.count(tag + b"row/")
        cells = cell_attrs + chunk.count(tag + b"c>") + chunk.count(tag + b"c/")
        first = chunk.count(tag + b'row r="') + chunk.count(tag + b'c r="')
        return (self if first == row_attrs + cell_attrs else self.other), rows, cells


def _prefix(chunk: bytes) -> bytes:
    root = _ROOT.search(chunk)
    return (root.group(1) or b"") if root else b""


SHARED_STRINGS = "xl/sharedStrings.xml"


def check_sheets(archive: zipfile.ZipFile) -> None:
    """Raises ImportRejected at the first bound a sheet (or the shared strings) exceeds."""
    try:
        parts = reader.sheet_parts(archive)
    except reader.Unsupported:
        # A layout our reader hands to openpyxl: bound every sheet-like part by its path.
        parts = [(n, n) for n in archive.namelist() if "worksheets/" in n and n.endswith(".xml")]
    except (KeyError, ValueError, reader.ParseError, zipfile.BadZipFile, OSError) as exc:
        raise ImportRejected.because(
            _("Excel ブックとして読み込めません（%(kind)s）。保存し直してください。")
            % {"kind": type(exc).__name__}
        ) from None
    budget = _Budget(settings.IMPORT_MAX_CELLS)
    for title, path in parts:
        _scan_sheet(archive, title, path, budget)
    try:
        shared = reader.shared_strings_part(archive) or SHARED_STRINGS
    except reader.Unsupported:
        shared = SHARED_STRINGS
    if shared in archive.namelist():
        _scan_shared_strings(archive, shared)


# A cell is a few elements (<c><v>, <c><is><t>, <c><f><v>) and a row one more; a sheet has some
# around them (views, widths, merged cells, validations). Anything else in numbers (deep nesting,
# empty elements) is no sheet, but the parser would build it all: it is refused as it comes.
ELEMENTS_PER_CELL = 4
ELEMENTS_AROUND_CELLS = 10_000


class _Budget:
    """The cells left for the whole book."""

    def __init__(self, cells: int):
        self.limit = cells
        self.left = cells


def _chunks(archive: zipfile.ZipFile, path: str, title: str):
    """The part's bytes in chunks cut after a '>' (so no tag is cut), at most
    IMPORT_MAX_SHEET_BYTES in all."""
    limit = settings.IMPORT_MAX_SHEET_BYTES
    read = 0
    carry = b""
    with archive.open(path) as member:
        while chunk := member.read(CHUNK_BYTES):
            read += len(chunk)
            if read > limit:
                raise ImportRejected.because(
                    _("シートが大きすぎます（展開後 %(limit)s を超えています）。")
                    % {"limit": megabytes(limit)},
                    title,
                )
            data = carry + chunk
            cut = data.rfind(b">") + 1
            carry = data[cut:]
            yield data[:cut]
    if carry:
        yield carry


def _scan_sheet(archive, title: str, path: str, budget: _Budget) -> None:
    max_rows = settings.IMPORT_MAX_ROWS
    max_columns = settings.IMPORT_MAX_COLUMNS
    allowed_letters = {column_letter(n).encode() for n in range(max_columns)}
    part_patterns = None
    rows = highest = unnumbered = elements = sheet_cells = 0
    for chunk in _chunks(archive, path, title):
        part_patterns = part_patterns or _Patterns(_prefix(chunk), max_rows)
        patterns, in_chunk, cells = part_patterns.for_chunk(chunk)
        elements += chunk.count(b"<") - chunk.count(b"</")
        numbered = [int(n) for n in patterns.row_numbers.findall(chunk)]
        rows += in_chunk
        unnumbered += in_chunk - len(numbered)
        highest = max(highest, *numbered) if numbered else highest
        # A row without its number follows the one before: at most this far down.
        if max(highest + unnumbered, rows) > max_rows:
            first_over = next((n for n in numbered if n > max_rows), max_rows + 1)
            raise _too_many_rows(title, first_over, max_rows)
        budget.left -= cells
        sheet_cells += cells
        if elements > ELEMENTS_AROUND_CELLS + rows + ELEMENTS_PER_CELL * sheet_cells:
            raise ImportRejected.because(
                _("シートの XML にセル以外の要素が多すぎます（%(count)s 個）。")
                % {"count": f"{elements:,}"},
                title,
            )
        if budget.left < 0:
            raise ImportRejected.because(
                _("セルが多すぎます（ブック全体で %(limit)s 個まで）。")
                % {"limit": f"{budget.limit:,}"},
                title,
            )
        columns = patterns.columns.findall(chunk)
        if len(columns) != len(patterns.refs.findall(chunk)):
            bad = patterns.bad_ref.search(chunk)
            raise ImportRejected.because(
                _("セル番地「%(ref)s」が正しくありません。")
                % {"ref": bad.group(1)[:20].decode("ascii", "replace")},
                title,
            )
        for letters in set(columns) - allowed_letters:
            ref = re.search(patterns.ref + b"(" + letters + rb"[0-9]+)", chunk).group(1)
            raise ImportRejected.because(
                _("列が多すぎます（セル %(ref)s。%(last)s列（%(limit)d列目）までにしてください）。")
                % {
                    "ref": ref.decode("ascii"),
                    "last": column_letter(max_columns - 1),
                    "limit": max_columns,
                },
                title,
            )


def _too_many_rows(title: str, number: int, limit: int) -> ImportRejected:
    return ImportRejected.because(
        _("行が多すぎます（%(row)s行目。%(limit)s行までにしてください）。")
        % {"row": f"{number:,}", "limit": f"{limit:,}"},
        title,
    )


def _scan_shared_strings(archive: zipfile.ZipFile, path: str) -> None:
    limit = settings.IMPORT_MAX_CELLS
    count = 0
    pattern = None
    for chunk in _chunks(archive, path, ""):
        pattern = pattern or _Patterns(_prefix(chunk), 1).shared
        count += len(pattern.findall(chunk))
        if count > limit:
            raise ImportRejected.because(
                _("共有文字列が多すぎます（%(limit)s 個まで）。") % {"limit": f"{limit:,}"}
            )
