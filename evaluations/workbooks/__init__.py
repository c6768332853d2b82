"""The 照会票: a round's entries as an Excel workbook to fill in, and the import of filled ones.

Import in two steps, so people see what will change before it does:

1. ``read_workbook(data, user=…)`` checks the file (size, zip structure, zip-bomb limits, XML
   entity declarations, then the sheets' rows, columns and cells by a streaming scan), reads the
   summary sheet (plan, round, 時点), every row and every indicator actual, and returns an
   ``ImportPreview`` of the changes per initiative — or raises ``ImportRejected`` with every problem, each naming sheet,
   row, column and reason in Japanese. Nothing is written. It is ``parse(data)`` (the file, read
   once, kept as JSON by the upload flow) then ``preview_of(parsed, user=…)`` (the database).
2. ``apply(preview, …)`` saves the changes in one transaction: all or nothing.

    format.py    the layout both ways: columns, sheet names, key cells, the formula guard
    export.py    writing a round's 照会票
    safety.py    the table of container checks run before any XML parser
    bounds.py    the sheets' rows, columns and cells, counted by a streaming scan before parsing
    reader.py    sheets and cell values from the xlsx (our fast reader, openpyxl otherwise)
    cells.py     one cell's value as the import reads it (全角, 和暦, the guard undone)
    preview.py   file → ImportPreview: summary sheet, pillar sheets
    compare.py   rows against the live entries: checks and changes
    indicators.py  the 「指標」 sheet's rows against the live actuals: checks and changes
    applying.py  saving a preview (``apply``)
    problems.py  Problem and ImportRejected
"""

from typing import TYPE_CHECKING

from reformtracker.lazy_names import lazy_names

# The module of each public name, imported on the name's first use:
# - evaluations.evidence reads the container checks (safety.py, problems.py) and the admin
#   imports it as Django sets up, so every management command would otherwise import the
#   whole import path (preview, compare, indicators, their forms) at its start;
# - writing a workbook needs openpyxl (~0.4 s to import), so export.py loads on the first
#   export;
# - applying writes through evaluations.services, whose evidence service reads the container
#   checks here: loaded on first use, the package's checks and readers never import the
#   services, so the arrows point one way.
_MODULE_OF = {
    "ImportPreview": "compare",
    "RowChange": "compare",
    "COLUMNS": "format",
    "safe_text": "format",
    "unguard": "format",
    "ParsedWorkbook": "preview",
    "parse": "preview",
    "preview_of": "preview",
    "read_workbook": "preview",
    "ImportRejected": "problems",
    "Problem": "problems",
    "check_container": "safety",
    "check_zip": "safety",
    "export_round": "export",
    "filename": "export",
    "apply": "applying",
    "import_parsed": "applying",
    "import_workbook": "applying",
}


__getattr__, __dir__ = lazy_names(__name__, _MODULE_OF, globals())


if TYPE_CHECKING:
    from evaluations.workbooks.applying import apply, import_parsed, import_workbook
    from evaluations.workbooks.compare import ImportPreview, RowChange
    from evaluations.workbooks.export import export_round, filename
    from evaluations.workbooks.format import COLUMNS, safe_text, unguard
    from evaluations.workbooks.preview import ParsedWorkbook, parse, preview_of, read_workbook
    from evaluations.workbooks.problems import ImportRejected, Problem
    from evaluations.workbooks.safety import check_container, check_zip


__all__ = [
    "COLUMNS",
    "ImportPreview",
    "ImportRejected",
    "ParsedWorkbook",
    "Problem",
    "RowChange",
    "apply",
    "check_container",
    "check_zip",
    "export_round",
    "filename",
    "import_parsed",
    "import_workbook",
    "parse",
    "preview_of",
    "read_workbook",
    "safe_text",
    "unguard",
]
