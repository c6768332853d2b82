"""Shared set-up for the bench scripts: a throwaway SQLite database and a synthetic plan.

Each script runs as `.venv/bin/python bench/bench_xxx.py` from the repository root and prints its
figures. DATABASE_URL is honoured (to bench on PostgreSQL); otherwise a fresh SQLite file in /tmp.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reformtracker.settings")
if not os.environ.get("DATABASE_URL"):
    # BENCH_SQLITE_PATH: a database the calling script prepared (bench_pages.py adds its large
    # plan to a seeded one); otherwise a fresh one.
    os.environ["SQLITE_PATH"] = os.environ.get("BENCH_SQLITE_PATH") or os.path.join(
        tempfile.mkdtemp(prefix="rt-bench-"), "bench.sqlite3"
    )

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

call_command("migrate", verbosity=0)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def timer(label: str, results: dict):
    start = time.perf_counter()
    yield
    results[label] = time.perf_counter() - start


def synthetic_plan(items: int, *, publish: bool, slug: str = "bench-plan", tracked: int = 3):
    """A plan of ``items`` initiatives over ``tracked`` of its 6 pillars (3: the even ones, as
    Osaka tracks some pillars' items and not others) and 20 departments, with a year-end round
    for FY2024 whose entries all have results (confirmed, or published)."""
    from datetime import date

    from evaluations import services
    from evaluations.choices import EntryState, Result
    from initiatives.models import Department, Initiative, Municipality, Pillar, Plan

    city = Municipality.objects.create(slug=f"{slug}-city", name="ベンチ市")
    departments = Department.objects.bulk_create(
        Department(municipality=city, code=f"d{i:02d}", name=f"ベンチ局{i:02d}") for i in range(20)
    )
    plan = Plan.objects.create(
        municipality=city,
        slug=slug,
        title="ベンチマーク市政改革プラン",
        start_fiscal_year=2024,
        end_fiscal_year=2027,
    )
    pillars = [
        Pillar.objects.create(
            plan=plan,
            order=n,
            name=f"取組方針{n}",
            office_tracks_items=n % 2 == 0 if tracked == 3 else n <= tracked,
        )
        for n in range(1, 7)
    ]
    tracked = [p for p in pillars if p.office_tracks_items]
    Initiative.objects.bulk_create(
        Initiative(
            plan=plan,
            pillar=tracked[i % len(tracked)],
            code=f"B-{i:05d}",
            order=i,
            title=f"ベンチマーク用の取組項目その{i}：業務プロセスの見直しと効率化",
            department=departments[i % len(departments)],
            target="令和9年度末までに対象業務の処理時間を2割削減する。",
        )
        for i in range(items)
    )
    round_ = services.open_round_as_system(
        plan=plan, fiscal_year=2024, as_of=date(2025, 3, 31), actor_name="bench"
    )
    cycle = [
        Result.ACHIEVED,
        Result.ACHIEVED,
        Result.ACHIEVED,
        Result.NOT_ACHIEVED,
        Result.EXCLUDED,
    ]
    changes = []
    for n, (pk, version, state) in enumerate(
        round_.entries.order_by("pk").values_list("pk", "version", "state")
    ):
        result = cycle[n % len(cycle)]
        changes.append(
            services.EntryChange(
                entry_id=pk,
                expected_version=version,
                before={"result": "", "reason": "", "narrative": ""},
                values={
                    "result": result,
                    "reason": "令和9年度末時点で評価を実施のため。"
                    if result == Result.EXCLUDED
                    else "",
                    "narrative": "計画どおり取組を進め、所管課で進捗を確認した。",
                },
                state_before=state,
                state=EntryState.CONFIRMED if publish else EntryState.IN_PROGRESS,
            )
        )
    services.update_entries_as_system(changes=changes, round_=round_, actor_name="bench")
    if publish:
        services.publish_round_as_system(round_=round_, actor_name="bench")
    return plan, round_
