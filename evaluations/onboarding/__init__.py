"""The plan workbook (計画ブック): how a new municipality's reform office sets up its plan.

The office downloads a template, fills it in and uploads it; what it would create is shown
before anything is written, every problem named by sheet and cell in Japanese, and confirming
creates all of it in one transaction or nothing (``evaluations.services.onboarding``).

    layout.py    the sheets, their headings and the words the lists offer (both ways)
    template.py  writing the template (.xlsx, openpyxl): instructions, example, lists
    reader.py    file → ParsedPlan, behind the 照会票 import's file guards (safety, bounds)
    checker.py   one cell read and checked (text, a list's word, a fiscal year), at its cell
    validate.py  ParsedPlan → PlanPreview (what will be created) or every problem, per cell
    uploads.py   a parsed upload kept between upload, preview and confirmation
"""
