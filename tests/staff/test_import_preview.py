"""The 照会票 import shows, before anything is saved, everything it will and will not take:
記入日, the state each row moves to, the columns it does not read, formula cells in them, and
hidden rows (which it reads like any other); its upload label names the size limit on every
state of the page, the error page included."""

import pytest
from django.urls import reverse

from evaluations.models import Round
from tests.personas import client_for, move
from tests.staff.returned_workbook import filled_workbook

pytestmark = pytest.mark.django_db


def _upload(client, data: bytes, name="shoukai.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    return client.post(reverse("reports:import"), {"file": upload}, follow=True)


def test_the_preview_shows_what_the_file_holds_beyond_the_changes(world):
    move(world, world.entry_a, "edit", "submit", "return")
    client = client_for(world, "staff_a")
    workbook = filled_workbook(Round.objects.get(pk=world.round.pk), world.dept_a)
    response = _upload(client, workbook)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<dd data-testid="import-filled-on">令和7年5月20日</dd>' in page
    assert "差戻し → 入力中：1件" in page
    assert "状態：差戻し → 入力中" in page
    assert "列「メモ」：読み込まない列です（取り込みません）。" in page
    assert "列「所管」：読み込まない列です" in page and "列「目標」：読み込まない列です" in page
    assert "数式のセルです。読み込まない列にあるため取り込みません。" in page
    assert "非表示の行ですが、ほかの行と同じく取り込みます。" in page


def test_the_upload_label_names_the_size_limit_on_the_error_pages_too(world, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    client = client_for(world, "staff_a")
    label = "照会票ファイル（.xlsx、10MBまで）"
    assert label in client.get(reverse("reports:import")).content.decode()
    refused = _upload(client, b"not a workbook")
    assert refused.status_code == 422
    assert label in refused.content.decode()
    # A file accepted at upload whose preview is refused later (the entry changed since):
    # the page that says so offers the form again, with its number.
    workbook = filled_workbook(Round.objects.get(pk=world.round.pk), world.dept_a)
    preview_url = _upload(client, workbook).redirect_chain[-1][0]
    move(world, world.entry_a, "edit")
    stale = client.get(preview_url)
    assert stale.status_code == 422
    assert label in stale.content.decode()
