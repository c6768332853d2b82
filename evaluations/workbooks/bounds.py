"""Bounds on a workbook's sheets, checked by a streaming scan before any sheet is parsed.

A valid 照会票 with one extra ``<row r="100000000">`` is 12 KB; a reader that builds its rows
pads a hundred million of them. So before any parser sees a sheet, each sheet part is read in
chunks (never more than IMPORT_MAX_SHEET_BYTES of it) and its ``<row>`` and ``<c>`` tags are
counted by a regular expression: the first row number over IMPORT_MAX_ROWS, column over
IMPORT_MAX_COLUMNS, cell over IMPORT_MAX_CELLS (the whole book) or malformed cell reference
refuses the file, naming the sheet and the row or cell. The shared strings are counted the same
way. Nothing is built but a few counters, so the worst file is refused in milliseconds.
"""

from __future__ import annotations

import re
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

from evaluations.workbooks import reader
from evaluations.workbooks.cells import column_letter
from evaluations.workbooks.problems import ImportRejected, Problem
from evaluations.workbooks.safety import CHUNK_BYTES, megabytes

# A <row …> or <c …> start tag (any namespace prefix) and its attributes.
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_SHARED = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?si(?=[\s/>])")
_R = re.compile(rb"""\sr\s*=\s*["']([^"']*)["']""")
_REFERENCE = re.compile(rb"([A-Z]{1,3})([0-9]{1,7})")
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
    if SHARED_STRINGS in archive.namelist():
        _scan_shared_strings(archive)


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
    rows = 0
    row_number = 0
    for chunk in _chunks(archive, path, title):
        for match in _TAG.finditer(chunk):
            r = _R.search(match.group(2))
            if match.group(1) == b"row":
                rows += 1
                row_number = int(r.group(1)) if r and r.group(1).isdigit() else row_number + 1
                if row_number > max_rows or rows > max_rows:
                    raise _too_many_rows(title, max(row_number, rows), max_rows)
                continue
            budget.left -= 1
            if budget.left < 0:
                raise ImportRejected.because(
                    _("セルが多すぎます（ブック全体で %(limit)s 個まで）。")
                    % {"limit": f"{budget.limit:,}"},
                    title,
                    row_number,
                )
            if r is None:
                continue
            reference = _REFERENCE.fullmatch(r.group(1))
            if reference is None:
                raise ImportRejected.because(
                    _("セル番地「%(ref)s」が正しくありません。")
                    % {"ref": r.group(1)[:20].decode("ascii", "replace")},
                    title,
                    row_number,
                )
            column = reader.column_number(reference.group(1).decode("ascii"))
            if column > max_columns:
                raise ImportRejected(
                    [
                        Problem(
                            _(
                                "列が多すぎます（セル %(ref)s。%(last)s列（%(limit)d列目）まで"
                                "にしてください）。"
                            )
                            % {
                                "ref": r.group(1).decode("ascii"),
                                "last": column_letter(max_columns - 1),
                                "limit": max_columns,
                            },
                            title,
                            row_number,
                        )
                    ]
                )
            if int(reference.group(2)) > max_rows:
                raise _too_many_rows(title, int(reference.group(2)), max_rows)


def _too_many_rows(title: str, number: int, limit: int) -> ImportRejected:
    return ImportRejected.because(
        _("行が多すぎます（%(row)s行目。%(limit)s行までにしてください）。")
        % {"row": f"{number:,}", "limit": f"{limit:,}"},
        title,
    )


def _scan_shared_strings(archive: zipfile.ZipFile) -> None:
    limit = settings.IMPORT_MAX_CELLS
    count = 0
    for chunk in _chunks(archive, SHARED_STRINGS, ""):
        count += len(_SHARED.findall(chunk))
        if count > limit:
            raise ImportRejected.because(
                _("共有文字列が多すぎます（%(limit)s 個まで）。") % {"limit": f"{limit:,}"}
            )
