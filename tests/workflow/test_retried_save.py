"""A save committed whose answer never reached the user (the worker was killed after COMMIT, the
connection dropped) is sent again with the same form: the same old version and the same
per-rendering token. It is recognised as the user's own change, not shown as somebody else's
conflict, and written once (services.edit_entry, HistoryEvent.change_token)."""

import re
import uuid

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from evaluations import services
from evaluations.choices import HistoryAction
from evaluations.models import HistoryEvent
from initiatives.roles import Role, ensure_groups
from tests.personas import HTMX, client_for, edit_data, make_user

pytestmark = pytest.mark.django_db

ALREADY_SAVED = "この変更はすでに保存されています"
CONFLICT = "ほかの人がこの回答を先に更新しました"
TOKEN = re.compile(r'name="change_token" value="([0-9a-f-]{36})"')


def _edits(entry):
    return HistoryEvent.objects.filter(entry=entry, action=HistoryAction.ENTRY_EDIT)


def _form(world, client):
    """What the edit page gives the user: the form's data, with its token."""
    page = client.get(f"/staff/entries/{world.entry_a.pk}/").content.decode()
    (token,) = TOKEN.findall(page)
    return edit_data(world.entry_a, change_token=token)


def _colleague(world) -> Client:
    """Another member of department A, editing the same entry in another browser."""
    user = make_user(
        "staff-a2", department=world.dept_a, group=ensure_groups()[Role.DEPARTMENT_STAFF]
    )
    client = Client()
    client.force_login(user)
    return client


def _post(client, world, data, **extra):
    return client.post(f"/staff/entries/{world.entry_a.pk}/", data, **extra)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain-form", "htmx"])
def test_a_committed_save_sent_again_is_answered_as_saved_with_one_history_row(world, htmx):
    client = client_for(world, "staff_a")
    data = _form(world, client) | {"narrative": "窓口を統合した。"}
    extra = HTMX if htmx else {}
    assert _post(client, world, data, **extra).status_code in (200, 302)
    # The answer was lost on the way; the user presses 保存 again on the same form.
    again = _post(client, world, data, **extra)
    if not htmx:
        assert again.status_code == 302
        again = client.get(again["Location"])
    assert again.status_code == 200
    page = again.content.decode()
    assert ALREADY_SAVED in page
    assert CONFLICT not in page
    assert _edits(world.entry_a).count() == 1
    world.refresh()
    assert (world.entry_a.narrative, world.entry_a.version) == ("窓口を統合した。", 2)


def test_a_different_change_by_someone_else_is_still_a_conflict(world):
    client = client_for(world, "staff_a")
    mine = _form(world, client)
    colleague = _colleague(world)
    theirs = _form(world, colleague)
    assert mine["change_token"] != theirs["change_token"], "each rendering has its own token"
    _post(colleague, world, theirs | {"narrative": "同僚が直した。"})
    response = _post(client, world, mine | {"narrative": "私の文章。"})
    assert response.status_code == 409
    assert CONFLICT in response.content.decode()
    assert ALREADY_SAVED not in response.content.decode()
    assert _edits(world.entry_a).count() == 1


def test_the_same_token_with_other_values_is_a_conflict(world):
    client = client_for(world, "staff_a")
    data = _form(world, client)
    _post(client, world, data | {"narrative": "最初の文章。"})
    response = _post(client, world, data | {"narrative": "書き直した文章。"})
    assert response.status_code == 409
    assert CONFLICT in response.content.decode()
    world.refresh()
    assert world.entry_a.narrative == "最初の文章。"
    assert _edits(world.entry_a).count() == 1


def test_the_same_token_is_a_conflict_once_someone_else_saved_after_it(world):
    client = client_for(world, "staff_a")
    data = _form(world, client) | {"narrative": "最初の文章。"}
    _post(client, world, data)
    world.refresh()
    colleague = _colleague(world)
    _post(colleague, world, _form(world, colleague) | {"narrative": "同僚が直した。"})
    response = _post(client, world, data)
    assert response.status_code == 409
    assert CONFLICT in response.content.decode()


def test_a_form_left_on_the_page_after_an_htmx_save_gets_a_new_token_for_its_next_save(world):
    client = client_for(world, "staff_a")
    data = _form(world, client) | {"narrative": "一回目。"}
    response = _post(client, world, data, **HTMX)
    (new_token,) = TOKEN.findall(response.content.decode())
    assert new_token != data["change_token"]
    world.refresh()
    second = data | {"narrative": "二回目。", "version": 2, "change_token": new_token}
    assert ALREADY_SAVED not in _post(client, world, second, **HTMX).content.decode()
    assert _edits(world.entry_a).count() == 2


def test_the_service_returns_the_entry_unchanged_and_marked_already_saved(world):
    user, token = world.users["staff_a"], uuid.uuid4()
    values = {"result": "", "reason": "", "narrative": "一度だけ。", "staff_comment": ""}
    services.edit_entry(
        user=user,
        entry_id=world.entry_a.pk,
        expected_version=1,
        values=values,
        change_token=token,
    )
    again = services.edit_entry(
        user=user,
        entry_id=world.entry_a.pk,
        expected_version=1,
        values=values,
        change_token=token,
    )
    assert again.already_saved is True
    assert again.version == 2
    assert _edits(world.entry_a).count() == 1


def test_the_database_refuses_a_second_history_row_with_the_same_token(world):
    token = uuid.uuid4()
    services.record(HistoryAction.ENTRY_EDIT, entry=world.entry_a, change_token=token)
    with pytest.raises(IntegrityError), transaction.atomic():
        services.record(HistoryAction.ENTRY_EDIT, entry=world.entry_a, change_token=token)
