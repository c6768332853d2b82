"""A change of the plan's period and a write of a 年度 inside the plan, at the same moment on a
real PostgreSQL server: whichever commits second sees the first, so no round, cluster or
initiative ends up outside the period the office saved. SQLite serialises writers, so this
runs in the PostgreSQL pass only."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from evaluations.choices import RoundKind
from evaluations.models import PillarNarrative, Round
from evaluations.services import meetings, open_round_as_system, plan_edits
from evaluations.services.plan_edits import edit_token
from initiatives.models import AnalysisCluster, Initiative
from tests.personas import build_world
from xmeetings.models import Meeting

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs two concurrent transactions on a real PostgreSQL server (DATABASE_URL); "
        "SQLite serialises writes, so the race under test cannot happen",
    ),
]


def _race(world, write):
    """The office shortens the period to 令和6〜7年度 and holds its transaction open while
    ``write`` (a 令和8年度 row) starts in another; then commits. Returns what ``write`` did."""
    period_checked, outcome = threading.Event(), {}

    def shorten():
        try:
            with transaction.atomic():
                plan_edits.edit_plan_period(
                    user=world.users["office"],
                    plan_id=world.plan.pk,
                    token=edit_token(world.plan),
                    values={"start_fiscal_year": 2024, "end_fiscal_year": 2025},
                )
                period_checked.set()
                time.sleep(1.5)  # the other write starts meanwhile
        finally:
            connection.close()

    def other():
        period_checked.wait(timeout=30)
        try:
            outcome["result"] = write()
        except ValidationError as exc:
            outcome["refused"] = " ".join(exc.messages)
        finally:
            connection.close()

    threads = [threading.Thread(target=shorten), threading.Thread(target=other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    world.plan.refresh_from_db()
    assert world.plan.end_fiscal_year == 2025
    return outcome


def test_a_round_opened_while_the_period_shrinks_is_refused_not_left_outside(settings):
    world = build_world()
    outcome = _race(
        world,
        lambda: open_round_as_system(
            plan=world.plan, fiscal_year=2026, kind=RoundKind.YEAR_END, actor_name="test"
        ),
    )
    assert "取組期間" in outcome.get("refused", ""), outcome
    assert not Round.objects.filter(plan=world.plan, fiscal_year=2026).exists()


def test_a_clusters_year_changed_while_the_period_shrinks_is_refused(settings):
    world = build_world()
    cluster = AnalysisCluster.objects.create(
        plan=world.plan, fiscal_year=2024, code="1", name="保育所"
    )
    token = edit_token(cluster)
    outcome = _race(
        world,
        lambda: plan_edits.edit_cluster(
            user=world.users["office"],
            cluster_id=cluster.pk,
            token=token,
            values={"fiscal_year": 2026, "code": "1", "name": "保育所"},
        ),
    )
    assert "取組期間" in outcome.get("refused", ""), outcome
    cluster.refresh_from_db()
    assert cluster.fiscal_year == 2024


def test_an_initiatives_first_year_changed_while_the_period_shrinks_is_refused(settings):
    world = build_world()
    item = world.initiative_a
    token = edit_token(item)
    outcome = _race(
        world,
        lambda: plan_edits.edit_initiative(
            user=world.users["office"],
            initiative_id=item.pk,
            token=token,
            values={"evaluation_timing": "from_year", "first_evaluated_fiscal_year": 2026},
        ),
    )
    assert "取組期間" in outcome.get("refused", ""), outcome
    assert Initiative.objects.get(pk=item.pk).first_evaluated_fiscal_year is None


def test_a_narrative_written_for_a_year_the_period_is_losing_is_refused(settings):
    world = build_world()
    pillar = world.initiative_a.pillar
    outcome = _race(
        world,
        lambda: plan_edits.save_narrative(
            user=world.users["office"],
            pillar_id=pillar.pk,
            fiscal_year=2026,
            token="",
            values={"done": "令和8年度の取組状況"},
        ),
    )
    assert "取組期間" in outcome.get("refused", ""), outcome
    assert not PillarNarrative.objects.filter(pillar=pillar, fiscal_year=2026).exists()


def test_a_meeting_added_for_a_year_the_period_is_losing_is_refused(settings):
    world = build_world()
    outcome = _race(
        world,
        lambda: meetings.create_meeting(
            user=world.users["office"],
            plan_slug=world.plan.slug,
            fiscal_year=2026,
            number=1,
            date_text="7月上旬",
            title="令和8年度の第1回",
        ),
    )
    assert "取組期間" in outcome.get("refused", ""), outcome
    assert not Meeting.objects.filter(plan=world.plan, fiscal_year=2026).exists()


def test_a_meeting_moved_to_a_year_the_period_is_losing_is_refused(settings):
    world = build_world()
    meeting = meetings.create_meeting(
        user=world.users["office"],
        plan_slug=world.plan.slug,
        fiscal_year=2025,
        number=1,
        date_text="7月上旬",
        title="第1回",
    )
    outcome = _race(
        world,
        lambda: meetings.edit_meeting(
            user=world.users["office"],
            meeting_id=meeting.pk,
            fiscal_year=2026,
            date_text="7月上旬",
        ),
    )
    assert "取組期間" in outcome.get("refused", ""), outcome
    meeting.refresh_from_db()
    assert meeting.fiscal_year == 2025
