"""The feeds find the X会議 added (their history rows, looked up by subject) through the history's
subject index, not by reading the whole history: the database's plan (EXPLAIN) of the feeds'
own statement, on SQLite and on PostgreSQL, over a history of many rows about other objects."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations import feeds
from evaluations.choices import HistoryAction
from evaluations.models import HistoryEvent
from tests import explain
from tests.factories import make_office_meeting

# Years of office edits about other objects: enough that reading them all costs more than the
# index, so the planner's choice says something.
OTHER_ROWS = 20_000


@pytest.fixture
def long_history(world):
    meeting = make_office_meeting(world)
    meeting.initiatives.add(world.initiative_a)
    HistoryEvent.objects.bulk_create(
        HistoryEvent(
            action=HistoryAction.PLANNOTE_CHANGE,
            subject_type="initiatives.plannote",
            subject_id=n,
            actor_name="test",
        )
        for n in range(1, OTHER_ROWS + 1)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the planner's statistics, as autovacuum would keep them
    return meeting


def _feeds_statement(**where) -> str:
    """The statement the feeds run for the meetings added (the lookup their memo keeps), as
    sent to the database."""
    with CaptureQueriesContext(connection) as ran:
        events = feeds._added_events_of(where.get("plan"), where.get("initiative"))
    assert events, "the meeting added is found"
    (statement,) = [q["sql"] for q in ran.captured_queries if "historyevent" in q["sql"]]
    return statement


@pytest.mark.parametrize("scope", ["plan", "initiative"])
def test_the_feeds_look_up_the_meetings_added_by_the_historys_subject_index(
    world, long_history, scope
):
    where = {"plan": world.plan} if scope == "plan" else {"initiative": world.initiative_a}
    # The planner is left free to read the whole table: the history here is long enough.
    plan = explain.plan(_feeds_statement(**where), seqscan=True)
    table = HistoryEvent._meta.db_table
    if connection.vendor == "postgresql":
        assert "history_subject on evaluations_historyevent" in plan, plan
        assert f"Seq Scan on {table}" not in plan, plan
    else:
        assert f"SEARCH {table} USING INDEX history_subject" in plan, plan
        assert f"SCAN {table}" not in plan, plan
