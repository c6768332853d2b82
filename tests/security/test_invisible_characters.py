"""Invisible control characters (bidi overrides such as U+202E, zero-width spaces, C0
controls) are refused with a message naming the character, in every text people write: the
entry form, review comments, bulk comments, evidence titles and file names, the services the
other doors call, and the 照会票 import. ZWJ and ZWNJ stay allowed (evaluations.rules)."""

import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from evaluations import services, workbooks
from evaluations.models import Entry, Evidence, HistoryEvent
from evaluations.rules import invisible_character
from initiatives.models import Department
from tests.personas import PDF_BYTES, client_for, edit_data, move

RLO = "\u202e"
REFUSED = [
    *(chr(c) for c in range(0x202A, 0x202F)),
    *(chr(c) for c in range(0x2066, 0x206A)),
    "\u200e",
    "\u200f",
    "\u061c",
    "\u200b",
    "\ufeff",
    "\x00",
    "\x1b",
    "\U000e0041",
]
ALLOWED = [
    "\u200c",  # ZWNJ
    "\u200d",  # ZWJ: 👨‍👩‍👧
    "\n",
    "\r\n",
    "\t",
    "\ufe0f",  # a variation selector (category Mn)
    "令和７年度　全角",
]


@pytest.mark.parametrize("char", REFUSED)
def test_the_rule_names_each_refused_character(char):
    assert invisible_character(f"達成{char}した") == f"U+{ord(char):04X}"


@pytest.mark.parametrize("text", ALLOWED)
def test_the_rule_allows_joiners_line_breaks_and_ordinary_text(text):
    assert invisible_character(f"達成{text}した") is None


def _state(entry) -> tuple:
    entry.refresh_from_db()
    return entry.narrative, entry.version, HistoryEvent.objects.count()


def test_the_entry_form_refuses_a_bidi_override_naming_it(world):
    staff = client_for(world, "staff_a")
    entry = world.entry_a
    before = _state(entry)
    response = staff.post(
        f"/staff/entries/{entry.pk}/", edit_data(entry, narrative=f"未達成{RLO}成達")
    )
    assert response.status_code == 422
    assert "制御文字（U+202E）は使えません。" in response.content.decode()
    assert _state(entry) == before


def test_a_review_comment_and_a_bulk_comment_refuse_them_too(world):
    move(world, world.entry_a, "edit", "submit")
    office = client_for(world, "office")
    entry = Entry.objects.get(pk=world.entry_a.pk)
    returned = office.post(
        f"/staff/entries/{entry.pk}/return/",
        {"version": entry.version, "comment": "見直してください\u2066"},
    )
    assert returned.status_code == 422
    assert "U+2066" in returned.content.decode()
    bulk = office.post(
        f"/staff/rounds/{world.round.pk}/bulk/",
        {"action": "return", "entries": f"{entry.pk}:{entry.version}", "comment": f"x{RLO}"},
    )
    assert bulk.status_code == 422
    assert "制御文字（U+202E）は使えません。" in bulk.content.decode()
    assert Entry.objects.get(pk=entry.pk).state == entry.state


def test_evidence_refuses_them_in_its_title_and_its_file_name(world):
    staff = client_for(world, "staff_a")
    entry = world.entry_a
    titled = staff.post(
        f"/staff/entries/{entry.pk}/evidence/add/",
        {"title": f"報告書{RLO}", "url": "https://example.jp/a"},
    )
    assert titled.status_code == 422
    assert "U+202E" in titled.content.decode()
    assert not Evidence.objects.filter(entry=entry).exists()
    # "report<RLO>fdp.exe" would show as "reportexe.pdf": the service refuses such a name
    # (Django's upload parser already drops unprintable characters from a browser's upload).
    upload = SimpleUploadedFile(f"report{RLO}fdp.pdf", PDF_BYTES, "application/pdf")
    with pytest.raises(ValidationError) as refused:
        services.add_evidence(
            user=world.users["staff_a"], entry_id=entry.pk, title="", upload=upload
        )
    assert list(refused.value.message_dict) == ["file"]
    assert not Evidence.objects.filter(entry=entry).exists()


def test_the_services_refuse_them_for_every_caller(world):
    entry = world.entry_a
    with pytest.raises(ValidationError) as refused:
        services.edit_entry(
            user=world.users["staff_a"],
            entry_id=entry.pk,
            expected_version=entry.version,
            values={"reason": f"理由{RLO}"},
        )
    assert refused.value.message_dict == {
        "reason": [
            "制御文字（U+202E）は使えません。見えない文字が含まれていないか確認してください。"
        ]
    }
    with pytest.raises(ValidationError):
        services.add_evidence(
            user=world.users["staff_a"],
            entry_id=entry.pk,
            title="\u200b",
            url="https://example.jp/",
        )


def test_the_import_refuses_the_cell_and_changes_nothing(open_round_2025, staff_kaikaku):
    department = Department.objects.get(code="shisei-kaikaku")
    book = openpyxl.load_workbook(io.BytesIO(workbooks.export_round(open_round_2025, department)))
    sheet = "2 官民連携の推進"
    book[sheet]["G2"] = "達成"
    book[sheet]["I2"] = f"予定どおり{RLO}完了"
    out = io.BytesIO()
    book.save(out)
    before = list(Entry.objects.values_list("pk", "narrative", "version"))
    with pytest.raises(workbooks.ImportRejected) as refused:
        workbooks.import_workbook(out.getvalue(), user=staff_kaikaku, filename="k.xlsx")
    assert [str(p) for p in refused.value.problems] == [
        f"シート「{sheet}」 2行目 I列：制御文字（U+202E）は使えません。"
        "見えない文字が含まれていないか確認してください。"
    ]
    assert list(Entry.objects.values_list("pk", "narrative", "version")) == before
