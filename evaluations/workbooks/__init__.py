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
    apply.py     saving a preview
    problems.py  Problem and ImportRejected
"""

import importlib

from evaluations.workbooks.compare import ImportPreview, RowChange
from evaluations.workbooks.format import COLUMNS, safe_text, unguard
from evaluations.workbooks.preview import ParsedWorkbook, parse, preview_of, read_workbook
from evaluations.workbooks.problems import ImportRejected, Problem
from evaluations.workbooks.safety import check_container, check_zip


def __getattr__(name: str):
    # Writing a workbook needs openpyxl (~0.4 s to import); the URLconf and every management
    # command import this package, so export.py loads on the first export, not at start-up.
    if name in ("export_round", "filename"):
        from evaluations.workbooks import export

        return getattr(export, name)
    # Applying writes through evaluations.services, whose evidence service reads the container
    # checks here (evaluations.evidence → workbooks.safety): loaded on first use, the package's
    # checks and readers never import the services, so the arrows point one way.
    if name in ("apply", "import_parsed", "import_workbook"):
        module = importlib.import_module("evaluations.workbooks.apply")
        # Importing the module set this package's ``apply`` to the module: the names are the
        # functions, as they were when this package imported them eagerly.
        globals().update(
            apply=module.apply,
            import_parsed=module.import_parsed,
            import_workbook=module.import_workbook,
        )
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
