"""An uploaded 照会票 is kept only until it is confirmed or grows stale: nothing piles up in the
``imports`` storage (on either backend), and a visitor coming back to an expired preview is told so in Japanese."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from evaluations import import_uploads
from evaluations.models import HistoryEvent
from tests.private_files import BACKENDS, age, files

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.parametrize("private_media", BACKENDS, indirect=True),
]


@pytest.fixture(autouse=True)
def a_day_to_confirm(settings):
    settings.IMPORT_UPLOAD_MAX_AGE_HOURS = 24


def _age(name, hours: float) -> None:
    age(import_uploads.storage(), name, hours)


def _kept() -> list[str]:
    return files(import_uploads.storage())


def _upload(client, round_) -> str:
    data = client.get(
        f"/staff/import/rounds/{round_.pk}/workbook.xlsx?department=shisei-kaikaku"
    ).content
    upload = io.BytesIO(data)
    upload.name = "shokaihyo.xlsx"
    response = client.post("/staff/import/", {"file": upload})
    assert response.status_code == 302
    return response["Location"]


def test_a_confirmed_upload_leaves_no_file_behind(client, open_round_2025, staff_kaikaku):
    client.force_login(staff_kaikaku)
    preview = _upload(client, open_round_2025)
    assert len(_kept()) == 1
    token = preview.rstrip("/").rsplit("/", 1)[1]
    client.post(f"/staff/import/{token}/confirm/")
    assert _kept() == []


def test_an_expired_preview_says_so_in_japanese_and_keeps_nothing(
    client, open_round_2025, staff_kaikaku
):
    client.force_login(staff_kaikaku)
    preview = _upload(client, open_round_2025)
    (name,) = _kept()
    _age(name, 25)
    history = HistoryEvent.objects.count()
    token = preview.rstrip("/").rsplit("/", 1)[1]
    for response in (
        client.get(preview, follow=True),
        client.post(f"/staff/import/{token}/confirm/", follow=True),
    ):
        page = response.content.decode()
        assert response.redirect_chain[-1][0] == "/staff/import/"
        assert "保存期間（24時間）が過ぎたか、既に取り込まれています" in page
    assert _kept() == [] and HistoryEvent.objects.count() == history


def test_a_new_upload_sweeps_away_stale_ones_but_not_fresh_ones(
    client, open_round_2025, staff_kaikaku
):
    client.force_login(staff_kaikaku)
    _upload(client, open_round_2025)
    (abandoned,) = _kept()
    _age(abandoned, 30)
    _upload(client, open_round_2025)
    fresh = _kept()
    assert abandoned not in fresh and len(fresh) == 1
    _upload(client, open_round_2025)
    assert len(_kept()) == 2  # a day has not passed: both are someone's open preview


def test_the_command_clears_stale_uploads_for_cron():
    storage = import_uploads.storage()
    storage.save("a1.xlsx", ContentFile(b"x"))
    storage.save("b2.xlsx", ContentFile(b"y"))
    _age("a1.xlsx", 48)
    out = io.StringIO()
    call_command("clear_stale_imports", stdout=out)
    assert "1件削除しました" in out.getvalue()
    assert _kept() == ["b2.xlsx"]
