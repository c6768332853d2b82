"""Invalid data is refused — by full_clean in Japanese, and by the database when clean is skipped."""

import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from evaluations import services
from evaluations.choices import EntryState, Result, RoundKind
from evaluations.models import (
    Entry,
    HistoryEvent,
    Publication,
    PublishedPillar,
    PublishedResult,
    Round,
)
from initiatives.models import Initiative, Pillar
from reformtracker.calendar_ja import fy_label_ja
from tests.factories import (
    make_initiative,
    make_pillar,
    make_plan,
    make_published_round,
    open_year_end_round,
)
from xmeetings.models import Meeting

pytestmark = pytest.mark.django_db

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def messages_of(excinfo, field=None) -> list[str]:
    error = excinfo.value
    if field is None:
        return error.messages
    return error.message_dict[field]


def assert_all_japanese(messages):
    assert messages
    for message in messages:
        assert JAPANESE.search(message), message


def counts() -> dict[str, int]:
    models = (Round, Entry, Publication, PublishedResult, PublishedPillar, HistoryEvent)
    return {model.__name__: model.objects.count() for model in models}


# --- rounds --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fiscal_year", [2023, 2028])
def test_a_round_outside_the_plans_period_is_refused_naming_the_nendo(fiscal_year):
    plan = make_plan(start_fiscal_year=2024, end_fiscal_year=2027)
    round_ = Round(
        plan=plan,
        fiscal_year=fiscal_year,
        kind=RoundKind.YEAR_END,
        as_of=date(fiscal_year + 1, 3, 31),
    )
    with pytest.raises(ValidationError) as excinfo:
        round_.full_clean()
    messages = messages_of(excinfo, "fiscal_year")
    assert_all_japanese(messages)
    assert any(fy_label_ja(fiscal_year) in m for m in messages)
    assert any("令和6年度〜令和9年度" in m for m in messages)


def test_opening_a_round_outside_the_plans_period_writes_nothing():
    plan = make_plan(start_fiscal_year=2024, end_fiscal_year=2027)
    make_initiative(plan)
    before = counts()
    with pytest.raises(ValidationError):
        open_year_end_round(plan, 2028)
    assert counts() == before


def test_a_plan_without_an_end_accepts_any_later_year():
    plan = make_plan(start_fiscal_year=2024, end_fiscal_year=None)
    Round(plan=plan, fiscal_year=2030, as_of=date(2031, 3, 31)).full_clean()


def test_a_year_end_round_must_be_as_of_march_31():
    plan = make_plan()
    round_ = Round(plan=plan, fiscal_year=2024, kind=RoundKind.YEAR_END, as_of=date(2025, 3, 30))
    with pytest.raises(ValidationError) as excinfo:
        round_.full_clean()
    assert messages_of(excinfo, "as_of") == ["年度末の照会の時点は令和7年3月31日です。"]


def test_two_year_end_rounds_for_one_fiscal_year_are_refused():
    plan = make_plan()
    open_year_end_round(plan, 2024)
    second = Round(plan=plan, fiscal_year=2024, kind=RoundKind.YEAR_END, as_of=date(2025, 3, 31))
    with pytest.raises(ValidationError) as excinfo:
        second.full_clean()
    assert "この年度の年度末照会は既にあります。" in messages_of(excinfo)
    assert_all_japanese(messages_of(excinfo))


def test_the_database_refuses_a_second_year_end_round_even_on_another_day():
    plan = make_plan()
    open_year_end_round(plan, 2024)
    with pytest.raises(IntegrityError), transaction.atomic():
        Round.objects.create(
            plan=plan, fiscal_year=2024, kind=RoundKind.YEAR_END, as_of=date(2025, 3, 30)
        )
    assert Round.objects.filter(plan=plan, fiscal_year=2024).count() == 1


def test_an_interim_round_may_sit_beside_the_year_end_one():
    plan = make_plan()
    open_year_end_round(plan, 2024)
    interim = Round(plan=plan, fiscal_year=2024, kind=RoundKind.INTERIM, as_of=date(2024, 9, 30))
    interim.full_clean()
    interim.save()
    assert Round.objects.filter(plan=plan, fiscal_year=2024).count() == 2


def test_an_interim_round_must_fall_inside_its_fiscal_year():
    plan = make_plan()
    interim = Round(plan=plan, fiscal_year=2024, kind=RoundKind.INTERIM, as_of=date(2025, 4, 1))
    with pytest.raises(ValidationError) as excinfo:
        interim.full_clean()
    assert messages_of(excinfo, "as_of") == ["時点は令和6年度の期間内にしてください。"]


# --- entries and published results ---------------------------------------------------------------


@pytest.fixture
def entry():
    plan = make_plan()
    make_initiative(plan)
    return open_year_end_round(plan).entries.get()


@pytest.mark.parametrize("reason", ["", "   "])
def test_excluded_without_a_reason_is_refused_by_full_clean(entry, reason):
    entry.result = Result.EXCLUDED
    entry.reason = reason
    with pytest.raises(ValidationError) as excinfo:
        entry.full_clean()
    assert messages_of(excinfo, "reason") == ["「評価対象外」には理由を入力してください。"]


def test_the_database_check_refuses_a_direct_save_of_excluded_without_reason(entry):
    entry.result = Result.EXCLUDED
    entry.reason = ""
    with pytest.raises(IntegrityError), transaction.atomic():
        entry.save()
    entry.refresh_from_db()
    assert entry.result == ""


def test_excluded_with_a_reason_is_accepted(entry):
    entry.result = Result.EXCLUDED
    entry.reason = "令和9年度末時点で評価を実施のため、評価対象外。"
    entry.full_clean()
    entry.save()
    entry.refresh_from_db()
    assert entry.result == Result.EXCLUDED


def test_a_published_result_excluded_without_reason_is_refused_by_the_database():
    publication = make_published_round(make_plan(), [Result.ACHIEVED])
    row = publication.results.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        PublishedResult.objects.filter(pk=row.pk).update(result=Result.EXCLUDED, reason="")
    row.refresh_from_db()
    assert row.result == Result.ACHIEVED


def test_update_entry_refuses_excluded_without_reason_and_writes_nothing(entry):
    before = counts()
    with pytest.raises(ValidationError) as excinfo:
        services.update_entry_as_system(
            entry_id=entry.pk,
            expected_version=entry.version,
            values={"result": Result.EXCLUDED, "reason": ""},
        )
    assert "「評価対象外」には理由を入力してください。" in excinfo.value.messages
    assert counts() == before
    refreshed = Entry.objects.get(pk=entry.pk)
    assert (refreshed.result, refreshed.version) == ("", entry.version)


# --- initiatives and pillars ---------------------------------------------------------------------


def test_a_duplicate_initiative_code_in_one_plan_is_refused_by_full_clean():
    first = make_initiative(code="2-1")
    duplicate = Initiative(
        plan=first.plan,
        pillar=first.pillar,
        department=first.department,
        code="2-1",
        title="別の取組",
    )
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert "この計画には同じ取組番号が既にあります。" in messages_of(excinfo)
    assert_all_japanese(messages_of(excinfo))


def test_a_duplicate_initiative_code_in_one_plan_is_refused_by_the_database():
    first = make_initiative(code="2-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Initiative.objects.create(
            plan=first.plan,
            pillar=first.pillar,
            department=first.department,
            code="2-1",
            title="別の取組",
        )
    assert Initiative.objects.filter(plan=first.plan, code="2-1").count() == 1


def test_the_same_initiative_code_may_be_used_in_another_plan():
    make_initiative(code="2-1")
    other = make_initiative(code="2-1")
    assert Initiative.objects.filter(code="2-1").count() == 2
    assert other.plan_id != Initiative.objects.exclude(pk=other.pk).get(code="2-1").plan_id


def test_a_duplicate_pillar_order_in_one_plan_is_refused():
    plan = make_plan()
    make_pillar(plan, order=2)
    duplicate = Pillar(plan=plan, order=2, name="官民連携の推進（重複）")
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert "この計画には同じ番号の柱が既にあります。" in messages_of(excinfo)
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    assert plan.pillars.filter(order=2).count() == 1


def test_a_pillar_numbered_zero_is_refused():
    pillar = Pillar(plan=make_plan(), order=0, name="第0の柱")
    with pytest.raises(ValidationError) as excinfo:
        pillar.full_clean()
    assert "柱の番号は1以上にしてください。" in messages_of(excinfo)


def test_an_initiative_evaluated_from_a_year_needs_that_year():
    initiative = make_initiative()
    initiative.evaluation_timing = Initiative.Timing.FROM_YEAR
    initiative.first_evaluated_fiscal_year = None
    with pytest.raises(ValidationError) as excinfo:
        initiative.full_clean()
    assert "「指定年度末から評価」には初回評価年度が必要です。" in messages_of(excinfo)


def test_an_initiative_under_another_plans_pillar_is_refused():
    initiative = make_initiative()
    initiative.pillar = make_pillar(make_plan())
    with pytest.raises(ValidationError) as excinfo:
        initiative.full_clean()
    assert messages_of(excinfo, "pillar") == ["柱は同じ計画のものを選んでください。"]


# --- meetings ------------------------------------------------------------------------------------


def kitakyushu_like_plan():
    return make_plan(start_fiscal_year=2024, end_fiscal_year=None)


def test_a_meeting_in_the_unknown_third_matsujun_is_refused_in_japanese():
    meeting = Meeting(
        plan=kitakyushu_like_plan(),
        fiscal_year=2025,
        number=2,
        date_year=2025,
        date_month=7,
        date_part="末旬",
    )
    with pytest.raises(ValidationError) as excinfo:
        meeting.full_clean()
    messages = messages_of(excinfo, "date_part")
    assert_all_japanese(messages)
    assert not any("not a valid" in m for m in messages)


def test_a_meeting_with_both_a_day_and_a_third_is_refused():
    meeting = Meeting(
        plan=kitakyushu_like_plan(),
        fiscal_year=2025,
        number=1,
        date_year=2025,
        date_month=7,
        date_day=3,
        date_part="early",
    )
    with pytest.raises(ValidationError) as excinfo:
        meeting.full_clean()
    assert_all_japanese(messages_of(excinfo))
    assert any("どちらか一方" in m for m in messages_of(excinfo))


@pytest.mark.parametrize(
    ("year", "month", "part"),
    [(2025, 3, "late"), (2026, 4, "early"), (2027, 1, "late")],
)
def test_a_meeting_outside_its_fiscal_year_is_refused(year, month, part):
    meeting = Meeting(
        plan=kitakyushu_like_plan(),
        fiscal_year=2025,
        number=1,
        date_year=year,
        date_month=month,
        date_part=part,
    )
    with pytest.raises(ValidationError) as excinfo:
        meeting.full_clean()
    assert messages_of(excinfo, "date_month") == ["開催日は令和7年度の期間内にしてください。"]


def test_a_late_january_meeting_in_the_next_calendar_year_is_inside_the_fiscal_year():
    meeting = Meeting(
        plan=kitakyushu_like_plan(),
        fiscal_year=2025,
        number=6,
        date_year=2026,
        date_month=1,
        date_part="late",
    )
    meeting.full_clean()
    meeting.save()
    assert (meeting.earliest, meeting.latest) == (date(2026, 1, 21), date(2026, 1, 31))


def test_a_meeting_before_the_plan_began_is_refused_naming_the_nendo():
    meeting = Meeting(
        plan=kitakyushu_like_plan(),
        fiscal_year=2023,
        number=1,
        date_year=2023,
        date_month=5,
        date_day=23,
    )
    with pytest.raises(ValidationError) as excinfo:
        meeting.full_clean()
    assert any("令和5年度" in m for m in messages_of(excinfo, "fiscal_year"))


def test_two_meetings_with_one_number_in_a_year_are_refused():
    plan = kitakyushu_like_plan()
    first = Meeting(
        plan=plan, fiscal_year=2025, number=1, date_year=2025, date_month=5, date_day=23
    )
    first.full_clean()
    first.save()
    again = Meeting(
        plan=plan, fiscal_year=2025, number=1, date_year=2025, date_month=7, date_part="early"
    )
    with pytest.raises(ValidationError) as excinfo:
        again.full_clean()
    assert "この年度には同じ回のX会議が既にあります。" in messages_of(excinfo)


# --- optimistic locking --------------------------------------------------------------------------


def test_a_stale_save_raises_conflict_and_writes_nothing(entry):
    loaded_version = entry.version
    winner = services.update_entry_as_system(
        entry_id=entry.pk,
        expected_version=loaded_version,
        values={"result": Result.ACHIEVED, "narrative": "先に保存した内容"},
        actor_name="市政改革室 A",
    )
    before = counts()
    history_before = list(HistoryEvent.objects.values_list("pk", flat=True))

    with pytest.raises(services.Conflict) as excinfo:
        services.update_entry_as_system(
            entry_id=entry.pk,
            expected_version=loaded_version,
            values={"result": Result.NOT_ACHIEVED, "narrative": "後から保存しようとした内容"},
            actor_name="所管局 B",
        )

    assert counts() == before
    assert list(HistoryEvent.objects.values_list("pk", flat=True)) == history_before
    stored = Entry.objects.get(pk=entry.pk)
    assert (stored.result, stored.narrative, stored.version) == (
        Result.ACHIEVED,
        "先に保存した内容",
        winner.version,
    )
    conflict = excinfo.value
    assert JAPANESE.search(str(conflict))
    assert conflict.their_changes["result"]["after"] == Result.ACHIEVED
    assert conflict.their_changes["result"]["by"] == "市政改革室 A"


def test_a_save_with_the_current_version_goes_through_and_is_recorded(entry):
    updated = services.update_entry_as_system(
        entry_id=entry.pk,
        expected_version=entry.version,
        values={"result": Result.ACHIEVED},
        state=EntryState.SUBMITTED,
    )
    assert updated.version == entry.version + 1
    event = HistoryEvent.objects.get(entry=entry, action="entry.update")
    assert event.changes["result"] == {"before": "", "after": Result.ACHIEVED}
    assert event.changes["state"]["after"] == EntryState.SUBMITTED


# --- publishing ----------------------------------------------------------------------------------


def test_publishing_refuses_while_an_entry_is_not_confirmed_and_writes_nothing():
    plan = make_plan()
    confirmed, submitted = make_initiative(plan), make_initiative(plan)
    round_ = open_year_end_round(plan)
    entries = {e.initiative_id: e for e in round_.entries.all()}
    for initiative, state in ((confirmed, EntryState.CONFIRMED), (submitted, EntryState.SUBMITTED)):
        services.update_entry_as_system(
            entry_id=entries[initiative.pk].pk,
            expected_version=entries[initiative.pk].version,
            values={"result": Result.ACHIEVED},
            state=state,
        )
    before = counts()
    states_before = dict(round_.entries.values_list("pk", "state"))

    with pytest.raises(ValidationError) as excinfo:
        services.publish_round_as_system(round_=round_)

    assert excinfo.value.messages == ["確認済になっていない回答が1件あるため公表できません。"]
    assert counts() == before
    assert dict(round_.entries.values_list("pk", "state")) == states_before


def test_publishing_refuses_a_confirmed_entry_without_a_result():
    plan = make_plan()
    make_initiative(plan)
    round_ = open_year_end_round(plan)
    entry = round_.entries.get()
    services.update_entry_as_system(
        entry_id=entry.pk, expected_version=entry.version, values={}, state=EntryState.CONFIRMED
    )
    before = counts()
    with pytest.raises(ValidationError) as excinfo:
        services.publish_round_as_system(round_=round_)
    assert excinfo.value.messages == ["評価結果が未入力の回答が1件あるため公表できません。"]
    assert counts() == before


def test_publishing_freezes_every_entry_and_marks_it_published():
    publication = make_published_round(make_plan(), [Result.ACHIEVED, Result.EXCLUDED])
    assert publication.results.count() == 2
    assert set(publication.round.entries.values_list("state", flat=True)) == {EntryState.PUBLISHED}
    assert HistoryEvent.objects.filter(publication=publication, action="round.publish").exists()


# --- history -------------------------------------------------------------------------------------


def test_history_refuses_to_be_edited():
    make_published_round(make_plan(), [Result.ACHIEVED])
    event = HistoryEvent.objects.filter(action="round.publish").get()
    event.comment = "書き換え"
    with pytest.raises(PermissionError):
        event.save()
    event.refresh_from_db()
    assert event.comment == ""


def test_history_refuses_to_be_deleted():
    make_published_round(make_plan(), [Result.ACHIEVED])
    before = HistoryEvent.objects.count()
    event = HistoryEvent.objects.filter(action="round.publish").get()
    with pytest.raises(PermissionError):
        event.delete()
    assert HistoryEvent.objects.count() == before
    assert HistoryEvent.objects.filter(pk=event.pk).exists()
