"""The plan workbook template: a sheet of instructions with an example of each sheet, the plan
form, and one sheet per list (pillars, departments, initiatives) with Japanese headings, a hint
under each and drop-down lists where the value is one of a few words.

Texts that come from the database (the municipality's name) pass ``safe_text``, as every
spreadsheet the site writes does, so nothing becomes a formula.
"""

from __future__ import annotations

import io

from evaluations.onboarding import layout
from evaluations.workbooks.format import safe_text

EXAMPLES = {
    layout.PILLAR_SHEET: [
        [
            1,
            "業務改革の推進",
            "Business process reform",
            "取組方針",
            "業務の見直しを進める。",
            "はい",
        ],
    ],
    layout.DEPARTMENT_SHEET: [
        ["kankyo", "環境局", "Environment Bureau", "局"],
    ],
    layout.INITIATIVE_SHEET: [
        [
            "1-1",
            1,
            "kankyo",
            "ごみ収集業務の委託化",
            "Outsourcing waste collection",
            "令和8年度までに全区で委託",
            "収集業務を段階的に委託する。",
            "毎年度末に評価",
            "",
            "A",
        ],
        [
            "1-2",
            1,
            "kankyo",
            "環境負荷の低減",
            "",
            "",
            "",
            "指定年度末から評価",
            "令和9年度",
            "",
        ],
    ],
    layout.INDICATOR_SHEET: [
        ["1-1", "委託済みの地区数", "地区", "増やす", 2, "令和6年度", 12, "令和8年度"],
        ["1-2", "ごみ排出量", "トン", "減らす", "12,500", 2024, "11,000", 2028],
    ],
}

GUIDE = [
    "計画ブックの記入のしかた",
    "",
    "1. 「計画」シートに計画名と取組期間（開始年度・終了年度）を記入します。年度は西暦（2025）でも和暦（令和7年度、R7）でも書けます。",
    "2. 「柱」シートに柱（取組方針または手法の柱）を1行に1つ記入します。",
    "3. 「所属」シートに取組項目を所管する局・区・室を記入します。登録済みの所属（市政改革室など）は書かなくても使えます。",
    "4. 「取組項目」シートに取組項目を1行に1つ記入します。柱は番号で、所管は所属コードで指定します。",
    "5. 「指標」シートには、取組項目の数値目標（指標）を1行に1つ記入します（任意。なければ空のままで構いません）。"
    "取組項目は「取組項目」シートの取組番号で指定し、指標名・単位・方向（増やす／減らす／維持）・基準値と基準年度・目標値と目標年度を書きます。"
    "「増やす」は目標値を基準値より大きく、「減らす」は小さくし、目標年度は基準年度以降にします。数値は単位を付けずに書きます（全角数字・桁区切りのカンマも可）。実績は照会票で記入します。",
    "6. 各シートの1行目（見出し）と2行目（記入のしかた）は消さないでください。3行目から記入します。",
    "7. 数式・非表示の行・非表示のシートは取り込めません。値を直接入力してください。",
    "8. アップロードすると、登録される内容を確認する画面が表示されます。問題が1件でもあれば何も登録されず、"
    "問題のあるセル（シート・セル番地）と直し方が表示されます。直して、もう一度アップロードしてください。",
    "",
    "記入例（このシートの例は取り込まれません）",
]


def build(municipality) -> bytes:
    """The template for ``municipality``'s office, as .xlsx bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    bold = Font(bold=True)
    hint_font = Font(italic=True, color="595959")
    heading_fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")

    guide = book.active
    guide.title = layout.GUIDE_SHEET
    guide.column_dimensions["A"].width = 120
    for line in GUIDE:
        guide.append([line])
    guide["A1"].font = Font(bold=True, size=14)
    for name, columns in layout.SHEETS.items():
        guide.append([])
        guide.append([f"「{name}」シートの例"])
        guide.cell(guide.max_row, 1).font = bold
        guide.append([c.heading for c in columns])
        for example in EXAMPLES[name]:
            guide.append(example)

    plan = book.create_sheet(layout.PLAN_SHEET)
    plan.append(["項目", "記入欄", "記入のしかた"])
    for cell in plan[1]:
        cell.font, cell.fill = bold, heading_fill
    prefilled = {"format": layout.FORMAT_ID, "municipality": safe_text(municipality.name)}
    for item in layout.PLAN_ITEMS:
        plan.append([item.heading, prefilled.get(item.key, ""), item.hint])
        plan.cell(plan.max_row, 3).font = hint_font
    plan.column_dimensions["A"].width = 18
    plan.column_dimensions["B"].width = 50
    plan.column_dimensions["C"].width = 60

    lists = {
        (layout.PILLAR_SHEET, "kind"): layout.PILLAR_KIND_CHOICES,
        (layout.PILLAR_SHEET, "tracked"): layout.YES_NO_CHOICES,
        (layout.DEPARTMENT_SHEET, "kind"): layout.DEPARTMENT_KIND_CHOICES,
        (layout.INITIATIVE_SHEET, "timing"): layout.TIMING_CHOICES,
        (layout.INITIATIVE_SHEET, "level"): layout.LEVEL_CHOICES,
        (layout.INDICATOR_SHEET, "direction"): layout.DIRECTION_CHOICES,
    }
    for name, columns in layout.SHEETS.items():
        ws = book.create_sheet(name)
        ws.append([c.heading + ("（必須）" if c.required else "") for c in columns])
        ws.append([c.hint for c in columns])
        ws.freeze_panes = f"A{layout.FIRST_DATA_ROW}"
        for position, column in enumerate(columns, start=1):
            heading = ws.cell(1, position)
            heading.font, heading.fill, heading.alignment = bold, heading_fill, wrap
            hint = ws.cell(2, position)
            hint.font, hint.alignment = hint_font, wrap
            letter = heading.column_letter
            ws.column_dimensions[letter].width = column.width
            choices = lists.get((name, column.key))
            if choices:
                validation = DataValidation(
                    type="list",
                    formula1='"' + ",".join(choices) + '"',
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle="一覧にない値です",
                    error="一覧から選んでください：" + "、".join(choices),
                )
                ws.add_data_validation(validation)
                validation.add(f"{letter}{layout.FIRST_DATA_ROW}:{letter}1000")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def filename(municipality) -> str:
    return f"plan-workbook-{municipality.slug}.xlsx"
