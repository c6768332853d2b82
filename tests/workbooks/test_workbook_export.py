"""The 照会票 export: sheets, headers, frozen rows, validation, protection, formula guard."""

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from evaluations import services, workbooks
from evaluations.models import Round
from initiatives.models import Department

pytestmark = pytest.mark.django_db


def load(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


@pytest.fixture
def osaka_round(osaka) -> Round:
    return osaka.rounds.get(fiscal_year=2024)


def test_it_has_a_summary_sheet_and_one_sheet_per_tracked_pillar(osaka_round):
    book = load(workbooks.export_round(osaka_round))
    assert book.sheetnames == [
        "概要",
        "2 官民連携の推進",
        "3 業務改革の推進",
        "6 持続可能な行財政基盤の構築",
    ]
    summary = {row[0]: row[1] for row in book["概要"].iter_rows(values_only=True) if row[0]}
    assert summary["計画ID"] == "osaka-shin-shisei-kaikaku"
    assert summary["時点"] == "令和7年3月31日"
    assert summary["1 進捗状況を確認した取組項目数"] == "24項目"
    assert summary["5 達成率(19項目/23項目)"] == "約82.6パーセント"
    assert summary["2 官民連携の推進"] == 6  # 達成 column of the pillar table


def test_it_writes_japanese_headers_frozen_with_widths(osaka_round):
    ws = load(workbooks.export_round(osaka_round))["2 官民連携の推進"]
    assert [c.value for c in ws[1]] == [c.header for c in workbooks.COLUMNS]
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["D"].width == 40
    assert ws.column_dimensions["I"].width == 60
    assert ws.max_row == 1 + 7


def test_it_offers_the_results_as_a_validation_list(osaka_round):
    ws = load(workbooks.export_round(osaka_round))["3 業務改革の推進"]
    (validation,) = ws.data_validations.dataValidation
    assert validation.type == "list"
    assert validation.formula1 == '"達成,未達成,評価対象外"'
    assert str(validation.sqref) == "G2:G10"


def test_it_locks_the_id_columns_and_opens_the_answer_columns(osaka_round):
    ws = load(workbooks.export_round(osaka_round))["2 官民連携の推進"]
    assert ws.protection.sheet is True
    for column in "ABCDEF":
        assert ws[f"{column}2"].protection.locked is True
    for column in "GHI":
        assert ws[f"{column}2"].protection.locked is False


def test_it_neutralises_formulas_in_every_text_cell(osaka_round, osaka_reopened):
    entry = osaka_round.entries.select_related("initiative").order_by("initiative__order")[0]
    services.update_entry_as_system(
        entry_id=entry.pk,
        expected_version=entry.version,
        values={"narrative": '=HYPERLINK("http://evil.example","x")', "reason": "+1+2"},
        actor_name="test",
    )
    initiative = entry.initiative
    initiative.title = "@SUM(A1:A9)"
    initiative.target = "-2+3\x07"
    initiative.save()
    ws = load(workbooks.export_round(osaka_round))["2 官民連携の推進"]
    row = [c for c in ws[2]]
    assert row[3].value == "'@SUM(A1:A9)"
    assert row[5].value == "'-2+3"  # and the control character is gone
    assert row[7].value == "'+1+2"
    assert row[8].value == '\'=HYPERLINK("http://evil.example","x")'
    for cell in row:
        assert cell.data_type != "f"


@pytest.mark.parametrize(
    "text,safe",
    [
        ("=1+1", "'=1+1"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("普通の文", "普通の文"),
        ("", ""),
    ],
)
def test_safe_text_guards_every_formula_lead_and_unguard_undoes_it(text, safe):
    assert workbooks.safe_text(text) == safe
    assert workbooks.unguard(safe) == text


def test_a_department_workbook_holds_only_its_rows(osaka_round):
    zaisei = Department.objects.get(code="zaisei")
    book = load(workbooks.export_round(osaka_round, zaisei))
    assert book.sheetnames == ["概要", "6 持続可能な行財政基盤の構築"]
    ws = book["6 持続可能な行財政基盤の構築"]
    assert {row[4] for row in ws.iter_rows(min_row=2, values_only=True)} == {zaisei.name}
    summary = {row[0]: row[1] for row in book["概要"].iter_rows(values_only=True) if row[0]}
    assert summary["所管コード"] == "zaisei"
    assert summary["1 進捗状況を確認した取組項目数"] == "3項目"


def test_the_command_writes_a_department_workbook(osaka_round, tmp_path):
    out = tmp_path / "z.xlsx"
    call_command(
        "export_workbook",
        "osaka-shin-shisei-kaikaku",
        "--fiscal-year",
        "R6",
        "--department",
        "zaisei",
        "--output",
        str(out),
    )
    assert load(out.read_bytes()).sheetnames == ["概要", "6 持続可能な行財政基盤の構築"]


def test_the_command_refuses_unknown_departments_and_years(osaka_round, tmp_path):
    out = str(tmp_path / "x.xlsx")
    with pytest.raises(CommandError, match="所属コード「nope」はありません"):
        call_command(
            "export_workbook",
            "osaka-shin-shisei-kaikaku",
            "--fiscal-year",
            "2024",
            "--department",
            "nope",
            "--output",
            out,
        )
    with pytest.raises(CommandError, match="令和7年度の照会はありません"):
        call_command(
            "export_workbook", "osaka-shin-shisei-kaikaku", "--fiscal-year", "2025", "--output", out
        )
