"""The browser side: report download, background job with progress, workbook download, and
upload → preview → confirm import — with the permission checklist."""

import io
import re

import openpyxl
import pytest
from django.test import override_settings

from evaluations.models import Entry, HistoryEvent
from initiatives.models import Department
from tests.personas import make_member

pytestmark = pytest.mark.django_db

SHEET = "2 官民連携の推進"


@pytest.fixture(autouse=True)
def private_media(private_media, tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return private_media


# The reform office: its department, and the permission to manage rounds that its reports
# need as much as its rounds do (a member without it is refused both: tests/access).
OFFICE_PERMS = ("submit_entry", "manage_round")


@pytest.fixture
def office_user(osaka):
    return make_member("office", Department.objects.get(code="shisei-kaikaku"), perms=OFFICE_PERMS)


@pytest.fixture
def kitakyushu_office(kitakyushu):
    return make_member(
        "k-office", Department.objects.get(code="shisei-henkaku"), perms=OFFICE_PERMS
    )


def test_anonymous_users_are_sent_to_sign_in(client, osaka):
    for url in (
        "/office/reports/",
        "/office/reports/osaka-shin-shisei-kaikaku/2024/progress.pdf",
        "/staff/import/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_office_downloads_the_pdf(client, office_user):
    client.force_login(office_user)
    page = client.get("/office/reports/").content.decode()
    assert "/office/reports/osaka-shin-shisei-kaikaku/2024/progress.pdf" in page
    response = client.get("/office/reports/osaka-shin-shisei-kaikaku/2024/progress.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-1.7")


def test_another_citys_office_and_department_staff_get_404(client, kitakyushu_office, staff_zaisei):
    for user in (kitakyushu_office, staff_zaisei):
        client.force_login(user)
        assert (
            client.get("/office/reports/osaka-shin-shisei-kaikaku/2024/progress.pdf").status_code
            == 404
        )
        assert (
            client.post("/office/reports/osaka-shin-shisei-kaikaku/2024/jobs/").status_code == 404
        )
    assert client.get("/office/reports/nope/2024/progress.pdf").status_code == 404


@override_settings(REPORT_BACKGROUND_THRESHOLD=10)
def test_a_large_plan_is_made_in_the_background_with_progress(client, office_user, staff_zaisei):
    client.force_login(office_user)
    page = client.get("/office/reports/").content.decode()
    assert "/office/reports/osaka-shin-shisei-kaikaku/2024/jobs/" in page
    response = client.post("/office/reports/osaka-shin-shisei-kaikaku/2024/jobs/")
    assert response.status_code == 302
    job_url = response["Location"]
    fragment = client.get(job_url, headers={"HX-Request": "true"}).content.decode()
    assert "完了しました（100%）" in fragment
    assert "hx-trigger" not in fragment  # finished: polling stops
    download = re.search(r'href="([^"]+/download/)"', fragment).group(1)
    pdf = client.get(download)
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    client.force_login(staff_zaisei)
    assert client.get(job_url).status_code == 404
    assert client.get(download).status_code == 404


def test_staff_download_only_their_own_departments_workbook(client, open_round_2025, staff_zaisei):
    client.force_login(staff_zaisei)
    url = f"/staff/import/rounds/{open_round_2025.pk}/workbook.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(client.get(url).content))
    assert book.sheetnames == ["概要", "6 持続可能な行財政基盤の構築"]
    assert client.get(url + "?department=shisei-kaikaku").status_code == 404


def test_upload_preview_confirm_applies_the_changes(client, open_round_2025, staff_kaikaku):
    client.force_login(staff_kaikaku)
    data = client.get(
        f"/staff/import/rounds/{open_round_2025.pk}/workbook.xlsx?department=shisei-kaikaku"
    ).content
    book = openpyxl.load_workbook(io.BytesIO(data))
    book[SHEET]["G2"] = "達成"
    book[SHEET]["I2"] = "年度内に策定した。"
    entry_id = book[SHEET]["A2"].value
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "filled.xlsx"
    history = HistoryEvent.objects.count()

    response = client.post("/staff/import/", {"file": out})
    assert response.status_code == 302, response.content.decode()
    preview = client.get(response["Location"]).content.decode()
    assert "1件を変更" in preview
    assert "年度内に策定した。" in preview
    assert Entry.objects.get(pk=entry_id).result == ""  # nothing yet

    confirm = re.search(r'action="(/staff/import/[0-9a-f]+/confirm/)"', preview).group(1)
    done = client.post(confirm, follow=True)
    assert "filled.xlsx を取り込みました（1件変更" in done.content.decode()
    assert Entry.objects.get(pk=entry_id).result == "achieved"
    assert HistoryEvent.objects.count() == history + 1
    assert client.post(confirm).status_code == 404  # the upload is gone once applied


def test_an_htmx_upload_swaps_the_problems_in(client, osaka, staff_kaikaku):
    client.force_login(staff_kaikaku)
    bad = io.BytesIO(b"not a workbook")
    bad.name = "bad.xlsx"
    response = client.post("/staff/import/", {"file": bad}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="import-result">')
    assert "テキストのファイルです" in body


def test_another_users_upload_cannot_be_previewed(
    client, open_round_2025, staff_kaikaku, staff_zaisei
):
    client.force_login(staff_kaikaku)
    data = client.get(
        f"/staff/import/rounds/{open_round_2025.pk}/workbook.xlsx?department=shisei-kaikaku"
    ).content
    upload = io.BytesIO(data)
    upload.name = "same.xlsx"
    preview_url = client.post("/staff/import/", {"file": upload})["Location"]
    client.force_login(staff_zaisei)
    assert client.get(preview_url).status_code == 404
