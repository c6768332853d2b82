"""A new city's reform office creates its plan from the plan workbook: the template it
downloads, the preview of what will be created, a Japanese problem per cell (sheet, cell, what
is wrong, how to fix it), all or nothing with its history, and hostile files refused."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from evaluations.choices import HistoryAction
from evaluations.models import HistoryEvent
from evaluations.onboarding import layout, reader, template, validate
from evaluations.services import onboarding
from evaluations.workbooks.problems import ImportRejected
from initiatives.models import Department, Initiative, Municipality, Pillar, Plan
from initiatives.roles import Role, ensure_groups
from tests.onboarding.workbooks import city_and_office, filled
from tests.personas import make_user
from tests.workbooks.bad_workbooks import EXPECTED

BAD_FILES = Path(__file__).resolve().parent.parent / "workbooks" / "bad_files"


@pytest.fixture
def city(db):
    return city_and_office()


def _problems(municipality, data) -> list:
    with pytest.raises(ImportRejected) as caught:
        validate.check(reader.parse(data, filename="plan.xlsx"), municipality)
    return caught.value.problems


def _where(problem) -> tuple:
    return (problem.sheet, f"{problem.column}{problem.row or ''}")


# --- the template --------------------------------------------------------------------------------


def test_the_template_has_instructions_japanese_headings_and_drop_down_lists(city):
    municipality, _user = city
    book = load_workbook(io.BytesIO(template.build(municipality)))
    assert book.sheetnames == ["説明", "計画", "柱", "所属", "取組項目", "指標"]
    assert "計画ブックの記入のしかた" in book["説明"]["A1"].value
    assert book["計画"]["B3"].value == "みどり市"
    headings = [c.value for c in book["取組項目"][1]]
    assert headings[:4] == [
        "取組番号（必須）",
        "柱番号（必須）",
        "所管の所属コード（必須）",
        "取組項目（必須）",
    ]
    lists = {
        (name, str(dv.sqref).split(":")[0][0]): dv.formula1
        for name in ("柱", "所属", "取組項目")
        for dv in book[name].data_validations.dataValidation
    }
    assert lists[("柱", "D")] == '"取組方針,手法の柱"'
    assert lists[("取組項目", "H")] == '"毎年度末に評価,指定年度末から評価"'
    assert lists[("取組項目", "J")] == '"A,BC"'


def test_the_example_rows_of_the_instructions_are_never_imported(city):
    municipality, _user = city
    preview = validate.check(reader.parse(filled(municipality)), municipality)
    titles = [i["title"] for i in preview.initiatives]
    assert "ごみ収集業務の委託化" in titles
    assert "環境負荷の低減" in titles  # ours, on 取組項目; the example's is on 説明 only
    assert len(titles) == 5


# --- preview and confirmation ----------------------------------------------------------------


def test_the_preview_lists_everything_it_will_create_and_writes_nothing(city):
    municipality, _user = city
    preview = validate.check(reader.parse(filled(municipality)), municipality)
    assert preview.plan["title"] == "みどり市行財政改革プラン（架空）"
    assert (preview.plan["start_fiscal_year"], preview.plan["end_fiscal_year"]) == (2025, 2028)
    assert preview.plan["slug"] == "midori-2025"
    assert [(p["order"], p["kind"], p["office_tracks_items"]) for p in preview.pillars] == [
        (1, "policy", True),
        (2, "policy", True),
        (3, "method", False),
    ]
    assert [d["code"] for d in preview.new_departments] == ["kankyo", "zaisei"]
    assert [d.code for d in preview.existing_departments] == ["kaikaku"]
    timed = next(i for i in preview.initiatives if i["code"] == "2-2")
    assert (timed["evaluation_timing"], timed["first_evaluated_fiscal_year"]) == ("from_year", 2027)
    assert not Plan.objects.exists()


def test_confirming_creates_the_plan_and_records_each_object_and_the_file(city):
    municipality, user = city
    data = filled(municipality)
    plan = onboarding.import_plan(
        user=user, municipality=municipality, parsed=reader.parse(data, filename="midori.xlsx")
    )
    assert plan.municipality == municipality and plan.pillars.count() == 3
    assert plan.initiatives.count() == 5
    assert Department.objects.filter(municipality=municipality).count() == 3
    item = Initiative.objects.get(plan=plan, code="1-1")
    assert (item.department.name, item.pillar.order, item.reform_level) == ("環境部", 1, "A")
    actions = list(HistoryEvent.objects.values_list("action", flat=True))
    assert actions.count(HistoryAction.INITIATIVE_CREATE) == 5
    assert actions.count(HistoryAction.PILLAR_CREATE) == 3
    assert actions.count(HistoryAction.DEPARTMENT_CREATE) == 2
    event = HistoryEvent.objects.get(action=HistoryAction.PLAN_IMPORT)
    assert event.actor == user and event.changes["file"]["after"] == "midori.xlsx"
    assert event.changes["initiatives"]["after"] == 5


def test_the_same_workbook_confirmed_twice_creates_one_plan(city):
    municipality, user = city
    parsed = reader.parse(filled(municipality))
    onboarding.import_plan(user=user, municipality=municipality, parsed=parsed)
    with pytest.raises(ImportRejected) as caught:
        onboarding.import_plan(user=user, municipality=municipality, parsed=parsed)
    assert "既に登録されています" in caught.value.problems[0].message
    assert Plan.objects.count() == 1


def test_a_failure_half_way_leaves_nothing_behind(city, monkeypatch):
    municipality, user = city
    parsed = reader.parse(filled(municipality))
    real = Initiative.full_clean
    calls = []

    def fail_on_the_fourth(self, *args, **kwargs):
        calls.append(self.code)
        if len(calls) == 4:
            raise RuntimeError("the database went away")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Initiative, "full_clean", fail_on_the_fourth)
    with pytest.raises(RuntimeError):
        onboarding.import_plan(user=user, municipality=municipality, parsed=parsed)
    assert calls == ["1-1", "1-2", "2-1", "2-2"]
    assert not Plan.objects.exists() and not Pillar.objects.exists()
    assert not Initiative.objects.exists()
    assert Department.objects.filter(municipality=municipality).count() == 1
    assert not HistoryEvent.objects.filter(action__startswith="initiative.").exists()


def test_another_citys_office_cannot_import_into_this_city(city, db):
    municipality, _user = city
    other = Municipality.objects.create(slug="yoso", name="よその市")
    office = Department.objects.create(
        municipality=other, code="k", name="改革室", is_reform_office=True
    )
    stranger = make_user(
        "yoso-office", department=office, group=ensure_groups()[Role.REFORM_OFFICE]
    )
    with pytest.raises(Exception) as caught:
        onboarding.import_plan(
            user=stranger,
            municipality=municipality,
            parsed=reader.parse(filled(municipality)),
        )
    assert type(caught.value).__name__ == "PermissionDenied"
    assert not Plan.objects.exists()


# --- a problem per cell ------------------------------------------------------------------------


def _set(sheet, cell, value):
    def edit(book):
        book[sheet][cell] = value

    return edit


PILLAR_ROW = layout.FIRST_DATA_ROW
ITEM_ROW = layout.FIRST_DATA_ROW

CELL_PROBLEMS = [
    # (what is wrong, how the workbook is broken, sheet, cell, words of the message)
    (
        "a required name left blank",
        _set("柱", f"B{PILLAR_ROW}", None),
        "柱",
        f"B{PILLAR_ROW}",
        "「名称」が空欄です。入力してください",
    ),
    (
        "a pillar kind not in the list",
        _set("柱", f"D{PILLAR_ROW}", "重点"),
        "柱",
        f"D{PILLAR_ROW}",
        "「重点」は選べません。一覧から選んでください：取組方針、手法の柱",
    ),
    (
        "a pillar number given twice",
        _set("柱", f"A{PILLAR_ROW + 1}", 1),
        "柱",
        f"A{PILLAR_ROW + 1}",
        "柱の番号1が3行目と重複しています",
    ),
    (
        "a pillar number that is not a number",
        _set("柱", f"A{PILLAR_ROW}", "一"),
        "柱",
        f"A{PILLAR_ROW}",
        "1以上の整数にしてください",
    ),
    (
        "a start year nobody can read",
        _set("計画", "B7", "来年"),
        "計画",
        "B7",
        "「来年」を年度として読めません。西暦（2025）か和暦",
    ),
    (
        "an end year before the start",
        _set("計画", "B8", "令和6年度"),
        "計画",
        "B8",
        "終了年度（令和6年度）が開始年度（令和7年度）より前です",
    ),
    (
        "a plan ID with capitals",
        _set("計画", "B6", "Midori Plan"),
        "計画",
        "B6",
        "半角英小文字・数字・ハイフンだけにしてください",
    ),
    (
        "the workbook of another city",
        _set("計画", "B3", "あおば市"),
        "計画",
        "B3",
        "みどり市の計画ブックではありません",
    ),
    (
        "an initiative under a pillar that does not exist",
        _set("取組項目", f"B{ITEM_ROW}", 9),
        "取組項目",
        f"B{ITEM_ROW}",
        "柱番号「9」の柱が「柱」シートにありません",
    ),
    (
        "an initiative of a department that does not exist",
        _set("取組項目", f"C{ITEM_ROW}", "somu"),
        "取組項目",
        f"C{ITEM_ROW}",
        "所属コード「somu」の所属がありません",
    ),
    (
        "an initiative code given twice",
        _set("取組項目", f"A{ITEM_ROW + 1}", "1-1"),
        "取組項目",
        f"A{ITEM_ROW + 1}",
        "取組番号「1-1」が3行目と重複しています",
    ),
    (
        "a from-year timing without its year",
        _set("取組項目", f"I{ITEM_ROW + 3}", None),
        "取組項目",
        f"I{ITEM_ROW + 3}",
        "「指定年度末から評価」には初回評価年度が必要です",
    ),
    (
        "a yearly timing with a first year",
        _set("取組項目", f"I{ITEM_ROW}", 2026),
        "取組項目",
        f"I{ITEM_ROW}",
        "「毎年度末に評価」の取組項目に初回評価年度は書けません",
    ),
    (
        "a first year outside the plan's period",
        _set("取組項目", f"I{ITEM_ROW + 3}", "令和12年度"),
        "取組項目",
        f"I{ITEM_ROW + 3}",
        "初回評価年度（令和12年度）が計画の取組期間の外です",
    ),
    (
        "a reform level not in the list",
        _set("取組項目", f"J{ITEM_ROW}", "S"),
        "取組項目",
        f"J{ITEM_ROW}",
        "「改革レベル」の「S」は選べません",
    ),
    (
        "a title too long",
        _set("取組項目", f"D{ITEM_ROW}", "あ" * 301),
        "取組項目",
        f"D{ITEM_ROW}",
        "300文字以内にしてください（現在301文字）",
    ),
    (
        "an invisible control character",
        _set("取組項目", f"D{ITEM_ROW}", "委託\u202e化"),
        "取組項目",
        f"D{ITEM_ROW}",
        "制御文字（U+202E）は使えません",
    ),
    (
        "a department code that names another existing department",
        _set("所属", f"A{ITEM_ROW}", "kaikaku"),
        "所属",
        f"A{ITEM_ROW}",
        "登録済みの「行政改革課」のコードです",
    ),
    (
        "a formula cell",
        _set("取組項目", f"D{ITEM_ROW}", "=A3&B3"),
        "取組項目",
        f"D{ITEM_ROW}",
        "数式のセルは取り込めません",
    ),
]


@pytest.mark.parametrize(
    "broken, sheet, cell, message",
    [case[1:] for case in CELL_PROBLEMS],
    ids=[case[0] for case in CELL_PROBLEMS],
)
def test_each_problem_names_its_sheet_and_cell_and_how_to_fix_it(
    city, broken, sheet, cell, message
):
    municipality, _user = city
    problems = _problems(municipality, filled(municipality, edit=broken))
    assert [
        (p.sheet, f"{p.column}{p.row}", p.message) for p in problems if message in p.message
    ] == [(sheet, cell, next(p.message for p in problems if message in p.message))], [
        str(p) for p in problems
    ]


def test_a_hidden_row_is_refused_rather_than_imported_unseen(city):
    municipality, _user = city

    def hide(book):
        book["取組項目"].row_dimensions[ITEM_ROW + 1].hidden = True

    problems = _problems(municipality, filled(municipality, edit=hide))
    assert [(p.sheet, p.row) for p in problems] == [("取組項目", ITEM_ROW + 1)]
    assert "非表示の行は取り込めません" in problems[0].message


def test_a_hidden_sheet_is_refused(city):
    municipality, _user = city

    def hide(book):
        book["所属"].sheet_state = "hidden"

    problems = _problems(municipality, filled(municipality, edit=hide))
    assert any(p.sheet == "所属" and "非表示のシート" in p.message for p in problems)


def test_every_problem_is_reported_at_once(city):
    municipality, _user = city

    def break_three(book):
        book["柱"][f"D{PILLAR_ROW}"] = "重点"
        book["取組項目"][f"C{ITEM_ROW}"] = "somu"
        book["計画"]["B4"] = None

    problems = _problems(municipality, filled(municipality, edit=break_three))
    assert {_where(p) for p in problems} >= {("柱", "D3"), ("取組項目", "C3"), ("計画", "B4")}


def test_a_workbook_that_is_not_the_template_is_refused_in_japanese(city):
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    with pytest.raises(ImportRejected) as caught:
        reader.parse(buffer.getvalue())
    assert "「計画」シートがありません" in str(caught.value)


# --- through the pages: hostile files, re-upload after fixing -------------------------------------


def _upload(client, municipality, data, name="plan.xlsx"):
    return client.post(
        f"/office/setup/{municipality.slug}/plan/",
        {"file": SimpleUploadedFile(name, data)},
    )


@pytest.mark.parametrize(
    "name", ["zip_bomb_ratio.xlsx", "billion_laughs.xlsx", "old_xls.xlsx", "macro_enabled.xlsx"]
)
def test_a_hostile_file_is_refused_with_a_japanese_message(client, city, name):
    municipality, user = city
    client.force_login(user)
    response = _upload(client, municipality, (BAD_FILES / name).read_bytes(), name)
    assert response.status_code == 422
    assert EXPECTED[name] in response.content.decode()
    assert not Plan.objects.exists()


def test_a_refused_upload_can_be_fixed_and_uploaded_again(client, city):
    municipality, user = city
    client.force_login(user)
    broken = filled(municipality, edit=_set("取組項目", f"C{ITEM_ROW}", "somu"))
    response = _upload(client, municipality, broken)
    page = response.content.decode()
    assert response.status_code == 422
    assert "所属コード「somu」の所属がありません" in page and ">C3<" in page
    assert not Plan.objects.exists()

    response = _upload(client, municipality, filled(municipality))
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert "登録される内容の確認" in preview.content.decode()
    assert not Plan.objects.exists()
    done = client.post(response["Location"] + "confirm/")
    assert done.status_code == 302
    assert Plan.objects.get().initiatives.count() == 5
    # The kept upload is gone: confirming again sends the office back to upload.
    again = client.post(response["Location"] + "confirm/")
    assert again.status_code == 404 or again["Location"].endswith("/plan/")
    assert Plan.objects.count() == 1


def test_another_users_upload_token_is_404(client, city):
    municipality, user = city
    client.force_login(user)
    location = _upload(client, municipality, filled(municipality))["Location"]
    other = make_user(
        "midori-office-2",
        department=Department.objects.get(code="kaikaku"),
        group=ensure_groups()[Role.REFORM_OFFICE],
    )
    client.force_login(other)
    assert client.get(location).status_code == 404
    assert client.post(location + "confirm/").status_code == 404


def test_an_htmx_upload_gets_the_preview_fragment_in_place(client, city):
    municipality, user = city
    client.force_login(user)
    response = client.post(
        f"/office/setup/{municipality.slug}/plan/",
        {"file": SimpleUploadedFile("plan.xlsx", filled(municipality))},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="plan-result"') and "<html" not in page
    assert "登録される内容の確認" in page and "/confirm/" in page
    assert not Plan.objects.exists()


def test_the_template_download_is_an_xlsx_named_for_the_city(client, city):
    municipality, user = city
    client.force_login(user)
    response = client.get(f"/office/setup/{municipality.slug}/plan/template.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="plan-workbook-midori.xlsx"' in response["Content-Disposition"]
    assert load_workbook(io.BytesIO(response.content))["計画"]["B2"].value == layout.FORMAT_ID
