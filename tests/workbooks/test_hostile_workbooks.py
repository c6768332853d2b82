"""Hostile and malformed 照会票: every bad file is refused in Japanese through the web and the
command alike (no 500, no traceback, nothing changed), the bounds stop a huge sheet before it is
built, the file is parsed once from upload to confirmation, and what real Excel files hold
(_x000D_, formulas in columns the import ignores) reads as Excel means it."""

import io
import os
import re
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.html import escape

from evaluations import workbooks
from evaluations.models import Entry, HistoryEvent
from evaluations.workbooks import bounds, preview, reader
from initiatives.models import Department
from tests.workbooks.bad_workbooks import EXPECTED, SHEET, SHEET_PART, patched, sheet_book

pytestmark = pytest.mark.django_db

BAD_FILES = Path(__file__).resolve().parent / "bad_files"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def kept_uploads(settings, tmp_path):
    """Uploads kept between the steps go to a throwaway directory, not the checkout."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def database_state() -> tuple:
    entries = tuple(
        Entry.objects.order_by("pk").values_list("pk", "result", "reason", "narrative", "version")
    )
    return entries, HistoryEvent.objects.count()


def exported(round_) -> bytes:
    return workbooks.export_round(round_, Department.objects.get(code="shisei-kaikaku"))


def edited(data: bytes, **cells) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(data))
    for ref, value in cells.items():
        book[SHEET][ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_with_rows(rows_xml: str) -> bytes:
    return patched(sheet_book(), "</sheetData>", rows_xml + "</sheetData>")


# --- every bad file, both doors -------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_web_refuses_each_bad_file_with_its_message_and_changes_nothing(
    name, client, osaka_reopened, staff_kaikaku
):
    client.force_login(staff_kaikaku)
    state = database_state()
    upload = io.BytesIO((BAD_FILES / name).read_bytes())
    upload.name = name
    response = client.post("/staff/import/", {"file": upload})
    assert response.status_code == 422
    page = response.content.decode()
    # The page shows sheet, row, column and message in a table's cells.
    where, _, message = EXPECTED[name].rpartition("：")
    assert escape(message) in page, name
    if where.startswith("シート"):
        assert f"<td>{SHEET}</td>" in page
    assert database_state() == state


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_command_refuses_each_bad_file_with_its_message_and_changes_nothing(
    name, osaka_reopened, capsys
):
    state = database_state()
    with pytest.raises(CommandError, match="何も取り込みませんでした"):
        call_command("import_workbook", str(BAD_FILES / name), "--dry-run")
    assert EXPECTED[name] in capsys.readouterr().err
    assert database_state() == state


def test_the_command_exits_non_zero_with_the_message_and_no_traceback():
    result = subprocess.run(
        [sys.executable, "manage.py", "import_workbook", str(BAD_FILES / "entry_id_nan.xlsx")],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"DJANGO_ENV": "test"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert EXPECTED["entry_id_nan.xlsx"] in result.stderr
    assert "Traceback" not in result.stderr


# --- bounds before work -------------------------------------------------------------------------


def test_a_million_blank_rows_are_refused_in_a_moment_without_building_them():
    rows = "".join(f'<row r="{n}"/>' for n in range(3, 1_000_003))
    data = sheet_with_rows(rows)
    tracemalloc.start()
    # This process's CPU time, not the wall clock: the other test processes of a parallel run
    # (and whatever else shares the machine) must not count as the parser's time.
    started = time.process_time()
    with pytest.raises(workbooks.ImportRejected, match="行が多すぎます（20,001行目"):
        workbooks.parse(data)
    seconds = time.process_time() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert seconds < 2  # 0.05 s on a laptop; generous for a busy CI machine
    assert peak < 20 * 1024 * 1024


def test_a_row_number_a_hundred_million_down_is_refused_by_the_scan(osaka):
    data = (BAD_FILES / "huge_row_number.xlsx").read_bytes()
    started = time.process_time()  # CPU time, as above
    with pytest.raises(workbooks.ImportRejected) as refused:
        workbooks.read_workbook(data)
    assert time.process_time() - started < 2
    (problem,) = refused.value.problems
    assert problem.sheet == SHEET


def test_the_cells_of_the_whole_book_are_bounded(settings):
    settings.IMPORT_MAX_CELLS = 15  # the summary sheet has 15 cells, the pillar sheet 18
    with pytest.raises(
        workbooks.ImportRejected, match="セルが多すぎます（ブック全体で 15 個まで）"
    ):
        workbooks.parse(sheet_book())


def test_the_shared_strings_are_counted_before_they_are_read(settings):
    strings = "".join(f"<si><t>{n}</t></si>" for n in range(100))
    data = patched(
        sheet_book(),
        "</Types>",
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        "[Content_Types].xml",
    )
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr(
            "xl/sharedStrings.xml",
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"{strings}</sst>",
        )
    settings.IMPORT_MAX_CELLS = 50  # the sheets hold 33 cells
    with pytest.raises(workbooks.ImportRejected, match="共有文字列が多すぎます（50 個まで）"):
        bounds.check_sheets(zipfile.ZipFile(io.BytesIO(buffer.getvalue())))


def test_every_sheet_part_is_bounded_by_its_size(settings):
    settings.IMPORT_MAX_SHEET_BYTES = 20_000  # the theme's 10 KB pass; 8,000 あ are 24 KB or more
    long_row = [1, 1, "2-1", "題", "局", "目標", "達成", "", "あ" * 8000]
    with pytest.raises(workbooks.ImportRejected, match=f"ブック内の要素（{SHEET_PART}）"):
        workbooks.parse(sheet_book(rows=[long_row]))


def test_a_sheet_read_within_the_bounds_never_builds_its_empty_rows():
    data = sheet_with_rows('<row r="19999"><c r="A19999"><v>1</v></c></row>')
    book = reader.read(zipfile.ZipFile(io.BytesIO(data)))
    numbers = [number for number, _ in book[SHEET].numbered_rows()]
    assert numbers == [1, 2, 19999]


def test_openpyxl_reads_the_same_rows_when_it_reads_for_our_reader(monkeypatch):
    ours = workbooks.parse(sheet_book()).rows
    monkeypatch.setattr(reader, "read", lambda archive: (_ for _ in ()).throw(reader.Unsupported))
    assert workbooks.parse(sheet_book()).rows == ours


def test_openpyxls_rows_are_bounded_by_the_settings_whatever_the_sheet_claims(settings):
    """openpyxl pads rows to the <dimension> a sheet declares; the import asks for no more than
    IMPORT_MAX_ROWS × IMPORT_MAX_COLUMNS, and only the rows that hold something."""
    data = sheet_book()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        declared = re.search(r"<dimension[^>]*>", archive.read(SHEET_PART).decode()).group()
    data = patched(data, declared, '<dimension ref="A1:XFD1048576"/>')
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    settings.IMPORT_MAX_COLUMNS = 3
    settings.IMPORT_MAX_ROWS = 5
    rows = list(preview._numbered_rows(book[SHEET]))
    assert [(number, len(row)) for number, row in rows] == [(1, 3), (2, 3)]


# --- parsed once per step -------------------------------------------------------------------------


def test_upload_preview_and_confirm_parse_the_file_once_in_all(
    client, open_round_2025, staff_kaikaku, monkeypatch
):
    opened = []
    real = preview.open_book
    monkeypatch.setattr(preview, "open_book", lambda *a: opened.append(1) or real(*a))
    client.force_login(staff_kaikaku)
    data = edited(exported(open_round_2025), G2="達成")
    upload = io.BytesIO(data)
    upload.name = "shokaihyo.xlsx"
    location = client.post("/staff/import/", {"file": upload})["Location"]
    assert client.get(location).status_code == 200
    token = location.rstrip("/").split("/")[-1]
    confirmed = client.post(f"/staff/import/{token}/confirm/")
    assert confirmed.status_code == 302
    assert Entry.objects.filter(round=open_round_2025, result="achieved").count() == 1
    assert len(opened) == 1


def test_the_confirmation_still_checks_versions_against_the_live_entries(
    client, open_round_2025, staff_kaikaku
):
    from evaluations import services

    client.force_login(staff_kaikaku)
    data = edited(exported(open_round_2025), G2="達成")
    upload = io.BytesIO(data)
    upload.name = "shokaihyo.xlsx"
    location = client.post("/staff/import/", {"file": upload})["Location"]
    entry_id = openpyxl.load_workbook(io.BytesIO(data))[SHEET]["A2"].value
    entry = Entry.objects.get(pk=entry_id)
    services.update_entry_as_system(
        entry_id=entry.pk, expected_version=entry.version, values={"narrative": "割り込み"}
    )
    token = location.rstrip("/").split("/")[-1]
    response = client.post(f"/staff/import/{token}/confirm/")
    assert response.status_code == 422
    assert "照会票の出力後に更新されています" in response.content.decode()
    assert Entry.objects.get(pk=entry_id).result == ""


# --- what real Excel files hold -------------------------------------------------------------------


def test_excels_stored_carriage_return_is_read_as_a_line_break(open_round_2025, staff_kaikaku):
    data = edited(exported(open_round_2025), I2="MARK")
    data = patched(data, "MARK", "一行目_x000D_\n二行目と_x005F_x000D_")
    preview_ = workbooks.read_workbook(data, user=staff_kaikaku)
    (change,) = preview_.changes
    assert change.after["narrative"] == "一行目\n二行目と_x000D_"


def test_unescape_reads_excels_escapes_as_excel_does():
    assert reader.unescape("a_x000D_b_x005F_x000D_c_x0041_") == "a\rb_x000D_cA"


def test_a_formula_in_a_column_the_import_does_not_read_is_left_alone(
    open_round_2025, staff_kaikaku
):
    data = edited(exported(open_round_2025), K1="担当者メモ", K2="=B2+1", G2="達成")
    preview_ = workbooks.read_workbook(data, user=staff_kaikaku)
    assert len(preview_.changes) == 1


def test_a_formula_in_a_column_the_import_reads_is_refused_naming_the_cell(
    open_round_2025, staff_kaikaku
):
    data = edited(exported(open_round_2025), I3='=C3&"の備考"')
    with pytest.raises(workbooks.ImportRejected) as refused:
        workbooks.read_workbook(data, user=staff_kaikaku)
    (problem,) = refused.value.problems
    assert (problem.sheet, problem.row, problem.column) == (SHEET, 3, "I")
    assert "数式のセルは取り込めません" in problem.message


def test_a_formula_is_refused_too_when_openpyxl_reads_the_file_for_our_reader(
    open_round_2025, staff_kaikaku, monkeypatch
):
    # A chart sheet or strict OOXML hands the file to openpyxl, which reads cached values only.
    data = edited(exported(open_round_2025), I3='=C3&"の備考"')
    monkeypatch.setattr(reader, "read", lambda archive: (_ for _ in ()).throw(reader.Unsupported))
    with pytest.raises(workbooks.ImportRejected) as refused:
        workbooks.read_workbook(data, user=staff_kaikaku)
    (problem,) = refused.value.problems
    assert (problem.sheet, problem.row, problem.column) == (SHEET, 3, "I")
    assert "数式のセルは取り込めません" in problem.message


# --- evidence in zip formats --------------------------------------------------------------------


def _evidence_upload(world, name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.personas import HTMX, client_for

    client = client_for(world, "staff_a")
    return client.post(
        f"/staff/entries/{world.entry_a.pk}/evidence/add/",
        {"title": "", "url": "", "file": SimpleUploadedFile(name, content)},
        **HTMX,
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("zip_bomb_ratio.xlsx", "zip 爆弾の疑い"),
        ("too_many_members.xlsx", "ファイル内の要素が多すぎます"),
        ("zip_bomb_declared_size.xlsx", "展開後のサイズが大きすぎる要素があります"),
        ("duplicate_member.xlsx", "同じ名前の要素が2つあります"),
    ],
)
def test_evidence_in_a_zip_format_passes_the_same_container_checks(world, name, message):
    from evaluations.models import Evidence

    history = HistoryEvent.objects.count()
    response = _evidence_upload(world, "shiryo.xlsx", (BAD_FILES / name).read_bytes())
    assert response.status_code == 422
    assert "このファイルは登録できません" in response.content.decode()
    assert message in response.content.decode()
    assert not Evidence.objects.exists()
    assert HistoryEvent.objects.count() == history


def test_a_sound_workbook_is_still_accepted_as_evidence(world):
    from evaluations.models import Evidence

    response = _evidence_upload(world, "shiryo.xlsx", sheet_book())
    assert response.status_code == 200
    assert Evidence.objects.count() == 1


def test_a_sheet_of_nested_elements_is_refused_before_the_parser_builds_them():
    nested = "<x>" * 12_000 + "</x>" * 12_000  # 12,000 elements around 18 cells
    data = patched(sheet_book(), "</sheetData>", f"</sheetData>{nested}")
    with pytest.raises(workbooks.ImportRejected, match="シートの XML にセル以外の要素が多すぎます"):
        workbooks.parse(data)


def test_the_refusals_read_in_english_under_en(osaka_reopened):
    from django.utils import translation

    with translation.override("en"), pytest.raises(workbooks.ImportRejected) as refused:
        workbooks.read_workbook((BAD_FILES / "formula_with_cached_value.xlsx").read_bytes())
    assert "Formula cells cannot be imported" in refused.value.problems[0].message


def test_the_command_refuses_a_file_over_the_limit_unread(settings, tmp_path, monkeypatch):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    path = tmp_path / "big.xlsx"
    path.write_bytes(b"PK" + b"\0" * 2000)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read"))
    with pytest.raises(CommandError, match="ファイルが大きすぎます"):
        call_command("import_workbook", str(path))


@pytest.mark.parametrize("name", ["formula_with_cached_value.xlsx", "unknown_entry_id.xlsx"])
def test_a_large_sheet_read_row_by_row_reads_what_the_whole_tree_reads(name, monkeypatch):
    data = (BAD_FILES / name).read_bytes()

    def sheets():
        book = reader.read(zipfile.ZipFile(io.BytesIO(data)))
        return [(ws.title, list(ws.numbered_rows()), ws.formulas) for ws in book.worksheets]

    whole = sheets()
    monkeypatch.setattr(reader, "_TREE_BYTES", 0)  # every sheet "large"
    assert sheets() == whole
