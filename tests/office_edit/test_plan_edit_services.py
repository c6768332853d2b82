"""The office's edits of its plan, at the service layer (evaluations.services.plan_edits): each
change is permission-checked, refused from a stale form, and written with its history row."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from evaluations import services
from evaluations.choices import HistoryAction, Result
from evaluations.models import HistoryEvent, PillarNarrative, PublishedResult
from evaluations.services import plan_edits
from evaluations.services.plan_edits import Stale, edit_token
from initiatives.models import Initiative, PlanNote
from tests.factories import confirm_entries, make_department, make_pillar
from xmeetings.models import Schedule, ScheduleActivity, ScheduleLane


def _events(action) -> list[HistoryEvent]:
    return list(HistoryEvent.objects.filter(action=action).order_by("id"))


def test_an_edit_of_the_plan_records_each_changed_field_before_and_after(world):
    office = world.users["office"]
    plan_edits.edit_plan(
        user=office,
        plan_id=world.plan.pk,
        token=edit_token(world.plan),
        values={"summary": "行政運営の改革を進める計画。", "contact": "市政改革室 06-0000-0000"},
    )
    world.plan.refresh_from_db()
    assert world.plan.contact == "市政改革室 06-0000-0000"
    [event] = _events(HistoryAction.PLAN_CHANGE)
    assert event.actor == office
    assert event.changes == {
        "summary": {"before": "", "after": "行政運営の改革を進める計画。"},
        "contact": {"before": "", "after": "市政改革室 06-0000-0000"},
    }


def test_a_save_from_a_form_loaded_before_another_save_is_refused_and_writes_nothing(world):
    office = world.users["office"]
    seen = edit_token(world.plan)
    plan_edits.edit_plan(user=office, plan_id=world.plan.pk, token=seen, values={"summary": "先"})
    with pytest.raises(Stale) as refused:
        plan_edits.edit_plan(
            user=office, plan_id=world.plan.pk, token=seen, values={"summary": "後"}
        )
    assert "ほかの人がこの内容を先に更新しました" in str(refused.value)
    assert refused.value.current["summary"] == "先"
    world.plan.refresh_from_db()
    assert world.plan.summary == "先"
    assert len(_events(HistoryAction.PLAN_CHANGE)) == 1


@pytest.mark.parametrize("persona", ["staff_a", "office_member", "other_office"])
def test_nobody_but_the_plans_own_reform_office_may_edit_it(world, persona):
    before = HistoryEvent.objects.count()
    with pytest.raises(PermissionDenied):
        plan_edits.edit_plan(
            user=world.users[persona],
            plan_id=world.plan.pk,
            token=edit_token(world.plan),
            values={"summary": "書き換え"},
        )
    with pytest.raises(PermissionDenied):
        plan_edits.retire_initiative(
            user=world.users[persona],
            initiative_id=world.initiative_a.pk,
            token=edit_token(world.initiative_a),
            reason="理由",
        )
    assert HistoryEvent.objects.count() == before
    assert Initiative.objects.retired().count() == 0


def test_notes_are_added_last_of_their_year_and_kind_and_reordered_by_swapping(world):
    office = world.users["office"]
    first, second = (
        plan_edits.add_note(
            user=office,
            plan_id=world.plan.pk,
            values={"fiscal_year": 2024, "kind": "challenge", "title": "", "body": body},
        )
        for body in ("一つ目の課題。", "二つ目の課題。")
    )
    assert (first.order, second.order) == (1, 2)
    plan_edits.move_note(user=office, note_id=second.pk, token=edit_token(second), direction="up")
    assert list(
        PlanNote.objects.filter(plan=world.plan).order_by("order").values_list("body", flat=True)
    ) == ["二つ目の課題。", "一つ目の課題。"]
    [event] = _events(HistoryAction.PLANNOTE_REORDER)
    assert event.changes == {"order": {"before": 2, "after": 1}}
    assert len(_events(HistoryAction.PLANNOTE_CREATE)) == 2


def test_a_note_outside_the_plans_period_is_refused_in_japanese(world):
    with pytest.raises(ValidationError) as refused:
        plan_edits.add_note(
            user=world.users["office"],
            plan_id=world.plan.pk,
            values={"fiscal_year": 2030, "kind": "outcome", "body": "範囲外"},
        )
    assert "取組期間" in " ".join(refused.value.messages)


def test_writing_next_years_narrative_leaves_the_earlier_year_as_it_was(world):
    office = world.users["office"]
    pillar = world.initiative_a.pillar
    old = plan_edits.save_narrative(
        user=office,
        pillar_id=pillar.pk,
        fiscal_year=2024,
        token="",
        values={"done": "令和6年度においては委託化を進めた。", "next_steps": "引き続き進める。"},
    )
    plan_edits.save_narrative(
        user=office,
        pillar_id=pillar.pk,
        fiscal_year=2025,
        token="",
        values={"done": "令和7年度においては全区で委託化した。", "next_steps": ""},
    )
    plan_edits.save_narrative(
        user=office,
        pillar_id=pillar.pk,
        fiscal_year=2025,
        token=edit_token(PillarNarrative.objects.get(pillar=pillar, fiscal_year=2025)),
        values={"next_steps": "令和8年度は検証する。"},
    )
    old.refresh_from_db()
    assert old.done == "令和6年度においては委託化を進めた。"
    assert PillarNarrative.objects.filter(pillar=pillar).count() == 2
    assert len(_events(HistoryAction.PILLARNARRATIVE_CREATE)) == 2
    [change] = _events(HistoryAction.PILLARNARRATIVE_CHANGE)
    assert change.changes == {"next_steps": {"before": "", "after": "令和8年度は検証する。"}}


def test_two_offices_writing_a_years_first_narrative_at_once_do_not_overwrite(world):
    pillar = world.initiative_a.pillar
    values = {"done": "一人目", "next_steps": ""}
    plan_edits.save_narrative(
        user=world.users["office"], pillar_id=pillar.pk, fiscal_year=2025, token="", values=values
    )
    with pytest.raises(Stale):
        plan_edits.save_narrative(
            user=world.users["admin"],
            pillar_id=pillar.pk,
            fiscal_year=2025,
            token="",
            values={"done": "二人目", "next_steps": ""},
        )
    assert PillarNarrative.objects.get(pillar=pillar, fiscal_year=2025).done == "一人目"


def test_a_retired_initiative_keeps_its_entries_and_leaves_the_active_ones(world):
    item = world.initiative_a
    plan_edits.retire_initiative(
        user=world.users["office"],
        initiative_id=item.pk,
        token=edit_token(item),
        reason="事業の統合により廃止",
        on=date(2025, 10, 1),
    )
    item.refresh_from_db()
    assert item.retired_label == "廃止（事業の統合により廃止）"
    assert list(Initiative.objects.filter(plan=world.plan).active()) == [world.initiative_b]
    assert item.entries.count() == 1
    [event] = _events(HistoryAction.INITIATIVE_RETIRE)
    assert event.initiative_id == item.pk
    assert event.changes["retired_reason"] == {"before": "", "after": "事業の統合により廃止"}


def test_a_retirement_needs_a_reason_in_the_service_and_in_the_database(world):
    item = world.initiative_a
    with pytest.raises(ValidationError) as refused:
        plan_edits.retire_initiative(
            user=world.users["office"], initiative_id=item.pk, token=edit_token(item), reason=" "
        )
    assert refused.value.message_dict["reason"] == ["廃止の理由を入力してください。"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Initiative.objects.filter(pk=item.pk).update(retired_on=date(2025, 10, 1))


def test_an_evaluated_initiative_is_never_deleted(world):
    item = world.initiative_a  # it has an entry in the open round
    with pytest.raises(ValidationError) as refused:
        plan_edits.delete_initiative(
            user=world.users["office"], initiative_id=item.pk, token=edit_token(item)
        )
    message = " ".join(refused.value.messages)
    assert "評価の記録" in message and "削除できません" in message and "廃止" in message
    # Nor by any other door: the ORM and the database refuse it too.
    with pytest.raises(ProtectedError), transaction.atomic():
        item.delete()
    table = Initiative._meta.db_table
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{table}" WHERE id = %s', [item.pk])
        # The foreign keys are checked at COMMIT, which a test never reaches: check them now.
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        else:
            connection.check_constraints()
    assert Initiative.objects.filter(pk=item.pk).exists()


def test_an_unevaluated_initiative_may_be_deleted_and_its_history_says_what_it_was(world):
    office = world.users["office"]
    item = plan_edits.add_initiative(
        user=office,
        plan_id=world.plan.pk,
        values={
            "code": "9-9",
            "pillar": world.initiative_a.pillar,
            "title": "誤って登録した取組",
            "department": world.dept_a,
            "evaluation_timing": "every_year",
        },
    )
    plan_edits.delete_initiative(user=office, initiative_id=item.pk, token=edit_token(item))
    assert not Initiative.objects.filter(pk=item.pk).exists()
    deleted = HistoryEvent.objects.get(action=HistoryAction.INITIATIVE_DELETE)
    assert deleted.initiative_id == item.pk
    assert deleted.changes["title"] == {"before": "誤って登録した取組", "after": ""}


def test_an_initiative_moved_to_another_pillar_keeps_its_published_pillar(world):
    item = world.initiative_a
    confirm_entries(
        world.round, {world.initiative_a: Result.ACHIEVED, world.initiative_b: Result.ACHIEVED}
    )
    services.publish_round_as_system(round_=world.round, actor_name="test")
    old_pillar = item.pillar
    new_pillar = make_pillar(world.plan, name="業務改革の推進")
    plan_edits.move_initiative(
        user=world.users["office"],
        initiative_id=item.pk,
        token=edit_token(item),
        pillar_id=new_pillar.pk,
    )
    item.refresh_from_db()
    assert item.pillar == new_pillar
    assert PublishedResult.objects.get(initiative=item).pillar == old_pillar
    [event] = _events(HistoryAction.INITIATIVE_MOVE)
    assert event.changes["pillar"]["after"] == str(new_pillar)


def test_a_pillar_of_another_plan_is_refused_as_a_destination(world):
    elsewhere = make_pillar(world.other_plan)
    with pytest.raises(ValidationError):
        plan_edits.move_initiative(
            user=world.users["office"],
            initiative_id=world.initiative_a.pk,
            token=edit_token(world.initiative_a),
            pillar_id=elsewhere.pk,
        )


def test_a_renamed_initiative_keeps_its_published_title(world):
    confirm_entries(
        world.round, {world.initiative_a: Result.ACHIEVED, world.initiative_b: Result.ACHIEVED}
    )
    services.publish_round_as_system(round_=world.round, actor_name="test")
    item = world.initiative_a
    plan_edits.edit_initiative(
        user=world.users["office"],
        initiative_id=item.pk,
        token=edit_token(item),
        values={"title": "ごみ収集業務の民間委託（全区）"},
    )
    assert PublishedResult.objects.get(initiative=item).title == "ごみ収集業務の全面委託化"
    item.refresh_from_db()
    assert item.title == "ごみ収集業務の民間委託（全区）"


def test_a_schedule_row_and_its_spans_are_added_edited_and_removed_with_history(world):
    office = world.users["office"]
    schedule = plan_edits.add_schedule(
        user=office,
        plan_id=world.plan.pk,
        values={"fiscal_year": 2025, "title": "スケジュール（予定）", "first_month": 5},
    )
    lane = plan_edits.add_lane(
        user=office, schedule_id=schedule.pk, values={"name": "プラチナ市役所プロジェクト"}
    )
    activity = plan_edits.add_activity(
        user=office,
        lane_id=lane.pk,
        values={"label": "PTの人選・結成", "start_month": 5, "end_month": 7},
    )
    plan_edits.edit_activity(
        user=office, activity_id=activity.pk, token=edit_token(activity), values={"end_month": 9}
    )
    _columns, rows = Schedule.objects.with_grid().get(pk=schedule.pk).grid([])
    [row] = rows
    [shown] = [a for cell in row["cells"] for a in cell]
    assert shown.span_label == "5月〜9月"
    with pytest.raises(ValidationError) as refused:
        plan_edits.edit_activity(
            user=office,
            activity_id=activity.pk,
            token=edit_token(ScheduleActivity.objects.get(pk=activity.pk)),
            values={"start_month": 10, "end_month": 6},
        )
    assert "終了月は開始月以降" in " ".join(refused.value.messages)
    lane.refresh_from_db()
    plan_edits.delete_lane(user=office, lane_id=lane.pk, token=edit_token(lane))
    assert not ScheduleLane.objects.filter(pk=lane.pk).exists()
    assert not ScheduleActivity.objects.filter(pk=activity.pk).exists()
    removed = HistoryEvent.objects.get(action=HistoryAction.SCHEDULEACTIVITY_DELETE)
    assert removed.changes["label"]["before"] == "PTの人選・結成"
    assert HistoryEvent.objects.filter(action=HistoryAction.SCHEDULEACTIVITY_CHANGE).count() == 1


def test_an_initiative_added_by_the_office_is_owned_by_a_department_of_its_own_city(world):
    elsewhere = make_department(world.other_plan.municipality, code="kankyo-2", name="環境局")
    with pytest.raises(ValidationError) as refused:
        plan_edits.add_initiative(
            user=world.users["office"],
            plan_id=world.plan.pk,
            values={
                "code": "9-1",
                "pillar": world.initiative_a.pillar,
                "title": "よその市の所属の取組",
                "department": elsewhere,
                "evaluation_timing": "every_year",
            },
        )
    assert "所管は計画と同じ自治体の所属" in " ".join(refused.value.messages)


def test_a_pillar_is_added_with_a_free_number_only(world):
    office = world.users["office"]
    pillar = plan_edits.add_pillar(
        user=office,
        plan_id=world.plan.pk,
        values={"order": 7, "name": "持続可能な行財政基盤の構築", "kind": "policy"},
    )
    assert HistoryEvent.objects.get(action=HistoryAction.PILLAR_CREATE).subject_id == pillar.pk
    with pytest.raises(ValidationError) as refused:
        plan_edits.add_pillar(
            user=office, plan_id=world.plan.pk, values={"order": 7, "name": "同じ番号"}
        )
    assert "この計画には同じ番号の柱が既にあります。" in " ".join(refused.value.messages)
