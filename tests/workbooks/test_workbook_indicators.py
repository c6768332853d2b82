"""The 照会票 carries indicator actuals: a locked 「指標」 sheet whose only open cell is the
round's actual, read back with the results' guards — numbers typed as people type them, each
wrong cell named in Japanese, a stale actual refused, another department's indicator refused,
everything saved together or nothing, and the preview showing before → after."""

import io
from decimal import Decimal

import openpyxl
import pytest

from evaluations import workbooks
from evaluations.choices import HistoryAction
from evaluations.models import Entry, HistoryEvent, IndicatorValue
from evaluations.services import indicators as indicator_service
from initiatives.models import Department, Indicator

pytestmark = pytest.mark.django_db

RESULTS = "2 官民連携の推進"
INDICATORS = "指標"


@pytest.fixture
def investment(open_round_2025):
    """次世代投資 (億円, 0 → 330) on the first of 市政改革室's items in the round, its actual
    for the round already 110."""
    entry = (
        Entry.objects.filter(round=open_round_2025, initiative__department__code="shisei-kaikaku")
        .select_related("initiative")
        .order_by("initiative__pillar__order", "initiative__order", "initiative__code")
        .first()
    )
    indicator = Indicator.objects.create(
        initiative=entry.initiative,
        name="次世代投資",
        unit="億円",
        direction=Indicator.Direction.INCREASE,
        baseline_value=Decimal(0),
        baseline_year=2024,
        target_value=Decimal(330),
        target_year=2026,
    )
    IndicatorValue.objects.create(round=open_round_2025, indicator=indicator, value=Decimal(110))
    return indicator


def export(round_, code="shisei-kaikaku") -> openpyxl.Workbook:
    department = Department.objects.get(code=code) if code else None
    return openpyxl.load_workbook(io.BytesIO(workbooks.export_round(round_, department)))


def save(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def database_state() -> tuple:
    entries = tuple(
        Entry.objects.order_by("pk").values_list("pk", "result", "reason", "narrative", "version")
    )
    actuals = tuple(IndicatorValue.objects.order_by("pk").values_list("pk", "value"))
    return entries, actuals, HistoryEvent.objects.count()


def test_the_exported_sheet_shows_the_indicator_locked_with_only_its_actual_open(investment):
    ws = export(investment.values.get().round)[INDICATORS]

    headers = [c.value for c in ws[1]]
    assert headers[:11] == [
        "指標ID",
        "出力時の実績",
        "取組番号",
        "取組項目",
        "指標名",
        "単位",
        "方向",
        "基準値",
        "基準年度",
        "目標値",
        "目標年度",
    ]
    assert headers[11] == "実績（令和7年度末時点）"
    row = [c.value for c in ws[2]]
    assert row[0] == investment.pk
    assert row[2] == investment.initiative.code
    assert row[4:11] == ["次世代投資", "億円", "増やす", "0", "令和6年度", "330", "令和8年度"]
    assert row[11] == 110
    assert ws.protection.sheet
    assert [c.protection.locked for c in ws[2]] == [True] * 11 + [False]


def test_a_department_without_indicators_gets_no_indicator_sheet(investment):
    assert INDICATORS not in export(investment.values.get().round, "zaisei").sheetnames


def test_actuals_typed_in_full_width_with_separators_are_saved_with_history(
    investment, staff_kaikaku
):
    round_ = investment.values.get().round
    book = export(round_)
    book[INDICATORS]["L2"] = "１，２８８．５"
    book[RESULTS]["G2"] = "達成"

    preview = workbooks.import_workbook(save(book), user=staff_kaikaku, filename="kpi.xlsx")

    (change,) = preview.indicator_changes
    assert (change.before_text, change.after_text) == ("110億円", "1,288.5億円")
    assert IndicatorValue.objects.get(indicator=investment).value == Decimal("1288.5")
    event = HistoryEvent.objects.get(action=HistoryAction.INDICATOR_RECORD)
    assert event.actor == staff_kaikaku
    assert event.changes == {"actual": {"before": "110.0000", "after": "1288.5"}}
    assert "kpi.xlsx" in event.comment
    assert HistoryEvent.objects.filter(action="entry.import").count() == 1


def test_an_emptied_actual_is_cleared_and_an_untouched_one_is_left_alone(investment, staff_kaikaku):
    round_ = investment.values.get().round
    untouched = workbooks.read_workbook(save(export(round_)), user=staff_kaikaku)
    assert (untouched.indicator_changes, untouched.indicator_unchanged) == ([], 1)

    book = export(round_)
    book[INDICATORS]["L2"] = None
    workbooks.import_workbook(save(book), user=staff_kaikaku)

    assert not IndicatorValue.objects.filter(indicator=investment).exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "約百億",
            "「約百億」は数値として読めません。半角・全角の数字で入力してください（単位は不要）。",
        ),
        (
            "110億円",
            "「110億円」は数値として読めません。半角・全角の数字で入力してください（単位は不要）。",
        ),
        ("1.23456", "小数点以下は4桁まで、整数部分は14桁までで入力してください。"),
        ("1E+20", "小数点以下は4桁まで、整数部分は14桁までで入力してください。"),
        (
            "=1+1",
            "数式のセルは取り込めません。数式ではなく値を入力するか、「値として貼り付け」てください。",
        ),
    ],
)
def test_a_wrong_actual_is_named_by_its_cell_and_nothing_is_saved(
    investment, staff_kaikaku, typed, message
):
    book = export(investment.values.get().round)
    book[RESULTS]["G2"] = "達成"  # a good change in the same file is not saved either
    book[INDICATORS]["L2"] = typed
    before = database_state()

    with pytest.raises(workbooks.ImportRejected) as refused:
        workbooks.import_workbook(save(book), user=staff_kaikaku)

    (problem,) = refused.value.problems
    assert (problem.sheet, problem.row, problem.column) == (INDICATORS, 2, "L")
    assert problem.message == message
    assert database_state() == before


def test_an_actual_changed_since_the_export_is_refused_naming_its_version_cell(
    investment, staff_kaikaku
):
    round_ = investment.values.get().round
    book = export(round_)
    book[INDICATORS]["L2"] = 120
    indicator_service.record_indicator_values_as_system(
        round_=round_, values={investment.pk: Decimal(150)}, expected={investment.pk: Decimal(110)}
    )
    before = database_state()

    with pytest.raises(workbooks.ImportRejected) as refused:
        workbooks.import_workbook(save(book), user=staff_kaikaku)

    (problem,) = refused.value.problems
    assert (problem.sheet, problem.row, problem.column) == (INDICATORS, 2, "B")
    assert problem.message == (
        "この指標の実績は照会票の出力後に更新されています（出力時 110、現在 150）。"
        "照会票を出力し直してください。"
    )
    assert database_state() == before


def test_an_actual_changed_between_preview_and_confirm_saves_neither_results_nor_actuals(
    investment, staff_kaikaku
):
    round_ = investment.values.get().round
    book = export(round_)
    book[RESULTS]["G2"] = "達成"
    book[INDICATORS]["L2"] = 200
    preview = workbooks.read_workbook(save(book), user=staff_kaikaku)
    indicator_service.record_indicator_values_as_system(
        round_=round_, values={investment.pk: Decimal(150)}, expected={investment.pk: Decimal(110)}
    )
    before = database_state()

    with pytest.raises(Exception, match="ほかの人が指標「次世代投資（億円）」の実績を更新しました"):
        workbooks.apply(preview, actor=staff_kaikaku)

    assert database_state() == before


def test_staff_of_another_department_cannot_touch_the_indicator(investment, staff_zaisei):
    round_ = investment.values.get().round
    book = export(round_, code=None)
    book[INDICATORS]["L2"] = 999
    before = database_state()

    with pytest.raises(workbooks.ImportRejected) as refused:
        workbooks.import_workbook(save(book), user=staff_zaisei)

    (problem,) = [p for p in refused.value.problems if p.sheet == INDICATORS]
    assert (problem.row, problem.column) == (2, "A")
    assert problem.message.startswith("所管外の取組項目の指標です（所管：市政改革室）")
    assert database_state() == before


def test_an_indicator_of_another_initiative_is_refused_by_its_number(investment, staff_kaikaku):
    book = export(investment.values.get().round)
    book[INDICATORS]["C2"] = "X-99"
    book[INDICATORS]["L2"] = 5

    with pytest.raises(workbooks.ImportRejected) as refused:
        workbooks.import_workbook(save(book), user=staff_kaikaku)

    (problem,) = refused.value.problems
    assert (problem.row, problem.column) == (2, "C")
    assert "取組番号「X-99」が指標ID" in problem.message


def test_the_preview_page_shows_each_actual_before_and_after_and_confirming_saves_it(
    client, investment, staff_kaikaku
):
    round_ = investment.values.get().round
    client.force_login(staff_kaikaku)
    data = client.get(
        f"/staff/import/rounds/{round_.pk}/workbook.xlsx?department=shisei-kaikaku"
    ).content
    book = openpyxl.load_workbook(io.BytesIO(data))
    book[INDICATORS]["L2"] = "１２０"
    upload = io.BytesIO(save(book))
    upload.name = "kpi.xlsx"

    response = client.post("/staff/import/", {"file": upload}, follow=True)

    page = response.content.decode()
    assert "指標の実績" in page
    assert "次世代投資（億円）" in page
    assert "<td>110億円</td><td>120億円</td>" in page
    assert "この内容で取り込む" in page
    token = response.redirect_chain[-1][0].rstrip("/").rsplit("/", 1)[1]
    done = client.post(f"/staff/import/{token}/confirm/", follow=True)
    assert IndicatorValue.objects.get(indicator=investment).value == Decimal(120)
    assert "0件変更、" in done.content.decode()
    assert "指標の実績1件変更" in done.content.decode()


def test_a_hidden_indicator_row_is_read_and_named_on_the_preview(investment, staff_kaikaku):
    book = export(investment.values.get().round)
    book[INDICATORS]["L2"] = 130
    book[INDICATORS].row_dimensions[2].hidden = True

    preview = workbooks.read_workbook(save(book), user=staff_kaikaku)

    assert [c.after for c in preview.indicator_changes] == [Decimal(130)]
    assert [INDICATORS, 2] in preview.notes["hidden_rows"]
