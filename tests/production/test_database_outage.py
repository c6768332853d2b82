"""While the database is unreachable (a restart, a lost connection), visitors get a clean 503
page in their language with Retry-After, staff saving with htmx get a message while the form
keeps what they typed, and the log gets one line per refused request with its id
(reformtracker.outage, reformtracker.views.database_unavailable)."""

import io
import logging
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError, connections
from django.test import Client

from tests.personas import HTMX, client_for, edit_data

pytestmark = pytest.mark.django_db

SAVE_REFUSED = (
    "保存できませんでした。データベースに接続できません。"
    "入力した内容はそのまま残っています。時間をおいてもう一度保存してください。"
)


def _database_down(error=OperationalError):
    return mock.patch.object(
        connections["default"],
        "ensure_connection",
        side_effect=error('connection to server at "db" failed: Connection refused\n\tIs it up?'),
    )


def _visitor() -> Client:
    # As a browser sees it: the exception becomes the answer instead of reaching the test.
    return Client(raise_request_exception=False)


def test_a_visitor_gets_a_japanese_503_page_with_retry_after(seeded):
    with _database_down():
        response = _visitor().get("/", headers={"X-Request-ID": "visitor-503"})
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert '<html lang="ja">' in page
    assert "ただいまご利用いただけません" in page
    assert "データベースに接続できないため" in page
    assert "visitor-503" in page
    assert "Traceback" not in page


def test_the_english_site_says_it_in_english(seeded):
    with _database_down():
        response = _visitor().get("/en/")
    assert response.status_code == 503
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Temporarily unavailable" in page
    assert "cannot reach its database" in page


def test_an_open_data_client_gets_json_it_can_read(seeded):
    with _database_down():
        japanese = _visitor().get("/open-data/home.json")
        english = _visitor().get("/en/open-data/initiatives.json?q=窓口")
    assert japanese.status_code == english.status_code == 503
    assert japanese["Retry-After"] == "30"
    assert japanese.json() == {
        "errors": {
            "database": "表示できませんでした。データベースに接続できません。"
            "時間をおいてもう一度お試しください。"
        }
    }
    assert english.json()["errors"]["database"].startswith("Could not show this.")


def test_a_lost_connection_is_an_outage_too(seeded):
    with _database_down(InterfaceError):
        assert _visitor().get("/").status_code == 503


def test_a_page_served_through_the_page_cache_gets_the_503_too(seeded, page_cache):
    # The cache middleware reads the publications' fingerprint before any view runs.
    with _database_down():
        response = _visitor().get("/")
    assert response.status_code == 503
    assert "ただいまご利用いただけません" in response.content.decode()


def test_staff_saving_with_htmx_are_told_their_change_was_not_saved(world):
    client = client_for(world, "staff_a")
    client.raise_request_exception = False
    data = edit_data(world.entry_a, narrative="下書き：窓口の統合を完了した。")
    with _database_down():
        response = client.post(f"/staff/entries/{world.entry_a.pk}/", data, **HTMX)
    assert response.status_code == 503
    assert response["HX-Reswap"] == "none"
    assert response["Retry-After"] == "30"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == SAVE_REFUSED
    world.refresh()
    assert world.entry_a.narrative != "下書き：窓口の統合を完了した。"


def test_english_staff_get_the_message_in_english(world):
    client = client_for(world, "staff_a")
    client.raise_request_exception = False
    with _database_down():
        response = client.post(
            f"/en/staff/entries/{world.entry_a.pk}/", edit_data(world.entry_a), **HTMX
        )
    assert response.status_code == 503
    assert response.content.decode().startswith("Could not save.")


def test_a_form_sent_without_javascript_gets_the_page_saying_nothing_was_saved(world):
    client = client_for(world, "staff_a")
    client.raise_request_exception = False
    with _database_down():
        response = client.post(f"/staff/entries/{world.entry_a.pk}/", edit_data(world.entry_a))
    assert response.status_code == 503
    assert "送信した内容は保存されていません" in response.content.decode()


def test_each_refused_request_is_one_log_line_with_its_id_and_no_traceback(seeded, caplog):
    with _database_down(), caplog.at_level("INFO"):
        _visitor().get("/initiatives/", headers={"X-Request-ID": "outage-line-1"})
    outage = [r for r in caplog.records if r.name == "reformtracker.outage"]
    assert len(outage) == 1
    (record,) = outage
    assert record.levelname == "ERROR"
    assert record.exc_info is None
    message = record.getMessage()
    assert message.startswith(
        "database unavailable: GET /initiatives/ user=- error=OperationalError:"
    )
    assert "\n" not in message.replace("\\n", "")
    assert [r for r in caplog.records if r.name == "django.request"] == []


def test_the_log_line_carries_the_request_id():
    handlers = logging.getLogger("reformtracker").handlers
    (console,) = [h for h in handlers if type(h) is logging.StreamHandler]
    stream = io.StringIO()
    previous = console.setStream(stream)
    try:
        with _database_down():
            _visitor().get("/", headers={"X-Request-ID": "outage-line-2"})
    finally:
        console.setStream(previous)
    (line,) = stream.getvalue().splitlines()
    assert "ERROR reformtracker.outage [outage-line-2] database unavailable: GET / " in line
    assert "\\n" in line  # the driver's multi-line message stays on one line


def test_any_other_error_is_still_the_500_page(seeded):
    with mock.patch.object(
        connections["default"], "ensure_connection", side_effect=RuntimeError("a bug")
    ):
        response = _visitor().get("/")
    assert response.status_code == 500
    assert "サーバーでエラーが発生しました" in response.content.decode()
    assert "Retry-After" not in response
