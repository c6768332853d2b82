"""The status update (htmx POST of the entry form) is the staff workflow's hot path: its latency
is mostly round trips to the database, so their number is pinned here (bench/bench_status_update
measures the time)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.personas import HTMX, client_for, edit_data

# session, user, memberships, entry, permissions, UPDATE, INSERT history, session save — plus
# the savepoints the test's own transaction turns BEGIN/COMMIT into. No history read: the
# response carries only the row the save wrote.
MAX_QUERIES = 12


def _statements(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]


def test_it_saves_a_status_update_in_a_handful_of_queries(world):
    client = client_for(world, "staff_a")
    client.get(f"/staff/entries/{world.entry_a.pk}/")
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(
            f"/staff/entries/{world.entry_a.pk}/",
            edit_data(world.entry_a, result="achieved", narrative="委託化を完了した。"),
            **HTMX,
        )
    assert response.status_code == 200
    assert "第2版" in response.content.decode()
    assert len(ctx.captured_queries) <= MAX_QUERIES, "\n".join(_statements(ctx))
    # Its session, user, memberships, entry and permissions read; the entry updated and its
    # history row written. The session is not written: renewed within the minute (sessions.py).
    assert len(_statements(ctx)) == 7, "\n".join(_statements(ctx))
    assert not [
        s
        for s in _statements(ctx)
        if "evaluations_historyevent" in s.split("WHERE")[0] and s.startswith("SELECT")
    ]
    entry_reads = [s for s in _statements(ctx) if s.startswith('SELECT "evaluations_entry"')]
    assert len(entry_reads) == 1, "the entry is read once per request"


def test_it_reads_a_users_permissions_in_one_query(world):
    user = world.users["staff_a"]
    with CaptureQueriesContext(connection) as ctx:
        assert user.has_perm("evaluations.submit_entry")
        assert not user.has_perm("evaluations.manage_round")
    assert len(ctx.captured_queries) == 1


def test_the_entry_page_reads_the_plan_once_for_the_round_and_the_initiatives_link(world):
    client = client_for(world, "staff_a")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/staff/entries/{world.entry_a.pk}/")
    assert response.status_code == 200
    assert world.initiative_a.get_absolute_url() in response.content.decode()
    plan_reads = [s for s in _statements(ctx) if s.startswith('SELECT "initiatives_plan"')]
    assert plan_reads == [], "the plan comes with the entry's round"
