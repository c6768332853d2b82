"""The seed loader: both cities as their documents state them, idempotent, all or nothing."""

import io
import json
import re
from collections import Counter
from datetime import date, datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from evaluations.choices import Result
from evaluations.models import HistoryEvent, PillarNarrative, Publication, PublishedResult
from evaluations.rates import summarize, summarize_by
from initiatives.models import Initiative, Municipality, Pillar, Plan
from tests.constants import KITAKYUSHU, OSAKA, OSAKA_PILLARS
from xmeetings.models import Meeting, MeetingTopic, Schedule

FIXTURES = settings.BASE_DIR / "fixtures"
OSAKA_FILE = FIXTURES / "osaka.json"
KITAKYUSHU_FILE = FIXTURES / "kitakyushu.json"
DOMAIN_APPS = ("initiatives", "evaluations", "xmeetings")

pytestmark = pytest.mark.django_db


def read_fixture(path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def row_counts() -> dict[str, int]:
    """Rows of every model, including many-to-many tables."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


def domain_snapshot() -> dict[str, list[dict]]:
    """Every row of the domain apps, column by column, in primary-key order."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for app in DOMAIN_APPS
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
    }


def latest_publication(slug: str) -> Publication:
    return Publication.objects.filter(round__plan__slug=slug).latest()


@pytest.fixture
def quiet():
    """A sink for the command's progress lines."""
    return io.StringIO()


# --- Osaka ---------------------------------------------------------------------------------------


def test_osaka_latest_publication_gives_the_released_figures(seeded):
    summary = summarize(latest_publication(OSAKA).results.all())
    assert summary.checked == 24
    assert summary.evaluated == 23
    assert summary.achieved == 19
    assert summary.not_achieved == 4
    assert summary.excluded == 1
    assert summary.rate == Fraction(19, 23)
    assert summary.rate_display() == "約82.6%"
    assert summary.rate_display_long_ja() == "約82.6パーセント"
    assert summary.fraction_label == "19項目/23項目"


def test_osaka_environment_item_is_checked_but_excluded_until_the_end_of_reiwa_9(seeded):
    row = latest_publication(OSAKA).results.get(title="環境負荷の低減に係る取組の推進")
    assert row.result == Result.EXCLUDED
    assert row.get_result_display() == "評価対象外"
    assert "令和9年度末" in row.reason
    initiative = Initiative.objects.get(plan__slug=OSAKA, title=row.title)
    assert initiative.first_evaluated_fiscal_year == 2027
    assert not initiative.is_evaluated_in(2024)
    assert initiative.is_evaluated_in(2027)


def test_osaka_each_pillar_rate_matches_a_hand_count_of_the_seed_file(seeded):
    data = read_fixture(OSAKA_FILE)
    hand = Counter((item["pillar"], item["result"]) for item in data["initiatives"])
    publication = latest_publication(OSAKA)
    by_pillar = summarize_by(PublishedResult.objects.filter(publication=publication), "pillar_id")
    order_of = dict(Pillar.objects.filter(plan__slug=OSAKA).values_list("pk", "order"))
    by_order = {order_of[pk]: summary for pk, summary in by_pillar.items()}

    assert set(by_order) == {pillar for pillar, _ in hand}
    for order, summary in by_order.items():
        achieved = hand[(order, "achieved")]
        not_achieved = hand[(order, "not_achieved")]
        assert summary.achieved == achieved
        assert summary.not_achieved == not_achieved
        assert summary.excluded == hand[(order, "excluded")]
        assert summary.rate == Fraction(achieved, achieved + not_achieved)


def test_osaka_results_are_only_for_the_pillars_the_reform_office_tracks(seeded):
    publication = latest_publication(OSAKA)
    orders = set(publication.results.values_list("pillar__order", flat=True))
    assert orders == {2, 3, 6}
    tracked = Pillar.objects.filter(plan__slug=OSAKA, office_tracks_items=True)
    assert set(tracked.values_list("order", flat=True)) == {2, 3, 6}


def test_osaka_has_its_six_pillars_in_order(seeded):
    expected = OSAKA_PILLARS
    plan = Plan.objects.get(slug=OSAKA)
    assert list(plan.pillars.order_by("order").values_list("order", "name")) == list(
        enumerate(expected, start=1)
    )
    published = latest_publication(OSAKA).pillars.order_by("order")
    assert list(published.values_list("name", flat=True)) == expected
    seed_names = [
        p["name"] for p in sorted(read_fixture(OSAKA_FILE)["pillars"], key=lambda p: p["order"])
    ]
    assert seed_names == expected


def test_osaka_pillars_know_who_manages_them(seeded):
    managed = dict(Pillar.objects.filter(plan__slug=OSAKA).values_list("order", "managed_through"))
    assert "大阪市DX戦略" in managed[1]
    assert "働き方改革実施方針" in managed[4]
    assert "区政がめざす姿" in managed[5]


def test_osaka_was_published_on_16_september_2025_at_14_00_japan_time(seeded):
    publication = latest_publication(OSAKA)
    assert publication.published_at == datetime(2025, 9, 16, 14, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    local = timezone.localtime(publication.published_at)
    assert (local.date(), local.hour, local.minute) == (date(2025, 9, 16), 14, 0)
    assert publication.round.fiscal_year == 2024
    assert publication.round.as_of == date(2025, 3, 31)
    assert publication.round.as_of_label_ja == "令和6年度末時点"


def test_osaka_seed_results_were_recorded_through_the_services_with_history(seeded):
    publication = latest_publication(OSAKA)
    round_ = publication.round
    assert HistoryEvent.objects.filter(round=round_, action="round.open").count() == 1
    assert HistoryEvent.objects.filter(round=round_, action="entry.update").count() == 24
    assert HistoryEvent.objects.filter(publication=publication, action="round.publish").count() == 1


def test_the_seed_records_the_creation_of_every_plan_pillar_and_initiative(seeded):
    for model, action in ((Plan, "plan"), (Pillar, "pillar"), (Initiative, "initiative")):
        created = HistoryEvent.objects.filter(action=f"{action}.create")
        assert created.count() == model.objects.count()
        assert set(created.values_list("subject_id", flat=True)) == set(
            model.objects.values_list("pk", flat=True)
        )
        assert set(created.values_list("actor_name", flat=True)) == {"seed loader"}
    initiative = Initiative.objects.filter(plan__slug=OSAKA).order_by("order").first()
    event = HistoryEvent.objects.get(action="initiative.create", initiative=initiative)
    assert event.changes["title"] == {"before": "", "after": initiative.title}


# --- Kitakyushu ----------------------------------------------------------------------------------


def test_kitakyushu_has_the_three_method_pillars(seeded):
    pillars = Pillar.objects.filter(plan__slug=KITAKYUSHU).order_by("order")
    assert list(pillars.values_list("name", flat=True)) == [
        "局区X方針",
        "経営分析・事業分析",
        "プラチナ市役所プロジェクト",
    ]
    assert {p.kind for p in pillars} == {Pillar.Kind.METHOD}


def test_kitakyushu_has_six_x_meetings_dated_as_written(seeded):
    meetings = Meeting.objects.filter(plan__slug=KITAKYUSHU, fiscal_year=2025).order_by("number")
    assert [m.number for m in meetings] == [1, 2, 3, 4, 5, 6]
    assert [m.date_label_ja for m in meetings] == [
        "5月23日",
        "7月上旬",
        "8月下旬",
        "10月下旬",
        "11月下旬",
        "1月下旬",
    ]
    first, *_, last = meetings
    assert first.approx_date.is_exact
    assert first.earliest == date(2025, 5, 23)
    assert (last.earliest, last.latest) == (date(2026, 1, 21), date(2026, 1, 31))
    assert all(not m.approx_date.is_exact for m in meetings[1:])


def test_kitakyushu_meetings_sort_by_date_in_the_fiscal_year(seeded):
    by_date = Meeting.objects.filter(plan__slug=KITAKYUSHU).order_by("earliest")
    assert [m.number for m in by_date] == [1, 2, 3, 4, 5, 6]


def test_kitakyushu_analysed_37_clusters_in_reiwa_6(seeded):
    narrative = PillarNarrative.objects.get(
        pillar__plan__slug=KITAKYUSHU, pillar__name="経営分析・事業分析", fiscal_year=2024
    )
    assert narrative.cluster_count == 37


def test_kitakyushu_reiwa_6_meetings_discussed_seven_topics(seeded):
    topics = MeetingTopic.objects.filter(plan__slug=KITAKYUSHU, fiscal_year=2024)
    assert list(topics.order_by("order").values_list("name", flat=True)) == [
        "保育所",
        "子育て",
        "公園",
        "文化",
        "スポーツ",
        "環境施設",
        "区役所",
    ]


def test_kitakyushu_has_both_a_and_bc_level_reforms(seeded):
    levels = set(
        Initiative.objects.filter(plan__slug=KITAKYUSHU).values_list("reform_level", flat=True)
    )
    assert levels == {"A", "BC"}
    assert (
        Initiative.objects.get(plan__slug=KITAKYUSHU, title="公共施設マネジメント").reform_level
        == "BC"
    )


def test_kitakyushu_schedule_has_every_lane_and_activity_of_the_seed(seeded):
    seed = read_fixture(KITAKYUSHU_FILE)["schedules"][0]
    schedule = Schedule.objects.get(plan__slug=KITAKYUSHU, fiscal_year=seed["fiscal_year"])
    lanes = list(schedule.lanes.order_by("order"))
    assert [(lane.order, lane.name) for lane in lanes] == [
        (lane["order"], lane["name"]) for lane in seed["lanes"]
    ]
    assert [lane.name for lane in lanes] == [
        "X会議",
        "局区X方針",
        "経営分析・事業分析",
        "プラチナ市役所プロジェクト",
    ]
    assert lanes[0].shows_meetings
    for lane, seed_lane in zip(lanes, seed["lanes"], strict=True):
        stored = [
            (a.label, a.start_month, a.end_month, a.milestone_note)
            for a in lane.activities.order_by("order")
        ]
        expected = [
            (a["label"], a["start_month"], a["end_month"], a.get("milestone_note", ""))
            for a in seed_lane["activities"]
        ]
        assert stored == expected
        if seed_lane.get("pillar"):
            assert lane.pillar.order == seed_lane["pillar"]
    labels = {a.display_label for lane in lanes for a in lane.activities.all()}
    assert "R6分析報告書の公表(5/23)" in labels
    assert "成果の発表(年度末)" in labels
    assert "PTの人選・結成" in labels


def test_kitakyushu_schedule_columns_run_from_may_to_december_onwards(seeded):
    schedule = Schedule.objects.get(plan__slug=KITAKYUSHU, fiscal_year=2025)
    columns = [label for label, _months in schedule.columns()]
    assert columns == ["5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月以降"]


# --- idempotency and atomicity -------------------------------------------------------------------


def test_osakas_contact_is_seeded_with_its_source_and_date_and_kitakyushus_is_empty(seeded):
    osaka = Municipality.objects.get(slug="osaka")
    assert osaka.contact == "市政改革室改革プラン推進担当(06-6208-9885)"
    assert osaka.contact_source.startswith("報道発表資料 「新・市政改革プラン」の進捗状況")
    assert osaka.contact_source_published_on == date(2025, 9, 16)
    kitakyushu = Municipality.objects.get(slug="kitakyushu")
    assert (kitakyushu.contact, kitakyushu.contact_source) == ("", "")
    assert kitakyushu.contact_source_published_on is None
    for city in (osaka, kitakyushu):
        # Nothing no source published: no logo, colour, name or link of our choosing.
        assert not city.logo
        assert (city.display_name, city.accent_colour, city.contact_url) == ("", "", "")
        assert (city.accessibility_url, city.privacy_url) == ("", "")


def test_a_reload_keeps_the_identity_the_office_set_where_the_file_holds_none(seeded, quiet):
    Municipality.objects.filter(slug="kitakyushu").update(
        contact="市政変革室（093-000-0000）", privacy_url="https://example.jp/privacy/"
    )
    call_command("load_seed", stdout=quiet)
    kitakyushu = Municipality.objects.get(slug="kitakyushu")
    assert kitakyushu.contact == "市政変革室（093-000-0000）"
    assert kitakyushu.privacy_url == "https://example.jp/privacy/"


def test_loading_twice_changes_nothing(seeded, quiet):
    counts = row_counts()
    snapshot = domain_snapshot()
    history = list(HistoryEvent.objects.order_by("pk").values_list("pk", "action"))

    call_command("load_seed", stdout=quiet)

    assert row_counts() == counts
    assert domain_snapshot() == snapshot
    assert list(HistoryEvent.objects.order_by("pk").values_list("pk", "action")) == history


def test_loading_twice_reports_nothing_created_or_updated(seeded):
    out = io.StringIO()
    call_command("load_seed", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines and all(line.endswith(": 0 created, 0 updated") for line in lines)


def break_last_meeting_date(data: dict):
    data["meetings"][-1]["date"] = "7月末旬"


def break_last_initiative_department(data: dict):
    data["initiatives"][-1]["department"] = "mitouroku-kyoku"


def break_last_result_reason(data: dict):
    last = data["initiatives"][-1]
    last["result"] = "excluded"
    last.pop("reason", None)


BROKEN = [
    pytest.param(KITAKYUSHU_FILE, break_last_meeting_date, "7月末旬", id="meeting-date-7月末旬"),
    pytest.param(
        OSAKA_FILE, break_last_initiative_department, "mitouroku-kyoku", id="unknown-department"
    ),
    pytest.param(OSAKA_FILE, break_last_result_reason, "評価対象外", id="excluded-without-reason"),
]


def write_broken_copy(directory, source, breaker, name=None):
    data = read_fixture(source)
    breaker(data)
    path = directory / (name or f"broken-{source.name}")
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def seed_dir(tmp_path, settings):
    """Points the command's default fixtures/ at an empty folder the test fills.

    The command loads every ``fixtures/*.json`` in name order when given no files, so a test
    controls which files are loaded, and in which order, by their names.
    """
    settings.BASE_DIR = tmp_path
    (tmp_path / "fixtures").mkdir()
    return tmp_path / "fixtures"


@pytest.mark.parametrize(("source", "breaker", "mentioned"), BROKEN)
def test_a_broken_file_raises_and_writes_nothing(db, seed_dir, quiet, source, breaker, mentioned):
    broken = write_broken_copy(seed_dir, source, breaker)
    counts = row_counts()

    with pytest.raises(CommandError) as excinfo:
        call_command("load_seed", stdout=quiet)

    assert broken.name in str(excinfo.value)
    assert mentioned in str(excinfo.value)
    assert row_counts() == counts


@pytest.mark.parametrize(("source", "breaker", "mentioned"), BROKEN)
def test_a_broken_file_also_undoes_a_valid_file_loaded_before_it(
    db, seed_dir, quiet, source, breaker, mentioned
):
    valid = KITAKYUSHU_FILE if source == OSAKA_FILE else OSAKA_FILE
    (seed_dir / f"1-{valid.name}").write_text(valid.read_text(encoding="utf-8"), encoding="utf-8")
    write_broken_copy(seed_dir, source, breaker, name=f"2-broken-{source.name}")
    counts = row_counts()

    with pytest.raises(CommandError, match=re.escape(mentioned)):
        call_command("load_seed", stdout=quiet)

    assert "1-" in quiet.getvalue()  # the valid file was loaded before the failure
    assert row_counts() == counts
    assert not Plan.objects.exists()


def test_a_bad_meeting_date_is_reported_in_the_calendars_own_japanese_words(db, seed_dir, quiet):
    write_broken_copy(seed_dir, KITAKYUSHU_FILE, break_last_meeting_date)
    with pytest.raises(CommandError) as excinfo:
        call_command("load_seed", stdout=quiet)
    message = str(excinfo.value)
    assert "「7月末旬」を日付として読めません" in message
    assert "CalendarError" not in message


def test_a_broken_file_leaves_already_seeded_data_exactly_as_it_was(seeded, seed_dir, quiet):
    edited = read_fixture(OSAKA_FILE)
    edited["plan"]["title"] = "書き換えられたプラン"
    (seed_dir / "1-osaka-edited.json").write_text(
        json.dumps(edited, ensure_ascii=False), encoding="utf-8"
    )
    write_broken_copy(seed_dir, KITAKYUSHU_FILE, break_last_meeting_date, name="2-broken.json")
    counts = row_counts()
    snapshot = domain_snapshot()

    with pytest.raises(CommandError):
        call_command("load_seed", stdout=quiet)

    assert row_counts() == counts
    assert domain_snapshot() == snapshot
    assert Plan.objects.get(slug=OSAKA).title == "新・市政改革プラン"


def test_an_unreadable_file_is_refused_with_its_name(db, seed_dir, quiet):
    (seed_dir / "not-json.json").write_text("{ これはJSONではない", encoding="utf-8")
    counts = row_counts()
    with pytest.raises(CommandError, match=re.escape("not-json.json")):
        call_command("load_seed", stdout=quiet)
    assert row_counts() == counts


def test_only_the_files_named_on_the_command_line_are_loaded(db, quiet):
    call_command("load_seed", str(OSAKA_FILE), stdout=quiet)
    assert Plan.objects.filter(slug=OSAKA).exists()
    assert not Plan.objects.filter(slug=KITAKYUSHU).exists()
