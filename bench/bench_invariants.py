"""``check_invariants`` on a nation-sized database: how long its checks take over ~500,000 entries,
their history and a publication of them all.

    DJANGO_ENV=test scripts/with-postgres.sh .venv/bin/python bench/bench_invariants.py [--entries 500000]

The rows are written with INSERT … SELECT generate_series (the services would take far longer
and are not what is measured): one plan whose round holds ``--entries`` entries at version 3,
each with its two history rows (version 2, then 3 when published), one publication holding a
result row for each, its 公表 rows and pillar rows, so that every invariant holds. Prints the
median of 3 runs of each check and of the whole, then breaks one entry and one publication and
checks they are found. PostgreSQL is what it is for (DATABASE_URL); SQLite works for small sizes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from _setup import synthetic_plan
from django.db import connection

from evaluations import invariants
from evaluations.models import Entry, PublishedResult


def _grow(total: int) -> None:
    """``total`` entries of one round, consistent with their history and one publication."""
    synthetic_plan(3, publish=False, slug="nation")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.id, r.plan_id FROM evaluations_round r JOIN initiatives_plan p "
            "ON p.id = r.plan_id WHERE p.slug = 'nation'"
        )
        round_id, plan_id = cursor.fetchone()
        cursor.execute("DELETE FROM evaluations_historyevent WHERE round_id = %s", [round_id])
        cursor.execute("DELETE FROM evaluations_entry WHERE round_id = %s", [round_id])
        cursor.execute("SELECT min(id) FROM initiatives_initiative WHERE plan_id = %s", [plan_id])
        (template,) = cursor.fetchone()
        cursor.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'initiatives_initiative' AND column_name NOT IN ('id', 'code', 'order')"
            if connection.vendor == "postgresql"
            else "SELECT name FROM pragma_table_info('initiatives_initiative') "
            "WHERE name NOT IN ('id', 'code', 'order')"
        )
        columns = [row[0] for row in cursor.fetchall()]
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        series = (
            "generate_series(1, %s) AS g(n)"
            if connection.vendor == "postgresql"
            else "(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < %s) "
            "SELECT n FROM s) AS g"
        )
        cursor.execute(
            f'INSERT INTO initiatives_initiative ({quoted}, code, "order") '
            f"SELECT {quoted}, 'N-' || g.n, 100 + g.n FROM initiatives_initiative, {series} "
            "WHERE id = %s",
            [total, template],
        )
        cursor.execute(
            "INSERT INTO evaluations_entry (round_id, initiative_id, result, reason, narrative, "
            "staff_comment, review_comment, state, version, updated_at) "
            "SELECT %s, id, 'achieved', '', '', '', '', 'published', 3, CURRENT_TIMESTAMP "
            "FROM initiatives_initiative WHERE plan_id = %s AND code LIKE 'N-%%'",
            [round_id, plan_id],
        )
        cursor.execute(
            "INSERT INTO evaluations_publication (round_id, published_at, note) "
            "VALUES (%s, CURRENT_TIMESTAMP, '')",
            [round_id],
        )
        cursor.execute("SELECT max(id) FROM evaluations_publication")
        (publication,) = cursor.fetchone()
        cursor.execute(
            'INSERT INTO evaluations_publishedpillar (publication_id, pillar_id, "order", name, '
            "managed_through, office_tracks_items, done, next_steps) "
            "SELECT %s, id, \"order\", name, '', office_tracks_items, '', '' "
            "FROM initiatives_pillar WHERE plan_id = %s",
            [publication, plan_id],
        )
        cursor.execute(
            "INSERT INTO evaluations_publishedresult (publication_id, initiative_id, pillar_id, "
            'department_id, code, "order", title, department_name, target, result, reason, '
            "narrative, reform_level) "
            "SELECT %s, i.id, i.pillar_id, i.department_id, i.code, i.\"order\", i.title, '', '', "
            "'achieved', '', '', '' FROM initiatives_initiative i "
            "WHERE i.plan_id = %s AND i.code LIKE 'N-%%'",
            [publication, plan_id],
        )
        for action, version, with_publication in (
            ("entry.update", 2, False),
            ("entry.publish", 3, True),
        ):
            cursor.execute(
                "INSERT INTO evaluations_historyevent (at, actor_name, action, initiative_id, "
                "subject_type, subject_repr, round_id, entry_id, publication_id, changes, comment) "
                f"SELECT CURRENT_TIMESTAMP, 'bench', '{action}', initiative_id, '', '', round_id, "
                f"id, %s, '{{\"version\": {version}}}', '' FROM evaluations_entry "
                "WHERE round_id = %s",
                [publication if with_publication else None, round_id],
            )
        cursor.execute(
            "INSERT INTO evaluations_historyevent (at, actor_name, action, subject_type, "
            "subject_repr, round_id, publication_id, changes, comment) "
            "VALUES (CURRENT_TIMESTAMP, 'bench', 'round.publish', '', '', %s, %s, %s, '')",
            [round_id, publication, f'{{"results": {total}}}'],
        )
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")


def _median(call, runs: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=500_000)
    args = parser.parse_args()
    started = time.perf_counter()
    _grow(args.entries)
    print(
        f"{connection.vendor}: {Entry.objects.count():,} entries, "
        f"{PublishedResult.objects.count():,} published results, built in "
        f"{time.perf_counter() - started:.0f} s; load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    failed = False
    for name, check in (
        ("entry versions against history", invariants.entry_versions),
        ("publication snapshots", invariants.publication_snapshots),
        ("stuck report jobs", invariants.stuck_report_jobs),
        ("all (check_invariants)", invariants.check),
    ):
        seconds, found = _median(check)
        print(f"  {name:32} {seconds:7.2f} s (median of 3), violations: {len(found)}")
        failed |= bool(found)
    entry = Entry.objects.order_by("-pk").first()
    Entry.objects.filter(pk=entry.pk).update(version=9)
    PublishedResult.objects.filter(pk=PublishedResult.objects.order_by("pk")[0].pk).delete()
    found = [v.check for v in invariants.check()]
    print(f"  one entry and one publication broken on purpose: found {found}")
    failed |= found != ["entry_version", "publication_snapshot"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
