"""The plan workbook as a new city's office fills it in: the downloaded template, with the
plan, pillars, departments and initiatives written by openpyxl, as a person would type them.

みどり市 is fictional (not a real municipality, and without a 全国地方公共団体コード); its plan
and items exist only to test the way in. ``city_and_office()`` creates the city with its reform
office's user, as the operator leaves them; ``filled(municipality, …)`` is the city's own
template filled in.
"""

from __future__ import annotations

import io

from evaluations.onboarding import layout, template
from initiatives.models import Department, Municipality
from initiatives.roles import Role, ensure_groups
from tests.personas import make_user

CITY = {
    "name": "みどり市",
    "name_en": "Midori City (fictional, for testing only)",
    "prefecture": "13",
    "slug": "midori",
}

PLAN = {
    "計画名": "みどり市行財政改革プラン（架空）",
    "計画名（英語）": "Midori City Administrative Reform Plan (fictional)",
    "開始年度": "令和7年度",
    "終了年度": 2028,
    "概要・備考": "架空の自治体「みどり市」の計画です。実在の自治体・計画とは関係ありません。",
}

PILLARS = [
    [1, "業務改革の推進", "Business process reform", "取組方針", "業務の進め方を見直す。", "はい"],
    [2, "官民連携の推進", "Public-private partnership", "取組方針", "", ""],
    [3, "職員提案プロジェクト", "", "手法の柱", "", "いいえ"],
]

DEPARTMENTS = [
    ["kankyo", "環境部", "Environment Department", "局"],
    ["zaisei", "財政課", "Finance Division", "その他"],
]

INITIATIVES = [
    [
        "1-1",
        1,
        "kankyo",
        "ごみ収集業務の委託化",
        "Outsourcing waste collection",
        "令和8年度までに全地区で委託",
        "",
        "毎年度末に評価",
        "",
        "A",
    ],
    ["1-2", 1, "zaisei", "電子決裁の全庁導入", "", "全課で電子決裁", "", "", "", ""],
    ["2-1", 2, "zaisei", "公共施設の包括管理委託", "", "", "", "毎年度末に評価", "", "BC"],
    ["2-2", 2, "kankyo", "環境負荷の低減", "", "", "", "指定年度末から評価", "令和9年度", ""],
    ["3-1", 3, "kaikaku", "職員提案の募集", "", "", "", "", "", ""],
]

# Indicators typed as an office types them: 全角 digits and separators, 和暦 and 西暦 years.
INDICATORS = [
    ["1-1", "委託済みの地区数", "地区", "増やす", 2, "令和6年度", "１２", 2027],
    ["1-2", "紙の決裁件数", "件", "減らす", "１２，５００", 2024, "1,000", "R9"],
]


def fill(
    template: bytes,
    *,
    plan=None,
    pillars=None,
    departments=None,
    initiatives=None,
    indicators=(),
    edit=None,
) -> bytes:
    """The template with the given rows (the defaults above; no indicators unless given) from
    the first data row on;
    ``edit(book)`` may change anything before saving (to break it on purpose)."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(template))
    sheet = book[layout.PLAN_SHEET]
    values = {**PLAN, **(plan or {})}
    for row in sheet.iter_rows(min_row=2):
        heading = row[0].value
        if heading in values:
            row[1].value = values[heading]
    for name, rows in (
        (layout.PILLAR_SHEET, PILLARS if pillars is None else pillars),
        (layout.DEPARTMENT_SHEET, DEPARTMENTS if departments is None else departments),
        (layout.INITIATIVE_SHEET, INITIATIVES if initiatives is None else initiatives),
        (layout.INDICATOR_SHEET, indicators),
    ):
        ws = book[name]
        for offset, values_row in enumerate(rows):
            for column, value in enumerate(values_row, start=1):
                ws.cell(layout.FIRST_DATA_ROW + offset, column, value if value != "" else None)
    if edit is not None:
        edit(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def city_and_office() -> tuple:
    """みどり市 with its reform office (行政改革課) and that office's user ``midori-office``, as
    the operator leaves them before the office imports its plan: (municipality, user)."""
    municipality = Municipality.objects.create(**CITY)
    office = Department.objects.create(
        municipality=municipality,
        code="kaikaku",
        name="行政改革課",
        kind="office",
        is_reform_office=True,
    )
    user = make_user("midori-office", department=office, group=ensure_groups()[Role.REFORM_OFFICE])
    return municipality, user


def filled(municipality, **rows) -> bytes:
    """The municipality's own template (as the office downloads it) filled by ``fill``."""
    return fill(template.build(municipality), **rows)
