"""Indicators (KPI): progress exact and clamped for increasing, decreasing and kept targets;
the office defines them and records actuals all or nothing; publishing freezes them; the
initiative page, its JSON and the plan's indicator rule show them."""

import json
import re
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from evaluations.choices import HistoryAction, Result
from evaluations.indicator_forms import read_number
from evaluations.models import HistoryEvent, IndicatorValue, PublishedIndicatorValue
from evaluations.rates import band_of, indicator_progress
from initiatives.models import Indicator, RatingRule
from tests.factories import confirm_entries, reopen_for_correction
from tests.personas import client_for

decimals = st.decimals(min_value=-(10**6), max_value=10**6, places=2, allow_nan=False)


@given(baseline=decimals, target=decimals, actual=decimals)
def test_progress_is_the_share_of_the_way_from_baseline_to_target_clamped(baseline, target, actual):
    if baseline == target:
        return
    direction = "increase" if target > baseline else "decrease"
    progress = indicator_progress(baseline, target, actual, direction)
    # Independently: how far along the way, in Decimal arithmetic, then clamped.
    share = (actual - baseline) / (target - baseline)
    expected = min(max(share, Decimal(0)), Decimal(1))
    assert abs(Fraction(expected) - progress) < Fraction(1, 10**20)
    assert 0 <= progress <= 1


def test_a_decreasing_target_counts_the_way_down():
    # 待機児童 100 人 → 目標 50 人, 実績 75 人: halfway.
    assert indicator_progress(Decimal(100), Decimal(50), Decimal(75), "decrease") == Fraction(1, 2)
    assert indicator_progress(Decimal(100), Decimal(50), Decimal(40), "decrease") == 1
    assert indicator_progress(Decimal(100), Decimal(50), Decimal(120), "decrease") == 0


def test_a_kept_level_is_all_or_nothing():
    assert indicator_progress(Decimal(95), Decimal(95), Decimal("95.0"), "maintain") == 1
    assert indicator_progress(Decimal(95), Decimal(95), Decimal("94.9"), "maintain") == 0


def test_bands_take_the_first_band_whose_floor_the_progress_reaches():
    bands = [["A", 100], ["B", 80], ["C", 50], ["D", 0]]
    assert [band_of(Fraction(p, 100), bands) for p in (100, 99, 80, 79, 50, 0)] == list("ABBCCD")


@pytest.mark.parametrize(
    ("typed", "value"),
    [("1,288", Decimal(1288)), ("１５１．５", Decimal("151.5")), ("−3", Decimal(-3)), ("", None)],
)
def test_numbers_are_read_as_people_type_them_in_japan(typed, value):
    assert read_number(typed) == value


@pytest.fixture
def indicator_world(world):
    """An indicator of 330 億円 over three years on initiative A (baseline 0 in FY2024)."""
    office = client_for(world, "office")
    response = office.post(
        f"/office/indicators/initiatives/{world.initiative_a.pk}/",
        {
            "name": "次世代投資",
            "unit": "億円",
            "direction": "increase",
            "baseline_value": "0",
            "baseline_year": "2024",
            "target_value": "330",
            "target_year": "2026",
        },
    )
    assert response.status_code == 302
    return world, office, Indicator.objects.get(name="次世代投資")


def test_the_office_defines_an_indicator_and_it_is_in_the_history(indicator_world):
    _world, _office, indicator = indicator_world
    assert (indicator.unit, indicator.target_value) == ("億円", Decimal(330))
    event = HistoryEvent.objects.get(action=HistoryAction.INDICATOR_CREATE)
    assert event.subject_id == indicator.pk


def test_a_target_that_runs_against_its_direction_is_refused_in_japanese(indicator_world):
    world, office, _indicator = indicator_world
    response = office.post(
        f"/office/indicators/initiatives/{world.initiative_a.pk}/",
        {
            "name": "削減額",
            "unit": "億円",
            "direction": "increase",
            "baseline_value": "100",
            "baseline_year": "2024",
            "target_value": "50",
            "target_year": "2026",
        },
    )
    assert response.status_code == 422
    assert "「増やす」は目標値を基準値より大きく" in response.content.decode()
    assert not Indicator.objects.filter(name="削減額").exists()


def test_actuals_are_recorded_all_or_nothing_with_the_bad_field_named(indicator_world):
    world, office, indicator = indicator_world
    url = f"/office/indicators/rounds/{world.round.pk}/"
    bad = office.post(url, {f"indicator_{indicator.pk}": "約百億"})
    assert bad.status_code == 422
    page = bad.content.decode()
    assert "「約百億」は数値として読めません" in page
    assert f'aria-describedby="id_indicator_{indicator.pk}-errors"' in page
    assert not IndicatorValue.objects.exists()
    good = office.post(url, {f"indicator_{indicator.pk}": "１１０"})
    assert good.status_code == 302
    assert IndicatorValue.objects.get().value == Decimal(110)
    assert HistoryEvent.objects.filter(action=HistoryAction.INDICATOR_RECORD).count() == 1


@pytest.mark.parametrize("typed", ["1E+20", "１Ｅ＋１４", "100000000000000", "-1e14"])
def test_a_number_the_database_cannot_hold_is_refused_however_it_is_written(typed):
    with pytest.raises(ValidationError) as refused:
        read_number(typed)
    assert refused.value.messages == ["小数点以下は4桁まで、整数部分は14桁までで入力してください。"]


def test_the_largest_number_the_database_holds_is_read():
    assert read_number("99,999,999,999,999.9999") == Decimal("99999999999999.9999")
    assert read_number("1E+3") == Decimal(1000)


@pytest.mark.parametrize("typed", ["1E+20", "100000000000000"])
def test_an_actual_the_database_cannot_hold_is_refused_at_its_field(indicator_world, typed):
    world, office, indicator = indicator_world
    bad = office.post(
        f"/office/indicators/rounds/{world.round.pk}/", {f"indicator_{indicator.pk}": typed}
    )
    assert bad.status_code == 422
    page = bad.content.decode()
    errors = re.search(rf'id="id_indicator_{indicator.pk}-errors"[^>]*>(.*?)</', page, re.S)
    assert "整数部分は14桁までで入力してください" in errors[1]
    assert f'aria-describedby="id_indicator_{indicator.pk}-errors"' in page
    assert not IndicatorValue.objects.exists()


@pytest.mark.parametrize("field", ["baseline_value", "target_value"])
def test_a_definition_beyond_what_the_database_holds_is_refused_at_its_field(
    indicator_world, field
):
    world, office, _indicator = indicator_world
    values = {
        "name": "大きすぎる指標",
        "unit": "円",
        "direction": "increase",
        "baseline_value": "0",
        "baseline_year": "2024",
        "target_value": "330",
        "target_year": "2026",
    }
    response = office.post(
        f"/office/indicators/initiatives/{world.initiative_a.pk}/", {**values, field: "1E+20"}
    )
    assert response.status_code == 422
    page = response.content.decode()
    errors = re.search(rf'id="id_{field}-errors"[^>]*>(.*?)</', page, re.S)
    assert "整数部分は14桁までで入力してください" in errors[1]
    assert not Indicator.objects.filter(name="大きすぎる指標").exists()


def test_department_staff_cannot_record_actuals(indicator_world):
    world, _office, indicator = indicator_world
    staff = client_for(world, "staff_a")
    url = f"/office/indicators/rounds/{world.round.pk}/"
    assert staff.post(url, {f"indicator_{indicator.pk}": "1"}).status_code == 403
    assert not IndicatorValue.objects.exists()


def _publish(world, office, indicator, actual):
    office.post(
        f"/office/indicators/rounds/{world.round.pk}/", {f"indicator_{indicator.pk}": actual}
    )
    confirm_entries(
        world.round, {world.initiative_a: Result.ACHIEVED, world.initiative_b: Result.ACHIEVED}
    )
    from evaluations import services

    return services.publish_round_as_system(round_=world.round, actor_name="test")


def test_publishing_freezes_the_actual_and_the_page_shows_it_with_its_unit(client, indicator_world):
    world, office, indicator = indicator_world
    publication = _publish(world, office, indicator, "110")
    frozen = PublishedIndicatorValue.objects.get(publication=publication)
    assert (frozen.name, frozen.actual, frozen.target_value) == (
        "次世代投資",
        Decimal(110),
        Decimal(330),
    )
    page = client.get(
        f"/plans/{world.plan.slug}/initiatives/{world.initiative_a.code}/"
    ).content.decode()
    assert "指標（数値目標）" in page
    assert "実績 110億円" in page and "進捗率 約33.3%" in page
    assert '<svg class="indicator-chart"' in page
    data = json.loads(
        client.get(
            f"/open-data/plans/{world.plan.slug}/initiatives/{world.initiative_a.code}.json"
        ).content
    )
    [series] = data["indicators"]
    assert series["unit"] == "億円"
    assert series["actuals"][0]["value"] == "110"
    assert series["actuals"][0]["progress_percent"] == "33.3"


def test_changing_only_an_actual_makes_a_new_publication(indicator_world):
    world, office, indicator = indicator_world
    first = _publish(world, office, indicator, "110")
    from evaluations import services

    reopen_for_correction(world.round)
    IndicatorValue.objects.filter(round=world.round).update(value=Decimal(120))
    second = services.publish_round_as_system(round_=world.round, actor_name="test")
    assert second.pk != first.pk
    assert PublishedIndicatorValue.objects.get(publication=second).actual == Decimal(120)


def test_a_plan_under_the_indicator_rule_shows_its_bands_and_how_they_are_made(
    client, indicator_world
):
    world, office, indicator = indicator_world
    world.plan.rating_rule = RatingRule.INDICATOR_BANDS
    world.plan.save(update_fields=["rating_rule"])
    _publish(world, office, indicator, "300")  # 300/330 = 90.9 % → B
    page = client.get(f"/plans/{world.plan.slug}/").content.decode()
    assert "指標の進捗による段階評価" in page
    assert "A 0件・B 1件・C 0件・D 0件" in page
    assert "A：100%以上、B：80%以上、C：50%以上、D：それ未満" in page
    compare = json.loads(client.get("/open-data/compare.json").content)
    groups = {g["rule"]: g for g in compare["groups"]}
    assert groups["indicator_bands"]["plans"][0]["headline"] == "A 0件・B 1件・C 0件・D 0件"


def test_the_initiative_page_costs_the_same_queries_with_one_indicator_or_several(
    client, indicator_world
):
    world, office, indicator = indicator_world
    url = f"/plans/{world.plan.slug}/initiatives/{world.initiative_a.code}/"
    _publish(world, office, indicator, "110")

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    one = queries()
    for n in range(3):
        Indicator.objects.create(
            initiative=world.initiative_a,
            name=f"指標{n}",
            unit="件",
            baseline_value=0,
            baseline_year=2024,
            target_value=10,
            target_year=2026,
        )
    assert queries() == one


@pytest.mark.parametrize(
    ("value", "shown", "data"),
    [
        (Decimal("330.0000"), "330", "330"),
        (Decimal("1288"), "1,288", "1288"),
        (Decimal("151.5000"), "151.5", "151.5"),
        (Decimal("-1234.25"), "-1,234.25", "-1234.25"),
        (Decimal("0.0000"), "0", "0"),
    ],
)
def test_values_are_shown_as_people_write_them_and_never_in_exponent_form(value, shown, data):
    from evaluations.indicators import number, plain

    assert (number(value), plain(value)) == (shown, data)


@pytest.mark.parametrize(
    "bands",
    [
        [],
        [["A", 100]],
        [["A", 50], ["B", 80], ["C", 0]],
        [["A", 120], ["B", 0]],
        [["", 0]],
        "A≥100",
    ],
)
def test_bands_that_cannot_rate_every_item_are_refused(bands):
    from django.core.exceptions import ValidationError

    from initiatives.models import validate_indicator_bands

    with pytest.raises(ValidationError):
        validate_indicator_bands(bands)
    validate_indicator_bands([["A", 100], ["B", 80], ["C", 50], ["D", 0]])


def test_the_compare_page_lists_an_indicator_whose_actual_changed(client, indicator_world):
    world, office, indicator = indicator_world
    _publish(world, office, indicator, "110")
    reopen_for_correction(world.round)
    office.post(
        f"/office/indicators/rounds/{world.round.pk}/", {f"indicator_{indicator.pk}": "150"}
    )
    from evaluations import services

    services.publish_round_as_system(round_=world.round, actor_name="test")
    data = json.loads(client.get(f"/open-data/plans/{world.plan.slug}/compare.json").content)
    assert data["changed_indicators"] == [
        {
            "code": world.initiative_a.code,
            "indicator": "次世代投資",
            "unit": "億円",
            "before": "110",
            "after": "150",
        }
    ]
    page = client.get(f"/plans/{world.plan.slug}/compare/").content.decode()
    assert "実績が変わった指標" in page and "次世代投資（億円）" in page
