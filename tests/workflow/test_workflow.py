"""The entry workflow: the transition table itself, and the services that enforce it."""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from evaluations import services, workflow
from evaluations.choices import EntryState as S
from evaluations.models import HistoryEvent
from evaluations.workflow import Action
from initiatives.roles import Role
from tests.personas import move

STAFF, OFFICE = Role.DEPARTMENT_STAFF, Role.REFORM_OFFICE

# The whole rule, written out independently of evaluations.workflow: (role, action, before) → after.
EXPECTED = {
    (STAFF, Action.EDIT, S.NOT_STARTED): S.IN_PROGRESS,
    (STAFF, Action.EDIT, S.IN_PROGRESS): S.IN_PROGRESS,
    (STAFF, Action.EDIT, S.RETURNED): S.IN_PROGRESS,
    (STAFF, Action.SUBMIT, S.IN_PROGRESS): S.SUBMITTED,
    (STAFF, Action.SUBMIT, S.RETURNED): S.SUBMITTED,
    (OFFICE, Action.RETURN, S.SUBMITTED): S.RETURNED,
    (OFFICE, Action.RETURN, S.CONFIRMED): S.RETURNED,
    (OFFICE, Action.RETURN, S.PUBLISHED): S.RETURNED,
    (OFFICE, Action.CONFIRM, S.SUBMITTED): S.CONFIRMED,
    (OFFICE, Action.PUBLISH, S.CONFIRMED): S.PUBLISHED,
    (OFFICE, Action.PUBLISH, S.PUBLISHED): S.PUBLISHED,
}


@pytest.mark.parametrize(
    ("role", "action", "state"), list(itertools.product([STAFF, OFFICE], Action, S))
)
def test_it_allows_exactly_the_listed_transitions(role, action, state):
    assert workflow.target(role, action, state) == EXPECTED.get((role, action, state))


def test_it_leaves_submitted_confirmed_and_published_entries_read_only_for_staff():
    assert {S.NOT_STARTED, S.IN_PROGRESS, S.RETURNED} == workflow.STAFF_EDITABLE


def test_it_walks_the_full_cycle_with_one_history_row_per_step(world):
    entry = move(world, world.entry_a, "edit", "submit", "return", "edit", "submit", "confirm")
    assert entry.state == S.CONFIRMED
    actions = list(
        HistoryEvent.objects.filter(entry=entry).order_by("id").values_list("action", flat=True)
    )
    assert actions == [
        "entry.edit",
        "entry.submit",
        "entry.return",
        "entry.edit",
        "entry.submit",
        "entry.confirm",
    ]
    returned = HistoryEvent.objects.get(entry=entry, action="entry.return")
    assert returned.changes["state"] == {"before": S.SUBMITTED, "after": S.RETURNED}
    assert returned.comment == "根拠資料を添付してください。"
    assert entry.version == 7


def test_it_makes_an_edit_in_progress_and_records_each_field_before_and_after(world):
    staff = world.users["staff_a"]
    entry = services.edit_entry(
        user=staff,
        entry_id=world.entry_a.pk,
        expected_version=1,
        values={"result": "achieved", "narrative": "全面委託を開始した。"},
    )
    assert entry.state == S.IN_PROGRESS
    event = HistoryEvent.objects.get(entry=entry, action="entry.edit")
    assert event.actor == staff
    assert event.round == world.round
    assert event.changes == {
        "result": {"before": "", "after": "achieved"},
        "narrative": {"before": "", "after": "全面委託を開始した。"},
        "state": {"before": S.NOT_STARTED, "after": S.IN_PROGRESS},
        "version": 2,
    }


def test_it_refuses_staff_editing_a_submitted_entry_in_japanese(world):
    entry = move(world, world.entry_a, "edit", "submit")
    with pytest.raises(ValidationError, match="「提出済」の回答には「編集」を行えません"):
        services.edit_entry(
            user=world.users["staff_a"],
            entry_id=entry.pk,
            expected_version=entry.version,
            values={"narrative": "書き換え"},
        )


def test_it_refuses_the_office_editing_and_staff_confirming(world):
    entry = move(world, world.entry_a, "edit", "submit")
    with pytest.raises(PermissionDenied):
        services.edit_entry(
            user=world.users["office"],
            entry_id=entry.pk,
            expected_version=entry.version,
            values={"narrative": "室で修正"},
        )
    with pytest.raises(PermissionDenied):
        services.transition_entry(
            user=world.users["staff_a"],
            entry_id=entry.pk,
            expected_version=entry.version,
            action="confirm",
        )


def test_it_refuses_another_departments_entry(world):
    with pytest.raises(PermissionDenied):
        services.edit_entry(
            user=world.users["staff_b"],
            entry_id=world.entry_a.pk,
            expected_version=1,
            values={"narrative": "よその局の入力"},
        )


def test_it_requires_a_comment_to_return_and_a_result_to_submit(world):
    entry = move(world, world.entry_a, "edit", "submit")
    with pytest.raises(ValidationError, match="差戻しの理由"):
        services.transition_entry(
            user=world.users["office"],
            entry_id=entry.pk,
            expected_version=entry.version,
            action="return",
            comment="   ",
        )
    services.edit_entry(
        user=world.users["staff_b"],
        entry_id=world.entry_b.pk,
        expected_version=1,
        values={"narrative": "結果は未定"},
    )
    with pytest.raises(ValidationError, match="評価結果を選んでから提出"):
        services.transition_entry(
            user=world.users["staff_b"],
            entry_id=world.entry_b.pk,
            expected_version=2,
            action="submit",
        )


def test_it_refuses_every_change_once_the_round_is_closed(world):
    entry = move(world, world.entry_a, "edit", "submit")
    services.close_round(user=world.users["office"], round_id=world.round.pk)
    history = HistoryEvent.objects.count()
    with pytest.raises(ValidationError, match="締め切られている"):
        services.transition_entry(
            user=world.users["office"],
            entry_id=entry.pk,
            expected_version=entry.version,
            action="confirm",
        )
    with pytest.raises(ValidationError, match="締め切られている"):
        services.edit_entry(
            user=world.users["staff_b"],
            entry_id=world.entry_b.pk,
            expected_version=1,
            values={"narrative": "締切後"},
        )
    assert HistoryEvent.objects.count() == history
    assert HistoryEvent.objects.filter(action="round.close", round=world.round).count() == 1


def test_it_confirms_many_entries_at_once_each_with_its_history_row(world):
    a = move(world, world.entry_a, "edit", "submit")
    b = move(world, world.entry_b, "edit", "submit")
    done = services.bulk_transition(
        user=world.users["office"],
        items=[(a.pk, a.version), (b.pk, b.version)],
        action="confirm",
    )
    assert {e.state for e in done} == {S.CONFIRMED}
    assert HistoryEvent.objects.filter(action="entry.confirm").count() == 2


def test_it_refuses_a_whole_bulk_return_when_one_entry_is_stale_naming_it(world):
    a = move(world, world.entry_a, "edit", "submit")
    b = move(world, world.entry_b, "edit", "submit")
    with pytest.raises(services.BulkRefused) as refused:
        services.bulk_transition(
            user=world.users["office"],
            items=[(a.pk, a.version), (b.pk, b.version - 1)],
            action="return",
            comment="数値を再確認してください。",
        )
    assert [r.entry_id for r in refused.value.refusals] == [b.pk]
    assert "ほかの人が先に更新しました" in refused.value.refusals[0].reason
    assert refused.value.rest == 1
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.state, b.state) == (S.SUBMITTED, S.SUBMITTED)
    assert not HistoryEvent.objects.filter(action="entry.return").exists()


def test_it_publishes_with_a_history_row_per_entry_and_a_new_version(world):
    a = move(world, world.entry_a, "edit", "submit", "confirm")
    move(world, world.entry_b, "edit", "submit", "confirm")
    publication = services.publish_round(user=world.users["office"], round_id=world.round.pk)
    a.refresh_from_db()
    assert a.state == S.PUBLISHED
    event = HistoryEvent.objects.get(entry=a, action="entry.publish")
    assert event.publication == publication
    assert event.changes == {
        "state": {"before": S.CONFIRMED, "after": S.PUBLISHED},
        "version": a.version,
    }


def test_it_refuses_publishing_a_half_reviewed_round(world):
    move(world, world.entry_a, "edit", "submit", "confirm")
    with pytest.raises(ValidationError, match="確認済になっていない回答が1件"):
        services.publish_round(user=world.users["office"], round_id=world.round.pk)


def test_it_refuses_staff_closing_or_publishing_a_round(world):
    for action in (services.close_round, services.publish_round):
        with pytest.raises(PermissionDenied):
            action(user=world.users["staff_a"], round_id=world.round.pk)
