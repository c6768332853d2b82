"""The database's plan of a statement, as the tests that check an index serves a query read it
(one place for what each database needs to be asked)."""

from __future__ import annotations

from django.db import connection


def plan(sql: str, params=(), *, seqscan: bool = False, analyze: bool = False, run: bool = False):
    """EXPLAIN (PostgreSQL) or EXPLAIN QUERY PLAN (SQLite) of ``sql``, one line per row.

    ``seqscan``: unless true, PostgreSQL is told not to read a whole table where an index
    serves (``SET LOCAL enable_seqscan = off``): a test's tables fit in a page or two, where the
    planner rightly reads them whole; a real plan's 10,000 items do not.
    ``analyze``: the database's statistics are gathered first (ANALYZE).
    ``run``: PostgreSQL gives the plan as run (``EXPLAIN (ANALYZE, VERBOSE)``): a plain EXPLAIN
    does not show the subqueries of a recursive step's select list."""
    with connection.cursor() as cursor:
        if analyze:
            cursor.execute("ANALYZE")
        if connection.vendor == "postgresql":
            if not seqscan:
                cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {'(ANALYZE, VERBOSE) ' if run else ''}{sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())
