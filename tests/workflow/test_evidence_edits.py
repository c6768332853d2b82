"""Adding or removing evidence is an edit of the entry: a new version (a stale save conflicts),
未着手/差戻し → 入力中, and the history row says so."""

from __future__ import annotations

import pytest

from evaluations import services
from evaluations.choices import EntryState as S
from evaluations.models import Entry, Evidence, HistoryEvent
from tests.personas import HTMX, client_for, edit_data, move

LINK = {"title": "公表資料", "url": "https://www.city.example.jp/a.pdf"}


def _add(client, entry, **extra):
    return client.post(f"/staff/entries/{entry.pk}/evidence/add/", LINK, **extra)


def test_it_makes_an_untouched_entry_in_progress_when_evidence_is_added(world):
    assert world.entry_a.state == S.NOT_STARTED
    assert _add(client_for(world, "staff_a"), world.entry_a).status_code == 302
    entry = Entry.objects.get(pk=world.entry_a.pk)
    assert (entry.state, entry.version) == (S.IN_PROGRESS, world.entry_a.version + 1)
    assert entry.updated_by == world.users["staff_a"]
    event = HistoryEvent.objects.get(action="evidence.add")
    assert event.changes["state"] == {"before": S.NOT_STARTED, "after": S.IN_PROGRESS}
    assert event.changes["version"] == entry.version


def test_it_makes_a_returned_entry_in_progress_when_evidence_is_removed(world):
    item = services.add_evidence(user=world.users["staff_a"], entry_id=world.entry_a.pk, **LINK)
    move(world, world.entry_a, "edit", "submit", "return")
    assert world.entry_a.state == S.RETURNED
    services.remove_evidence(user=world.users["staff_a"], evidence_id=item.pk)
    entry = Entry.objects.get(pk=world.entry_a.pk)
    assert (entry.state, entry.version) == (S.IN_PROGRESS, world.entry_a.version + 1)
    event = HistoryEvent.objects.get(action="evidence.remove")
    assert event.changes["state"] == {"before": S.RETURNED, "after": S.IN_PROGRESS}
    assert event.changes["evidence"] == {"before": "公表資料", "after": ""}


def test_it_refuses_a_stale_save_after_somebody_added_evidence(world):
    stale = edit_data(world.entry_a, result="achieved")
    services.add_evidence(user=world.users["staff_a"], entry_id=world.entry_a.pk, **LINK)
    response = client_for(world, "staff_a").post(f"/staff/entries/{world.entry_a.pk}/", stale)
    assert response.status_code == 409
    assert "公表資料" in response.content.decode()  # the conflict names what changed
    assert Entry.objects.get(pk=world.entry_a.pk).result == ""


def test_it_hands_the_htmx_form_the_new_version_after_adding_evidence(world):
    client = client_for(world, "staff_a")
    response = _add(client, world.entry_a, **HTMX)
    assert response.status_code == 200
    page = response.content.decode()
    new_version = world.entry_a.version + 1
    assert f'id="id_version" value="{new_version}" hx-swap-oob="true"' in page
    assert 'id="entry-status" hx-swap-oob="true"' in page
    assert "An evidence change" not in page  # the template's comment stays a comment
    # The form's next save carries the version the fragment handed it: no conflict.
    data = edit_data(world.entry_a, result="achieved", version=new_version)
    assert client.post(f"/staff/entries/{world.entry_a.pk}/", data).status_code == 302


@pytest.mark.parametrize("steps", [("edit", "submit"), ("edit", "submit", "confirm")])
def test_it_still_refuses_evidence_on_a_read_only_entry(world, steps):
    move(world, world.entry_a, *steps)
    with pytest.raises(Exception, match="根拠資料は変更できません"):
        services.add_evidence(user=world.users["staff_a"], entry_id=world.entry_a.pk, **LINK)
    assert not Evidence.objects.exists()
    assert Entry.objects.get(pk=world.entry_a.pk).version == world.entry_a.version
