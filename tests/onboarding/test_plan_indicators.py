"""The plan workbook carries indicators (KPI): a 「指標」 sheet whose rows name an initiative by
its 取組番号 and give name, unit, direction, baseline and target with their years (西暦 or
和暦). Each wrong cell gets its own Japanese problem, checked by the same rules as the
Indicator model's constraints; indicators are created in the same all-or-nothing import."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from evaluations.choices import HistoryAction
from evaluations.models import HistoryEvent
from evaluations.onboarding import reader, template, validate
from evaluations.services import onboarding
from evaluations.workbooks.problems import ImportRejected
from initiatives.models import Indicator, Initiative, Plan
from tests.onboarding.workbooks import INDICATORS, city_and_office, filled

ROW = 3  # the first data row


@pytest.fixture
def city(db):
    return city_and_office()


def _with(municipality, *changes) -> bytes:
    """The filled template with INDICATORS, each (row offset, column, value) changed."""
    rows = [list(row) for row in INDICATORS]
    for offset, column, value in changes:
        rows[offset][column] = value
    return filled(municipality, indicators=rows)


def test_the_template_has_an_indicator_sheet_with_a_direction_list_and_instructions(city):
    municipality, _user = city
    book = load_workbook(io.BytesIO(template.build(municipality)))
    ws = book["指標"]
    assert [c.value for c in ws[1]] == [
        "取組番号（必須）",
        "指標名（必須）",
        "単位（必須）",
        "方向（必須）",
        "基準値（必須）",
        "基準年度（必須）",
        "目標値（必須）",
        "目標年度（必須）",
    ]
    (validation,) = ws.data_validations.dataValidation
    assert validation.formula1 == '"増やす,減らす,維持"'
    assert str(validation.sqref).startswith("D3")
    guide = "\n".join(str(c.value) for c in book["説明"]["A"] if c.value)
    assert "「指標」シートには" in guide
    assert "「増やす」は目標値を基準値より大きく" in guide
    assert "「指標」シートの例" in guide


def test_a_workbook_with_indicators_creates_them_with_history_and_the_office_page_shows_them(
    client, city
):
    municipality, user = city
    parsed = reader.parse(_with(municipality), filename="midori.xlsx")

    plan = onboarding.import_plan(user=user, municipality=municipality, parsed=parsed)

    rows = Indicator.objects.filter(initiative__plan=plan).order_by("initiative__code")
    assert [
        (
            i.initiative.code,
            i.name,
            i.unit,
            i.direction,
            i.baseline_value,
            i.baseline_year,
            i.target_value,
            i.target_year,
        )
        for i in rows
    ] == [
        ("1-1", "委託済みの地区数", "地区", "increase", Decimal(2), 2024, Decimal(12), 2027),
        ("1-2", "紙の決裁件数", "件", "decrease", Decimal(12500), 2024, Decimal(1000), 2027),
    ]
    created = HistoryEvent.objects.filter(action=HistoryAction.INDICATOR_CREATE)
    assert created.count() == 2 and {e.actor for e in created} == {user}
    event = HistoryEvent.objects.get(action=HistoryAction.PLAN_IMPORT)
    assert event.changes["indicators"]["after"] == 2

    client.force_login(user)
    item = Initiative.objects.get(plan=plan, code="1-2")
    page = client.get(f"/office/indicators/initiatives/{item.pk}/").content.decode()
    assert "紙の決裁件数（件）" in page and "減らす" in page
    assert "12,500" in page and "1,000" in page


def test_the_preview_page_lists_the_indicators_before_anything_is_created(client, city):
    municipality, user = city
    client.force_login(user)
    response = client.post(
        f"/office/setup/{municipality.slug}/plan/",
        {"file": SimpleUploadedFile("plan.xlsx", _with(municipality))},
        follow=True,
    )
    page = response.content.decode()
    assert "指標（2）" in page
    assert "紙の決裁件数（件）" in page and "12,500件（令和6年度）" in page
    assert "1,000件（令和9年度）" in page
    assert not Plan.objects.exists() and not Indicator.objects.exists()


# (what is wrong, (row offset, column, value), cell, the message)
CELL_PROBLEMS = [
    (
        "an initiative number the workbook does not have",
        (0, 0, "9-9"),
        "A3",
        "取組番号「9-9」の取組項目が「取組項目」シートにありません。"
        "「取組項目」シートの取組番号を入力してください。",
    ),
    ("a blank name", (0, 1, None), "B3", "「指標名」が空欄です。入力してください。"),
    (
        "a unit longer than the field",
        (0, 2, "地" * 21),
        "C3",
        "「単位」は20文字以内にしてください（現在21文字）。",
    ),
    (
        "a direction not in the list",
        (0, 3, "上げる"),
        "D3",
        "「方向」の「上げる」は選べません。一覧から選んでください：増やす、減らす、維持",
    ),
    (
        "a blank direction",
        (0, 3, None),
        "D3",
        "「方向」が空欄です。一覧から「増やす」「減らす」「維持」のいずれかを選んでください。",
    ),
    (
        "a baseline with its unit",
        (0, 4, "2地区"),
        "E3",
        "「基準値」：「2地区」は数値として読めません。半角・全角の数字で入力してください（単位は不要）。",
    ),
    (
        "a baseline too large for the database",
        (0, 4, "1E+20"),
        "E3",
        "「基準値」：小数点以下は4桁まで、整数部分は14桁までで入力してください。",
    ),
    (
        "a blank target",
        (0, 6, None),
        "G3",
        "「目標値」が空欄です。数値を入力してください（単位は不要）。",
    ),
    (
        "a baseline year that is not a year",
        (0, 5, "昨年"),
        "F3",
        "「基準年度」の「昨年」を年度として読めません。西暦（2025）か和暦（令和7年度、R7）で入力してください。",
    ),
    (
        "a target year before the baseline year",
        (0, 7, "令和5年度"),
        "H3",
        "目標年度（令和5年度）が基準年度（令和6年度）より前です。目標年度は基準年度以降にしてください。",
    ),
    (
        "an increase whose target is below its baseline",
        (0, 6, 1),
        "G3",
        "方向が「増やす」なのに、目標値（1）が基準値（2）以下です。「増やす」は目標値を基準値より"
        "大きくしてください（同じ値を保つ目標なら方向を「維持」に）。",
    ),
    (
        "a decrease whose target is above its baseline",
        (1, 6, "20,000"),
        "G4",
        "方向が「減らす」なのに、目標値（20,000）が基準値（12,500）以上です。「減らす」は目標値を"
        "基準値より小さくしてください（同じ値を保つ目標なら方向を「維持」に）。",
    ),
    (
        "two indicators of one initiative with one name",
        (1, 0, "1-1"),
        "B4",
        "取組番号「1-1」の指標「紙の決裁件数」が",  # changed below to share the name
    ),
]


@pytest.mark.parametrize(
    "change, cell, message",
    [case[1:] for case in CELL_PROBLEMS],
    ids=[case[0] for case in CELL_PROBLEMS],
)
def test_each_wrong_indicator_cell_gets_its_own_problem(city, change, cell, message):
    municipality, _user = city
    changes = [change]
    if cell == "B4":  # the same initiative and the same name as row 3
        changes.append((0, 1, "紙の決裁件数"))
    with pytest.raises(ImportRejected) as caught:
        validate.check(reader.parse(_with(municipality, *changes)), municipality)
    problems = [(p.sheet, f"{p.column}{p.row}", p.message) for p in caught.value.problems]
    assert len(problems) == 1, problems
    sheet, where, text = problems[0]
    assert (sheet, where) == ("指標", cell)
    assert text.startswith(message)


def test_a_maintained_level_may_keep_the_baseline_as_its_target(city):
    municipality, user = city
    data = _with(municipality, (0, 3, "維持"), (0, 6, 2))
    plan = onboarding.import_plan(user=user, municipality=municipality, parsed=reader.parse(data))
    kept = Indicator.objects.get(initiative__plan=plan, name="委託済みの地区数")
    assert (kept.direction, kept.baseline_value, kept.target_value) == ("maintain", 2, 2)


def test_one_wrong_indicator_cell_creates_nothing_at_all(city):
    municipality, user = city
    data = _with(municipality, (1, 4, "たくさん"))
    with pytest.raises(ImportRejected):
        onboarding.import_plan(user=user, municipality=municipality, parsed=reader.parse(data))
    assert not Plan.objects.exists() and not Initiative.objects.exists()
    assert not Indicator.objects.exists() and not HistoryEvent.objects.exists()


def test_a_failure_creating_the_second_indicator_leaves_nothing_behind(city, monkeypatch):
    municipality, user = city
    parsed = reader.parse(_with(municipality))
    real = Indicator.full_clean
    calls = []

    def fail_on_the_second(self, *args, **kwargs):
        calls.append(self.name)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Indicator, "full_clean", fail_on_the_second)
    with pytest.raises(RuntimeError):
        onboarding.import_plan(user=user, municipality=municipality, parsed=parsed)
    assert calls == ["委託済みの地区数", "紙の決裁件数"]
    assert not Plan.objects.exists() and not Indicator.objects.exists()
    assert not HistoryEvent.objects.exists()


def test_a_workbook_from_the_earlier_template_without_an_indicator_sheet_still_imports(city):
    municipality, user = city

    def drop(book):
        del book["指標"]

    data = filled(municipality, edit=drop)
    plan = onboarding.import_plan(user=user, municipality=municipality, parsed=reader.parse(data))
    assert plan.initiatives.count() == 5 and not Indicator.objects.exists()
