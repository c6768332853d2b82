"""What an office needed the admin for, now done by the services behind its own pages
(evaluations.services.plan_edits): the plan's title, period and adoption date; an initiative's
number; deleting a pillar or a year's schedule; analysis clusters; reinstating a retired
initiative. Each is refused to anyone but the plan's own reform office, refused from a stale
form, and written with its history row."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from evaluations import services
from evaluations.choices import HistoryAction, Result, RoundKind
from evaluations.models import HistoryEvent, PillarNarrative
from evaluations.services import plan_edits
from evaluations.services.plan_edits import Stale, edit_token
from initiatives.models import AnalysisCluster, Initiative, Pillar, PlanNote
from tests.factories import confirm_entries, make_initiative, make_pillar
from xmeetings.models import Schedule, ScheduleActivity, ScheduleLane


def _events(action) -> list[HistoryEvent]:
    return list(HistoryEvent.objects.filter(action=action).order_by("id"))


def _period(world, **values):
    world.plan.refresh_from_db()
    return plan_edits.edit_plan_period(
        user=world.users["office"],
        plan_id=world.plan.pk,
        token=edit_token(world.plan),
        values=values,
    )


# --- the plan's title, period and adoption date -------------------------------------------------


def test_the_title_period_and_adoption_date_are_saved_with_their_history(world):
    _period(
        world,
        title="新・市政改革プラン",
        start_fiscal_year=2024,
        end_fiscal_year=2028,
        adopted_on=date(2024, 3, 27),
        adopted_precision="day",
    )
    world.plan.refresh_from_db()
    assert (world.plan.title, world.plan.end_fiscal_year) == ("新・市政改革プラン", 2028)
    assert world.plan.adopted_on == date(2024, 3, 27)
    [event] = _events(HistoryAction.PLAN_CHANGE)
    assert event.actor == world.users["office"]
    assert event.changes["end_fiscal_year"] == {"before": 2027, "after": 2028}
    assert event.changes["title"] == {
        "before": "テスト市政改革プラン",
        "after": "新・市政改革プラン",
    }
    assert event.changes["adopted_on"] == {"before": "", "after": "2024-03-27"}


def test_an_open_ended_period_has_no_end_year(world):
    _period(world, start_fiscal_year=2024, end_fiscal_year=None)
    world.plan.refresh_from_db()
    assert world.plan.end_fiscal_year is None
    assert world.plan.period_label_ja == "令和6年度〜"


def test_a_period_that_would_leave_the_round_outside_is_refused_naming_it(world):
    # The world's round is 令和6年度 (2024).
    with pytest.raises(ValidationError) as refused:
        _period(world, start_fiscal_year=2025, end_fiscal_year=2027)
    [message] = refused.value.message_dict["start_fiscal_year"]
    assert message == (
        "開始年度を令和7年度にすると、次のものが取組期間の外になります：照会 1件（令和6年度）。"
        "先にそれらの年度を直すか削除してから、期間を変えてください。"
    )
    world.plan.refresh_from_db()
    assert world.plan.start_fiscal_year == 2024
    assert not _events(HistoryAction.PLAN_CHANGE)


def test_a_shorter_period_names_every_kind_of_row_left_after_its_end(world):
    plan, office = world.plan, world.users["office"]
    pillar = world.initiative_a.pillar
    PlanNote.objects.create(plan=plan, fiscal_year=2026, kind="outcome", order=1, body="成果。")
    PlanNote.objects.create(plan=plan, fiscal_year=2027, kind="outcome", order=1, body="成果。")
    PillarNarrative.objects.create(pillar=pillar, fiscal_year=2026, done="令和8年度においては…")
    AnalysisCluster.objects.create(plan=plan, fiscal_year=2027, code="1", name="保育所")
    Schedule.objects.create(plan=plan, fiscal_year=2026, first_month=5)
    make_initiative(
        plan,
        department=world.dept_a,
        evaluation_timing="from_year",
        first_evaluated_fiscal_year=2027,
    )
    services.open_round(
        user=office, plan=plan, fiscal_year=2026, kind=RoundKind.YEAR_END, as_of=None, due_on=None
    )
    with pytest.raises(ValidationError) as refused:
        _period(world, start_fiscal_year=2024, end_fiscal_year=2025)
    [message] = refused.value.message_dict["end_fiscal_year"]
    for named in (
        "照会 1件（令和8年度）",
        "振り返り・方針 2件（令和8年度〜令和9年度）",
        "柱の年度ごとの取組状況 1件（令和8年度）",
        "分析クラスター 1件（令和9年度）",
        "スケジュール 1件（令和8年度）",
        "取組項目の初回評価年度 1件（令和9年度）",
    ):
        assert named in message
    assert "start_fiscal_year" not in refused.value.message_dict


def test_the_period_check_reads_one_query_per_kind_of_row_however_many_rows(
    world, django_assert_num_queries
):
    PlanNote.objects.bulk_create(
        PlanNote(plan=world.plan, fiscal_year=2027, kind="outcome", order=n, body="成果")
        for n in range(1, 41)
    )
    with django_assert_num_queries(7):
        found = plan_edits.outside_period(world.plan, 2024, 2026)
    assert found["end_fiscal_year"] == ["振り返り・方針 40件（令和9年度）"]


def test_an_end_before_the_start_is_refused_by_the_plans_own_check(world):
    with pytest.raises(ValidationError) as refused:
        _period(world, start_fiscal_year=2024, end_fiscal_year=2023)
    assert "終了年度は開始年度以降にしてください。" in refused.value.messages


def test_a_stale_period_form_is_refused_and_writes_nothing(world):
    seen = edit_token(world.plan)
    plan_edits.edit_plan(
        user=world.users["admin"], plan_id=world.plan.pk, token=seen, values={"contact": "先"}
    )
    with pytest.raises(Stale):
        plan_edits.edit_plan_period(
            user=world.users["office"],
            plan_id=world.plan.pk,
            token=seen,
            values={"title": "後から来た名称"},
        )
    world.plan.refresh_from_db()
    assert world.plan.title == "テスト市政改革プラン"


@pytest.mark.parametrize("persona", ["staff_a", "office_member", "other_office"])
def test_nobody_but_the_plans_own_reform_office_may_make_any_of_these_changes(world, persona):
    user = world.users[persona]
    item, pillar = world.initiative_a, world.initiative_a.pillar
    cluster = AnalysisCluster.objects.create(
        plan=world.plan, fiscal_year=2024, code="1", name="保育所"
    )
    schedule = Schedule.objects.create(plan=world.plan, fiscal_year=2025)
    before = HistoryEvent.objects.count()
    attempts = [
        lambda: plan_edits.edit_plan_period(
            user=user, plan_id=world.plan.pk, token=edit_token(world.plan), values={"title": "x"}
        ),
        lambda: plan_edits.renumber_initiative(
            user=user, initiative_id=item.pk, token=edit_token(item), code="9-9"
        ),
        lambda: plan_edits.reinstate_initiative(
            user=user, initiative_id=item.pk, token=edit_token(item), reason="再開"
        ),
        lambda: plan_edits.delete_pillar(user=user, pillar_id=pillar.pk, token=edit_token(pillar)),
        lambda: plan_edits.delete_schedule(
            user=user, schedule_id=schedule.pk, token=edit_token(schedule)
        ),
        lambda: plan_edits.add_cluster(
            user=user, plan_id=world.plan.pk, values={"fiscal_year": 2024, "code": "2", "name": "y"}
        ),
        lambda: plan_edits.edit_cluster(
            user=user, cluster_id=cluster.pk, token=edit_token(cluster), values={"name": "z"}
        ),
        lambda: plan_edits.move_cluster(
            user=user, cluster_id=cluster.pk, token=edit_token(cluster), direction="up"
        ),
        lambda: plan_edits.delete_cluster(
            user=user, cluster_id=cluster.pk, token=edit_token(cluster)
        ),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert HistoryEvent.objects.count() == before
    assert Schedule.objects.filter(pk=schedule.pk).exists()
    assert Pillar.objects.filter(pk=pillar.pk).exists()


# --- an initiative's number ---------------------------------------------------------------------


def test_a_new_number_is_saved_with_a_renumber_row_in_the_items_history(world):
    item = world.initiative_a
    old = item.code
    plan_edits.renumber_initiative(
        user=world.users["office"], initiative_id=item.pk, token=edit_token(item), code=" 2-7 "
    )
    item.refresh_from_db()
    assert item.code == "2-7"
    [event] = _events(HistoryAction.INITIATIVE_RENUMBER)
    assert event.initiative_id == item.pk
    assert event.changes == {"code": {"before": old, "after": "2-7"}}


def test_a_number_another_item_of_the_plan_has_is_refused_naming_that_item(world):
    item, other = world.initiative_a, world.initiative_b
    with pytest.raises(ValidationError) as refused:
        plan_edits.renumber_initiative(
            user=world.users["office"],
            initiative_id=item.pk,
            token=edit_token(item),
            code=other.code,
        )
    assert refused.value.message_dict["code"] == [
        f"取組番号「{other.code}」は、この計画の取組項目「留保財産の取扱いの策定」が既に使っています。"
    ]
    # Another plan's items may share a number: unique within the plan only.
    foreign = Initiative.objects.exclude(plan=world.plan).first()
    plan_edits.renumber_initiative(
        user=world.users["office"], initiative_id=item.pk, token=edit_token(item), code=foreign.code
    )


def test_a_number_an_other_item_was_published_under_is_refused(world):
    confirm_entries(
        world.round, {world.initiative_a: Result.ACHIEVED, world.initiative_b: Result.ACHIEVED}
    )
    services.publish_round_as_system(round_=world.round, actor_name="test")
    a, b = world.initiative_a, world.initiative_b
    published_code = b.code
    plan_edits.renumber_initiative(
        user=world.users["office"], initiative_id=b.pk, token=edit_token(b), code="9-1"
    )
    with pytest.raises(ValidationError) as refused:
        plan_edits.renumber_initiative(
            user=world.users["office"], initiative_id=a.pk, token=edit_token(a), code=published_code
        )
    assert "公表済みの結果で別の取組項目「留保財産の取扱いの策定」の番号でした" in " ".join(
        refused.value.messages
    )
    # The item itself may take back the number it was published under.
    b.refresh_from_db()
    plan_edits.renumber_initiative(
        user=world.users["office"], initiative_id=b.pk, token=edit_token(b), code=published_code
    )


@pytest.mark.parametrize("code", ["", "  ", "6/5", "6 5", "6?5", "..", "x" * 31])
def test_a_number_that_cannot_be_an_address_is_refused(world, code):
    item = world.initiative_a
    with pytest.raises(ValidationError) as refused:
        plan_edits.renumber_initiative(
            user=world.users["office"], initiative_id=item.pk, token=edit_token(item), code=code
        )
    assert "code" in refused.value.message_dict
    assert not _events(HistoryAction.INITIATIVE_RENUMBER)


# --- deleting a pillar or a year's schedule -----------------------------------------------------


def test_an_empty_pillar_is_deleted_with_its_narratives_recorded(world):
    pillar = make_pillar(world.plan, name="空の柱")
    PillarNarrative.objects.create(pillar=pillar, fiscal_year=2024, done="何もしなかった。")
    plan_edits.delete_pillar(
        user=world.users["office"], pillar_id=pillar.pk, token=edit_token(pillar)
    )
    assert not Pillar.objects.filter(pk=pillar.pk).exists()
    [deleted] = _events(HistoryAction.PILLAR_DELETE)
    assert deleted.changes["name"] == {"before": "空の柱", "after": ""}
    [narrative] = _events(HistoryAction.PILLARNARRATIVE_DELETE)
    assert narrative.changes["done"]["before"] == "何もしなかった。"


def test_a_pillar_with_initiatives_is_refused_naming_how_many(world):
    pillar = world.initiative_a.pillar
    plan_edits.retire_initiative(
        user=world.users["office"],
        initiative_id=world.initiative_b.pk,
        token=edit_token(world.initiative_b),
        reason="統合",
    )
    with pytest.raises(ValidationError) as refused:
        plan_edits.delete_pillar(
            user=world.users["office"], pillar_id=pillar.pk, token=edit_token(pillar)
        )
    assert refused.value.message_dict["move_to"] == [
        f"柱「{pillar.name}」には取組項目が2件（うち廃止1件）あるため、このままでは削除できません。"
        "移す先の柱を選んでください。"
    ]
    assert Pillar.objects.filter(pk=pillar.pk).exists()


def test_a_pillars_initiatives_move_to_the_chosen_pillar_and_then_it_goes_in_one_step(world):
    pillar = world.initiative_a.pillar
    target = make_pillar(world.plan, name="業務改革の推進")
    plan_edits.delete_pillar(
        user=world.users["office"],
        pillar_id=pillar.pk,
        token=edit_token(pillar),
        move_to_pillar_id=target.pk,
    )
    assert set(Initiative.objects.filter(plan=world.plan).values_list("pillar", flat=True)) == {
        target.pk
    }
    moves = _events(HistoryAction.INITIATIVE_MOVE)
    assert {e.initiative_id for e in moves} == {world.initiative_a.pk, world.initiative_b.pk}
    assert all(e.comment == f"柱「{pillar.name}」の削除に伴う移動" for e in moves)
    assert len(_events(HistoryAction.PILLAR_DELETE)) == 1


def test_a_move_target_of_another_plan_is_refused_and_nothing_moves(world):
    pillar = world.initiative_a.pillar
    foreign = Pillar.objects.exclude(plan=world.plan).first()
    with pytest.raises(ValidationError) as refused:
        plan_edits.delete_pillar(
            user=world.users["office"],
            pillar_id=pillar.pk,
            token=edit_token(pillar),
            move_to_pillar_id=foreign.pk,
        )
    assert "move_to" in refused.value.message_dict
    assert Initiative.objects.filter(pillar=pillar).count() == 2


def test_a_pillar_a_publication_froze_is_never_deleted(world):
    confirm_entries(
        world.round, {world.initiative_a: Result.ACHIEVED, world.initiative_b: Result.ACHIEVED}
    )
    services.publish_round_as_system(round_=world.round, actor_name="test")
    pillar = world.initiative_a.pillar
    target = make_pillar(world.plan)
    with pytest.raises(ValidationError) as refused:
        plan_edits.delete_pillar(
            user=world.users["office"],
            pillar_id=pillar.pk,
            token=edit_token(pillar),
            move_to_pillar_id=target.pk,
        )
    assert "公表済みの時点に含まれているため削除できません" in " ".join(refused.value.messages)
    assert Initiative.objects.filter(pillar=pillar).count() == 2


def test_a_stale_pillar_deletion_is_refused(world):
    pillar = make_pillar(world.plan, name="空の柱")
    seen = edit_token(pillar)
    plan_edits.edit_pillar(
        user=world.users["office"], pillar_id=pillar.pk, token=seen, values={"name": "改名した柱"}
    )
    with pytest.raises(Stale):
        plan_edits.delete_pillar(user=world.users["office"], pillar_id=pillar.pk, token=seen)
    assert Pillar.objects.filter(pk=pillar.pk).exists()


def test_a_years_schedule_is_deleted_with_its_rows_and_activities_recorded(world):
    schedule = Schedule.objects.create(plan=world.plan, fiscal_year=2025, first_month=5)
    lane = ScheduleLane.objects.create(schedule=schedule, order=1, name="局区X方針")
    ScheduleActivity.objects.create(
        lane=lane, order=1, label="方針の公表", start_month=5, end_month=5
    )
    plan_edits.delete_schedule(
        user=world.users["office"], schedule_id=schedule.pk, token=edit_token(schedule)
    )
    assert not Schedule.objects.filter(plan=world.plan).exists()
    assert len(_events(HistoryAction.SCHEDULE_DELETE)) == 1
    [row] = _events(HistoryAction.SCHEDULELANE_DELETE)
    assert row.changes["name"]["before"] == "局区X方針"
    [activity] = _events(HistoryAction.SCHEDULEACTIVITY_DELETE)
    assert activity.changes["label"]["before"] == "方針の公表"


# --- analysis clusters --------------------------------------------------------------------------


def _cluster(world, code, name, fiscal_year=2024):
    return plan_edits.add_cluster(
        user=world.users["office"],
        plan_id=world.plan.pk,
        values={"fiscal_year": fiscal_year, "code": code, "name": name},
    )


def test_clusters_are_added_edited_and_recorded(world):
    cluster = _cluster(world, "1", "保育所")
    plan_edits.edit_cluster(
        user=world.users["office"],
        cluster_id=cluster.pk,
        token=edit_token(cluster),
        values={"fiscal_year": 2024, "code": "1", "name": "保育所・幼稚園"},
    )
    cluster.refresh_from_db()
    assert cluster.name == "保育所・幼稚園"
    [created] = _events(HistoryAction.ANALYSISCLUSTER_CREATE)
    assert created.changes["name"] == {"before": "", "after": "保育所"}
    [changed] = _events(HistoryAction.ANALYSISCLUSTER_CHANGE)
    assert changed.changes == {"name": {"before": "保育所", "after": "保育所・幼稚園"}}


def test_a_cluster_number_used_in_the_same_year_or_a_year_outside_the_plan_is_refused(world):
    _cluster(world, "1", "保育所")
    with pytest.raises(ValidationError) as same:
        _cluster(world, "1", "子育て")
    assert "この年度には同じ番号のクラスターが既にあります。" in same.value.messages
    _cluster(world, "1", "子育て", fiscal_year=2025)  # another year may reuse it
    with pytest.raises(ValidationError) as outside:
        _cluster(world, "2", "公園", fiscal_year=2030)
    assert "取組期間" in " ".join(outside.value.message_dict["fiscal_year"])


def test_moving_a_cluster_swaps_its_number_with_its_neighbours_within_its_year(world):
    first, second = _cluster(world, "1", "保育所"), _cluster(world, "2", "子育て")
    _cluster(world, "0", "別の年度", fiscal_year=2025)
    plan_edits.move_cluster(
        user=world.users["office"], cluster_id=second.pk, token=edit_token(second), direction="up"
    )
    listed = AnalysisCluster.objects.filter(plan=world.plan, fiscal_year=2024).order_by("code")
    assert [(c.code, c.name) for c in listed] == [("1", "子育て"), ("2", "保育所")]
    [event] = _events(HistoryAction.ANALYSISCLUSTER_REORDER)
    assert event.changes == {"code": {"before": "2", "after": "1"}}
    assert event.comment == "「保育所」と番号を入れ替え"
    # At the top already: nothing moves, nothing is recorded.
    second.refresh_from_db()
    plan_edits.move_cluster(
        user=world.users["office"], cluster_id=second.pk, token=edit_token(second), direction="up"
    )
    assert len(_events(HistoryAction.ANALYSISCLUSTER_REORDER)) == 1
    first.refresh_from_db()
    assert first.code == "2"


def test_deleting_a_cluster_records_the_initiatives_that_leave_it(world):
    cluster = _cluster(world, "1", "保育所")
    Initiative.objects.filter(pk=world.initiative_a.pk).update(cluster=cluster)
    plan_edits.delete_cluster(
        user=world.users["office"], cluster_id=cluster.pk, token=edit_token(cluster)
    )
    world.initiative_a.refresh_from_db()
    assert world.initiative_a.cluster is None
    [left] = _events(HistoryAction.INITIATIVE_CHANGE)
    assert left.changes == {"cluster": {"before": "保育所", "after": ""}}
    assert len(_events(HistoryAction.ANALYSISCLUSTER_DELETE)) == 1


# --- reinstating a retired initiative -----------------------------------------------------------


def _retire(world, item):
    plan_edits.retire_initiative(
        user=world.users["office"],
        initiative_id=item.pk,
        token=edit_token(item),
        reason="事業の統合により廃止",
    )
    item.refresh_from_db()


def test_a_reinstated_initiative_is_active_again_with_the_reason_in_its_history(world):
    item = world.initiative_a
    _retire(world, item)
    plan_edits.reinstate_initiative(
        user=world.users["office"],
        initiative_id=item.pk,
        token=edit_token(item),
        reason="統合が見送られたため",
    )
    item.refresh_from_db()
    assert (item.retired_on, item.retired_reason) == (None, "")
    [event] = _events(HistoryAction.INITIATIVE_REINSTATE)
    assert event.initiative_id == item.pk
    assert event.comment == "統合が見送られたため"
    assert event.changes["retired_reason"] == {"before": "事業の統合により廃止", "after": ""}
    # The retirement stays in the history.
    assert len(_events(HistoryAction.INITIATIVE_RETIRE)) == 1


def test_a_reinstated_initiative_enters_the_next_rounds_carry_forward_again(world):
    item = world.initiative_a
    _retire(world, item)
    retired_round = services.open_round(
        user=world.users["office"],
        plan=world.plan,
        fiscal_year=2025,
        kind=RoundKind.INTERIM,
        as_of=None,
        due_on=None,
    )
    assert set(retired_round.entries.values_list("initiative", flat=True)) == {
        world.initiative_b.pk
    }
    plan_edits.reinstate_initiative(
        user=world.users["office"], initiative_id=item.pk, token=edit_token(item), reason="再開"
    )
    next_round = services.open_round(
        user=world.users["office"],
        plan=world.plan,
        fiscal_year=2025,
        kind=RoundKind.YEAR_END,
        as_of=None,
        due_on=None,
    )
    assert set(next_round.entries.values_list("initiative", flat=True)) == {
        world.initiative_a.pk,
        world.initiative_b.pk,
    }


def test_a_reinstatement_needs_a_reason_and_a_retired_item(world):
    item = world.initiative_a
    with pytest.raises(ValidationError) as active:
        plan_edits.reinstate_initiative(
            user=world.users["office"], initiative_id=item.pk, token=edit_token(item), reason="再開"
        )
    assert active.value.messages == ["この取組項目は廃止されていません。"]
    _retire(world, item)
    with pytest.raises(ValidationError) as blank:
        plan_edits.reinstate_initiative(
            user=world.users["office"], initiative_id=item.pk, token=edit_token(item), reason=" "
        )
    assert blank.value.message_dict["reason"] == ["廃止を取り消す理由を入力してください。"]
    assert not _events(HistoryAction.INITIATIVE_REINSTATE)
