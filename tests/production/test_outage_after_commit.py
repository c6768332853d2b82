"""The database lost after a staff save was committed, while the session is saved at the end of
the request (its renewal due, reformtracker.sessions): the session backend's SessionInterrupted (a 400) is answered as the outage it is,
a 503 saying the save could not be confirmed (not that nothing was saved); sent again, the same
form is recognised as already saved (evaluations.services.edit_entry's change token)."""

import re
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.db import OperationalError

from evaluations.choices import HistoryAction
from evaluations.models import HistoryEvent
from reformtracker.sessions import RENEWED_KEY
from tests.personas import HTMX, client_for, edit_data

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="change_token" value="([0-9a-f-]{36})"')
UNCONFIRMED = "データベースとの接続が途中で切れたため、保存できたかどうかを確認できませんでした。"
NOT_SAVED = "保存されていません"


def _session_save_fails():
    return mock.patch.object(
        Session, "save", side_effect=OperationalError("server closed the connection unexpectedly")
    )


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain-form"])
def test_a_save_whose_session_could_not_be_saved_is_a_503_then_recognised_on_retry(world, htmx):
    client = client_for(world, "staff_a")
    client.raise_request_exception = False
    page = client.get(f"/staff/entries/{world.entry_a.pk}/").content.decode()
    data = edit_data(world.entry_a, narrative="接続が切れる直前の保存。")
    data["change_token"] = TOKEN.search(page)[1]
    extra = HTMX if htmx else {}
    session = client.session
    session[RENEWED_KEY] = 0  # last renewed long ago: this request saves the session
    session.save()
    with _session_save_fails():
        lost = client.post(f"/staff/entries/{world.entry_a.pk}/", data, **extra)
    assert lost.status_code == 503
    assert lost["Retry-After"] == "30"
    assert UNCONFIRMED in lost.content.decode()
    assert NOT_SAVED not in lost.content.decode()
    world.refresh()
    assert world.entry_a.narrative == "接続が切れる直前の保存。", "the save was committed"

    again = client.post(f"/staff/entries/{world.entry_a.pk}/", data, follow=not htmx, **extra)
    assert again.status_code == 200
    assert "この変更はすでに保存されています" in again.content.decode()
    edits = HistoryEvent.objects.filter(entry=world.entry_a, action=HistoryAction.ENTRY_EDIT)
    assert edits.count() == 1


def test_a_bad_request_with_no_database_error_behind_it_is_still_a_400(world):
    client = client_for(world, "staff_a")
    client.raise_request_exception = False
    response = client.get("/", headers={"Host": "not-allowed.example"})
    assert response.status_code == 400
