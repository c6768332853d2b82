"""What changed between two 時点 of a plan: figures side by side, the items whose result
changed, were added or dropped out, and corrections; the same in JSON, at a constant number of
queries."""

import json
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations import services
from evaluations.choices import EntryState, Result
from tests.factories import (
    make_initiative,
    make_plan,
    make_published_round,
    reopen_for_correction,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_years(db):
    """FY2024: A achieved, B not achieved, C achieved. FY2025: A achieved, B achieved, D not
    achieved (new), C no longer evaluated (retired from the round)."""
    plan = make_plan()
    a, b, c = (make_initiative(plan, title=t) for t in ("取組A", "取組B", "取組C"))
    first = make_published_round(
        plan,
        {a: Result.ACHIEVED, b: Result.NOT_ACHIEVED, c: Result.ACHIEVED},
        fiscal_year=2024,
        published_at=datetime(2025, 6, 1, tzinfo=UTC),
    )
    d = make_initiative(plan, title="取組D")
    second = _publish_without(
        plan, c, {a: Result.ACHIEVED, b: Result.ACHIEVED, d: Result.NOT_ACHIEVED}
    )
    return plan, first, second, (a, b, c, d)


def _publish_without(plan, dropped, results):
    """The FY2025 round without ``dropped``: its entry is removed before results are entered,
    as when an item is retired."""
    from tests.factories import confirm_entries, open_year_end_round

    round_ = open_year_end_round(plan, 2025)
    round_.entries.filter(initiative=dropped).delete()
    confirm_entries(round_, results)
    return services.publish_round_as_system(
        round_=round_, actor_name="test", published_at=datetime(2026, 6, 1, tzinfo=UTC)
    )


def _json(client, plan, query=""):
    return json.loads(client.get(f"/open-data/plans/{plan.slug}/compare.json{query}").content)


def test_it_compares_the_latest_time_point_with_the_one_before_by_default(client, two_years):
    plan, first, second, _items = two_years
    data = _json(client, plan)
    assert (data["from"]["id"], data["to"]["id"]) == (first.pk, second.pk)
    figures = data["plan_figures"]
    assert figures["before"]["rate_percent"] == "66.7"  # 2 of 3
    assert figures["after"]["rate_percent"] == "66.7"  # 2 of 3
    assert figures["rate_change_points"] == "0.0"


def test_it_lists_changed_added_and_dropped_items_with_before_and_after(client, two_years):
    plan, _first, _second, (_a, b, c, d) = two_years
    data = _json(client, plan)
    changed = {
        i["code"]: (i["before"], i["after"], i["added"]) for i in data["changed_items"]["items"]
    }
    assert changed == {
        b.code: (Result.NOT_ACHIEVED, Result.ACHIEVED, False),
        d.code: (None, Result.NOT_ACHIEVED, True),
    }
    assert [i["code"] for i in data["dropped_items"]["items"]] == [c.code]
    page = client.get(f"/plans/{plan.slug}/compare/").content.decode()
    assert "未達成" in page and "（新たに評価）" in page and "取組C" in page


def test_a_correction_is_compared_with_what_it_corrected(client, two_years):
    plan, _first, second, (a, _b, _c, _d) = two_years
    reopen_for_correction(second.round)
    entry = second.round.entries.get(initiative=a)
    services.update_entry_as_system(
        entry_id=entry.pk,
        expected_version=entry.version,
        values={"result": Result.NOT_ACHIEVED, "reason": ""},
        state=EntryState.CONFIRMED,
        actor_name="test",
    )
    corrected = services.publish_round_as_system(
        round_=second.round, actor_name="test", published_at=datetime(2026, 7, 1, tzinfo=UTC)
    )
    data = _json(client, plan, f"?from={second.pk}&to={corrected.pk}")
    assert data["to"]["label"].endswith("（訂正1）")
    assert [(i["code"], i["before"], i["after"]) for i in data["changed_items"]["items"]] == [
        (a.code, Result.ACHIEVED, Result.NOT_ACHIEVED)
    ]
    assert data["plan_figures"]["rate_change_points"] == "-33.4"  # 66.7 → 33.3


def test_the_initiative_page_says_how_it_changed_since_the_previous_time_point(client, two_years):
    plan, _first, _second, (_a, b, _c, _d) = two_years
    page = client.get(f"/plans/{plan.slug}/initiatives/{b.code}/").content.decode()
    assert "前回からの変化" in page
    assert "令和6年度末時点の「未達成」から「達成」へ" in page


def test_a_time_point_of_another_plan_is_not_found(client, two_years):
    plan, _first, _second, _items = two_years
    other = make_published_round(make_plan(), [Result.ACHIEVED])
    assert client.get(f"/plans/{plan.slug}/compare/?from={other.pk}").status_code == 404


def test_the_compare_page_costs_the_same_queries_with_many_more_items(client, two_years):
    plan, _first, _second, _items = two_years

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/plans/{plan.slug}/compare/").status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    grown = {make_initiative(plan): Result.ACHIEVED for _n in range(30)}
    make_published_round(plan, grown | dict.fromkeys(_items, Result.ACHIEVED), fiscal_year=2026)
    assert queries() == few <= 10


def test_a_new_years_public_history_starts_from_the_year_before_not_from_nothing(client, two_years):
    plan, _first, _second, (_a, b, _c, _d) = two_years
    from evaluations import history

    newest = history.public_rows(b)[0]
    assert newest.round_label == "令和7年度末時点"
    assert newest.compared_with == "令和6年度末時点"
    [result] = [c for c in newest.changes if c.field == "result"]
    assert (result.before, result.after) == ("未達成", "達成")
    page = client.get(f"/plans/{plan.slug}/initiatives/{b.code}/").content.decode()
    assert "（令和6年度末時点との比較）" in page
