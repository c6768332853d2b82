"""Importing filled 照会票: the round trip, what real sheets hold, and every refusal."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from evaluations import history, services, workbooks
from evaluations.choices import EntryState
from evaluations.models import Entry, HistoryEvent
from evaluations.workbooks import safety
from initiatives.models import Department
from tests.workbooks.bad_workbooks import EXPECTED

pytestmark = pytest.mark.django_db

BAD_FILES = Path(__file__).resolve().parent / "bad_files"
SHEET = "2 官民連携の推進"


def export(round_, code=None) -> openpyxl.Workbook:
    department = Department.objects.get(code=code) if code else None
    return openpyxl.load_workbook(io.BytesIO(workbooks.export_round(round_, department)))


def save(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def database_state() -> tuple:
    """Everything an import could touch, to compare before and after a refusal."""
    entries = tuple(
        Entry.objects.order_by("pk").values_list(
            "pk", "result", "reason", "narrative", "state", "version"
        )
    )
    return entries, HistoryEvent.objects.count()


def test_it_changes_exactly_the_two_edited_results_with_history(open_round_2025, staff_kaikaku):
    book = export(open_round_2025, "shisei-kaikaku")
    ws = book[SHEET]
    ws["G2"] = "達成"
    ws["G3"] = "未達成"
    edited = {ws["A2"].value, ws["A3"].value}
    before = {e.pk: e for e in Entry.objects.all()}
    history_before = HistoryEvent.objects.count()

    preview = workbooks.import_workbook(save(book), user=staff_kaikaku, filename="kaikaku.xlsx")

    assert {c.entry_id for c in preview.changes} == edited
    changed = {
        e.pk
        for e in Entry.objects.all()
        if (e.result, e.reason, e.narrative, e.version)
        != (before[e.pk].result, before[e.pk].reason, before[e.pk].narrative, before[e.pk].version)
    }
    assert changed == edited
    results = dict(Entry.objects.filter(pk__in=edited).values_list("pk", "result"))
    assert sorted(results.values()) == ["achieved", "not_achieved"]
    assert set(Entry.objects.filter(pk__in=edited).values_list("state", flat=True)) == {
        EntryState.IN_PROGRESS
    }
    events = HistoryEvent.objects.filter(pk__gt=0).order_by("-id")[:2]
    assert HistoryEvent.objects.count() == history_before + 2
    for event in events:
        assert event.action == "entry.import"
        assert event.actor == staff_kaikaku
        assert event.entry_id in edited
        assert event.changes["result"]["before"] == ""
        assert event.changes["state"] == {"before": "not_started", "after": "in_progress"}
        assert event.changes["version"] == 2
        assert "kaikaku.xlsx" in event.comment


def test_it_accepts_what_municipal_sheets_hold(open_round_2025, staff_kaikaku):
    book = export(open_round_2025, "shisei-kaikaku")
    summary = book["概要"]
    for row in summary.iter_rows():
        if row[0].value == "時点":
            row[1].value = "Ｒ８．３．３１"
        if row[0].value == "記入日":
            row[1].value = "令和8年4月10日　"
    ws = book[SHEET]
    ws["K1"] = "担当者メモ"  # an extra column
    ws["K2"] = "確認済み"
    first_id, second_id = ws["A2"].value, ws["A3"].value
    ws["A2"] = "".join(chr(ord(c) + 0xFEE0) for c in str(first_id))  # 全角 digits
    ws["B2"] = "１"
    ws["G2"] = "　達成　"  # 全角 spaces around
    ws["G3"] = "評価対象外 "
    ws["H3"] = "令和9年度末時点で評価を実施のため。  "
    ws.insert_rows(3)  # a blank row in between
    preview = workbooks.import_workbook(save(book), user=staff_kaikaku)
    assert {c.entry_id: c.after["result"] for c in preview.changes} == {
        first_id: "achieved",
        second_id: "excluded",
    }
    assert Entry.objects.get(pk=second_id).reason == "令和9年度末時点で評価を実施のため。"
    assert "記入日 令和8年4月10日" in HistoryEvent.objects.filter(entry_id=first_id).get().comment


def test_it_reads_the_as_of_in_every_wareki_form(open_round_2025, staff_kaikaku):
    for text in ("令和8年3月31日", "R8.3.31", "2026/3/31", "令和８年３月３１日"):
        book = export(open_round_2025, "shisei-kaikaku")
        for row in book["概要"].iter_rows():
            if row[0].value == "時点":
                row[1].value = text
        preview = workbooks.read_workbook(save(book), user=staff_kaikaku)
        assert (preview.unchanged, preview.changes) == (7, [])


def test_an_untouched_workbook_changes_nothing(open_round_2025, staff_kaikaku):
    entry = open_round_2025.entries.filter(initiative__department__code="shisei-kaikaku")[0]
    services.update_entry_as_system(
        entry_id=entry.pk,
        expected_version=entry.version,
        values={"narrative": "-で始まる進捗\n二行目", "result": "achieved"},
        actor_name="test",
    )
    state = database_state()
    preview = workbooks.import_workbook(
        save(export(open_round_2025, "shisei-kaikaku")), user=staff_kaikaku
    )
    assert preview.changes == []
    assert database_state() == state


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_bad_file_is_refused_with_its_own_message(name, osaka_reopened):
    state = database_state()
    with pytest.raises(workbooks.ImportRejected) as refused:
        workbooks.import_workbook((BAD_FILES / name).read_bytes(), filename=name)
    messages = [str(p) for p in refused.value.problems]
    assert any(EXPECTED[name] in m for m in messages), messages
    assert database_state() == state


def test_the_corpus_is_complete_and_committed():
    files = {p.name for p in BAD_FILES.glob("*.xlsx")}
    assert files == set(EXPECTED)
    assert len(files) >= 30
    messages = [EXPECTED[n] for n in sorted(files)]
    assert len(set(messages)) == len(messages)


def test_row_problems_name_sheet_row_and_column(osaka_reopened):
    with pytest.raises(workbooks.ImportRejected) as refused:
        workbooks.read_workbook((BAD_FILES / "unknown_result.xlsx").read_bytes())
    (problem,) = refused.value.problems
    assert (problem.sheet, problem.row, problem.column) == (SHEET, 2, "G")
    assert str(problem).startswith(f"シート「{SHEET}」 2行目 G列：")


def test_it_refuses_an_oversize_file(osaka, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    data = (BAD_FILES / "unknown_entry_id.xlsx").read_bytes()
    with pytest.raises(workbooks.ImportRejected, match="ファイルが大きすぎます"):
        workbooks.read_workbook(data)


def test_openpyxl_itself_refuses_entities(monkeypatch, osaka):
    """Even past our own scan, openpyxl parses with defusedxml."""
    monkeypatch.setattr(safety, "declares_entities", lambda xml: False)
    data = (BAD_FILES / "billion_laughs.xlsx").read_bytes()
    with pytest.raises(workbooks.ImportRejected, match="実体宣言"):
        workbooks.read_workbook(data)


def test_openpyxl_stays_on_defusedxml_though_lxml_is_installed():
    """pikepdf brings lxml; openpyxl would prefer it to defusedxml, and the settings say no."""
    import lxml  # noqa: F401
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML and not openpyxl.xml.LXML


def test_it_refuses_another_departments_rows_and_applies_nothing(open_round_2025, staff_zaisei):
    book = export(open_round_2025)  # the whole round, as the office would send it
    book["6 持続可能な行財政基盤の構築"]["G2"] = "達成"  # a zaisei row? not necessarily
    book[SHEET]["G2"] = "達成"  # 市政改革室's row
    state = database_state()
    with pytest.raises(workbooks.ImportRejected) as refused:
        workbooks.import_workbook(save(book), user=staff_zaisei)
    problems = refused.value.problems
    assert any("所管外の取組項目です（所管：市政改革室）" in str(p) for p in problems)
    assert database_state() == state


def test_it_refuses_a_row_saved_by_somebody_else_since_the_export(open_round_2025, staff_kaikaku):
    book = export(open_round_2025, "shisei-kaikaku")
    ws = book[SHEET]
    ws["G2"] = "達成"
    ws["G3"] = "達成"
    other = Entry.objects.get(pk=ws["A3"].value)
    services.update_entry_as_system(
        entry_id=other.pk, expected_version=other.version, values={"narrative": "先に保存"}
    )
    state = database_state()
    with pytest.raises(workbooks.ImportRejected) as refused:
        workbooks.import_workbook(save(book), user=staff_kaikaku)
    (problem,) = refused.value.problems
    assert "照会票の出力後に更新されています（照会票の版 1、現在の版 2）" in str(problem)
    assert (problem.row, problem.column) == (3, "B")
    assert database_state() == state


def test_a_conflict_while_applying_rolls_back_every_row(open_round_2025, staff_kaikaku):
    book = export(open_round_2025, "shisei-kaikaku")
    ws = book[SHEET]
    ws["G2"] = "達成"
    ws["G3"] = "達成"
    preview = workbooks.read_workbook(save(book), user=staff_kaikaku)
    late = Entry.objects.get(pk=ws["A3"].value)
    services.update_entry_as_system(
        entry_id=late.pk, expected_version=late.version, values={"narrative": "割り込み"}
    )
    state = database_state()
    with pytest.raises(services.Conflict):
        workbooks.apply(preview, actor=staff_kaikaku)
    assert database_state() == state


def test_it_refuses_rows_of_another_round_and_mismatched_codes(open_round_2025, staff_kaikaku):
    book = export(open_round_2025, "shisei-kaikaku")
    ws = book[SHEET]
    old = Entry.objects.filter(round__fiscal_year=2024).order_by("pk")[0]
    ws["A2"] = old.pk
    ws["C3"] = "9-9"
    with pytest.raises(workbooks.ImportRejected) as refused:
        workbooks.read_workbook(save(book), user=staff_kaikaku)
    messages = [str(p) for p in refused.value.problems]
    assert any("は別の照会（令和6年度末時点）の回答です" in m for m in messages)
    assert any("取組番号「9-9」が回答ID" in m for m in messages)


def test_it_refuses_changes_to_published_entries_by_the_workflow(osaka_reopened, staff_kaikaku):
    round_2024 = osaka_reopened.rounds.get(fiscal_year=2024)
    book = export(round_2024, "shisei-kaikaku")
    book[SHEET]["G2"] = "未達成"
    with pytest.raises(workbooks.ImportRejected, match="「公表」の回答には「編集」を行えません"):
        workbooks.read_workbook(save(book), user=staff_kaikaku)


def test_the_command_dry_run_changes_nothing_and_the_real_run_applies(
    open_round_2025, tmp_path, capsys
):
    book = export(open_round_2025, "shisei-kaikaku")
    book[SHEET]["G2"] = "達成"
    path = tmp_path / "filled.xlsx"
    path.write_bytes(save(book))
    state = database_state()
    call_command("import_workbook", str(path), "--dry-run")
    assert database_state() == state
    assert "1件変更予定" in capsys.readouterr().out
    call_command("import_workbook", str(path))
    assert "1件変更" in capsys.readouterr().out
    assert Entry.objects.get(pk=book[SHEET]["A2"].value).result == "achieved"


def test_the_command_lists_every_problem_and_fails(osaka_reopened, capsys):
    with pytest.raises(CommandError, match="何も取り込みませんでした"):
        call_command("import_workbook", str(BAD_FILES / "duplicate_entry_id.xlsx"))
    assert "重複しています" in capsys.readouterr().err


def test_the_staff_history_of_an_imported_entry_names_the_import(
    open_round_2025, staff_kaikaku, client
):
    book = export(open_round_2025, "shisei-kaikaku")
    book[SHEET]["G2"] = "達成"
    entry_id = book[SHEET]["A2"].value
    workbooks.import_workbook(save(book), user=staff_kaikaku)

    client.force_login(staff_kaikaku)
    response = client.get(f"/staff/entries/{entry_id}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<td>照会票の取込" in page  # the history table's action cell
    assert "entry.import" not in page
    with translation.override("en"):
        (row, *_) = history.staff_rows(Entry.objects.get(pk=entry_id).initiative)
        assert row.action == "Imported from an update sheet"
