"""Nation scale: every Japanese municipality (1,741) with a plan of 100 initiatives and three
fiscal years of published results, on PostgreSQL; the public pages measured against the same
pages at seed size, in one run.

    scripts/with-postgres.sh .venv/bin/python bench/bench_nation.py [--municipalities 1741]
        [--items 100] [--runs 7] [--skip WORD,…] [--pages-only]

1. Seed size: the two seed cities (``load_seed``). Per public page: its queries and its p50
   over ``--runs`` renders, in process (Django's test client), the page cache off.
2. Generation: ``--municipalities`` cities over the 47 prefectures (〇〇市/町/村/区 names and
   valid 全国地方公共団体コード, deterministic), each with 10 departments, 5 pillars (3 tracked
   item by item), ``--items`` initiatives and year-end rounds for FY2022–2024, each published.
   The rows are what the services write (open_round_as_system → update_entry_as_system with
   state=CONFIRMED → publish_round_as_system): entries at version 3 in state 公表, one
   round.open, one entry.update and one entry.publish history row per entry, one round.publish
   per round, the publication's PublishedResult and PublishedPillar snapshot rows. They are
   written by set-based INSERT … SELECT in PostgreSQL (and COPY for the cities), not one
   service call at a time, which would take hours. The time is printed.
3. Nation size: the same pages again (the same Osaka and Kitakyushu addresses, now among
   1,741 plans): queries (must equal the seed-size count) and p50 as a ratio to seed size
   (goal ≤ 2×), with PUBLIC_DATA_MEMO on (production) and off; the first request after a
   publication with the memo on is printed too (it reads every plan's published state once).
4. Publishing one plan through publish_round_as_system at seed size and at nation size
   (goal ≤ 1 s), and the open-data documents' peak Python memory (tracemalloc) and size.

Prints the load average; exit status 1 when a query count differs or a goal is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from datetime import date

if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("bench_nation.py needs PostgreSQL: run it through scripts/with-postgres.sh")

import _setup  # noqa: F401  (Django set up, migrated)
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from nation import FISCAL_YEARS, generate

from evaluations import services
from evaluations.choices import EntryState, Result
from initiatives.models import Plan
from reformtracker import memos

OSAKA = "osaka-shin-shisei-kaikaku"
KITAKYUSHU = "kitakyushu-shisei-henkaku"

# (label, address). The home page is measured as the directory at both sizes (at seed size it
# would show the two dashboards instead: printed apart, for reference).
PAGES = [
    ("home (directory)", "/"),
    ("home, one prefecture", "/?prefecture=27"),
    ("home, name search", "/?q=大阪"),
    ("plan page", f"/plans/{OSAKA}/"),
    ("pillar page", f"/plans/{OSAKA}/pillars/3/"),
    ("initiative page", f"/plans/{OSAKA}/initiatives/2-1/"),
    ("initiative browser", "/initiatives/"),
    ("browser, page 5", "/initiatives/?page=5"),
    ("browser, search", "/initiatives/?q=委託"),
    ("browser, 4-char search", "/initiatives/?q=民間委託"),
    ("browser, kana search", "/initiatives/?q=ゴミ"),
    ("browser, number", "/initiatives/?q=6-5"),
    ("browser, prefecture", "/initiatives/?prefecture=27"),
    ("browser, one plan", f"/initiatives/?plan={OSAKA}"),
    ("browser, 評価対象外", "/initiatives/?result=excluded&fy=2024"),
    # At seed size page 400 is past the end: Paginator gives the last page (2).
    ("browser, page 400", "/initiatives/?page=400"),
    ("initiatives.json", "/open-data/initiatives.json"),
    ("plans.json", "/open-data/plans.json"),
    ("plans.json, one city", "/open-data/plans.json?q=大阪"),
    ("home.json", "/open-data/home.json"),
    ("results.json", f"/open-data/{OSAKA}/2024/results.json"),
    ("open-data index", "/open-data/"),
    ("meetings", "/meetings/"),
]


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


# --- measuring --------------------------------------------------------------------------------

# The seed-size and the nation-size databases live side by side on the same server; each page
# is timed in blocks alternating between them, so a change in the machine's load falls on both.
DATABASES: dict[str, str] = {}


def use(size: str) -> None:
    """Points the default connection at the seed-size or nation-size database."""
    connection.close()
    connection.settings_dict["NAME"] = DATABASES[size]
    memos.clear()
    cache.clear()


class Counter:
    def __init__(self):
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


def _render(client, url) -> float:
    cache.clear()
    start = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url}: {response.status_code}")
    return elapsed


def measure(memo: bool, runs: int, blocks: int = 3) -> dict[str, dict[str, tuple[int, float]]]:
    """{size: {page: (queries, p50 ms)}}: the page cache off, every render a miss."""
    settings.PUBLIC_DATA_MEMO = memo
    client = Client()
    figures: dict[str, dict] = {"seed": {}, "nation": {}}
    for label, url in PAGES:
        times: dict[str, list[float]] = {"seed": [], "nation": []}
        queries = {}
        for _ in range(blocks):
            for size in ("seed", "nation"):
                use(size)
                _render(client, url)  # warm: the connection, and the memo when on
                counter = Counter()
                with connection.execute_wrapper(counter):
                    _render(client, url)
                queries[size] = counter.n
                times[size] += [_render(client, url) for _ in range(max(1, runs // blocks))]
        for size in figures:
            figures[size][label] = (queries[size], statistics.median(times[size]))
    return figures


def first_after_publication() -> float:
    """ms of the plan page's first render after a publication with the memo on: it reads every
    plan's published state once for the new fingerprint."""
    settings.PUBLIC_DATA_MEMO = True
    use("nation")
    Client().get("/healthz")
    start = time.perf_counter()
    Client().get(f"/plans/{OSAKA}/")
    return (time.perf_counter() - start) * 1000


def publish_one(plan: Plan, fiscal_year: int) -> tuple[float, float]:
    """Seconds to confirm every entry of a new round (bulk service) and to publish it."""
    round_ = services.open_round_as_system(
        plan=plan, fiscal_year=fiscal_year, as_of=date(fiscal_year + 1, 3, 31), actor_name="bench"
    )
    changes = [
        services.EntryChange(
            entry_id=pk,
            expected_version=version,
            before={"result": "", "reason": "", "narrative": ""},
            values={"result": Result.ACHIEVED, "reason": "", "narrative": "計画どおり。"},
            state_before=state,
            state=EntryState.CONFIRMED,
        )
        for pk, version, state in round_.entries.values_list("pk", "version", "state")
    ]
    start = time.perf_counter()
    services.update_entries_as_system(changes=changes, round_=round_, actor_name="bench")
    confirmed = time.perf_counter()
    services.publish_round_as_system(round_=round_, actor_name="bench")
    return confirmed - start, time.perf_counter() - confirmed


def documents(plan_slug: str) -> list[tuple[str, float, int]]:
    """(address, peak MB allocated while serving it, bytes) of the largest open-data documents."""
    settings.PUBLIC_DATA_MEMO = False
    client = Client()
    out = []
    for url in (
        f"/open-data/plans.json?per_page={settings.OPEN_DATA_PLANS_MAX_PER_PAGE}",
        f"/open-data/{plan_slug}/2024/results.json",
        f"/open-data/{plan_slug}/2024/results.csv",
        "/open-data/initiatives.json",
        "/open-data/",
    ):
        out.append((url, *_peak(client, url)))
    return out


def _peak(client, url) -> tuple[float, int]:
    cache.clear()
    tracemalloc.start()
    response = client.get(url)
    body = b"".join(response) if response.streaming else response.content
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    assert response.status_code == 200, url
    return peak, len(body)


# What a document's memory may grow with: it must not grow with the nation (the same address,
# at seed size and at nation size).
SAME_ADDRESS_DOCUMENTS = (
    "/open-data/initiatives.json",
    "/open-data/initiatives.json?q=委託",
    "/open-data/plans.json",
    "/open-data/home.json",
    f"/open-data/{OSAKA}/2024/results.json",
)


def documents_at_both_sizes() -> list[tuple[str, float, float]]:
    """(address, peak MB at seed size, at nation size), memo off (every row read)."""
    settings.PUBLIC_DATA_MEMO = False
    client = Client()
    peaks: dict[str, dict[str, float]] = {}
    for size in ("seed", "nation"):
        use(size)
        for url in SAME_ADDRESS_DOCUMENTS:
            client.get(url)  # warm: templates, prepared statements
            peaks.setdefault(url, {})[size] = _peak(client, url)[0]
    return [(url, p["seed"], p["nation"]) for url, p in peaks.items()]


# --- the run ----------------------------------------------------------------------------------


def _table(seed: dict, nation: dict, title: str) -> bool:
    print(f"\n{title}")
    print(f"  {'page':<22} {'queries':>9} {'seed p50':>10} {'nation p50':>11} {'ratio':>6}")
    ok = True
    for label, _url in PAGES:
        (q0, t0), (q1, t1) = seed[label], nation[label]
        ratio = t1 / t0
        mark = "" if q0 == q1 else "  ← queries differ"
        mark += "" if ratio <= 2 else "  ← over 2×"
        ok &= q0 == q1
        print(f"  {label:<22} {q0:>4} → {q1:<3} {t0:>8.1f}ms {t1:>9.1f}ms {ratio:>5.2f}×{mark}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--municipalities", type=int, default=1741)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--runs", type=int, default=9, help="renders per page and size")
    parser.add_argument(
        "--skip", default="", help="comma-separated words: pages whose label has one are skipped"
    )
    parser.add_argument(
        "--pages-only",
        action="store_true",
        help="stop after the pages with the memo on (no memo-off table, publishing or documents)",
    )
    args = parser.parse_args()
    skipped = [word for word in args.skip.split(",") if word]
    PAGES[:] = [(label, url) for label, url in PAGES if not any(w in label for w in skipped)]
    sys.stdout.reconfigure(line_buffering=True)  # each figure as soon as it is known
    settings.PUBLIC_PAGE_CACHE = False
    settings.PUBLIC_PAGE_FINGERPRINT_SECONDS = 0
    settings.PUBLIC_HOME_BOARDS_MAX = 0  # the directory at both sizes (the same page type)
    print(f"load average at start: {_load()}")
    call_command("load_seed", verbosity=0)
    seed_publish = publish_one(Plan.objects.get(slug=OSAKA), 2025)
    seed_name = connection.settings_dict["NAME"]
    # The nation starts as a copy of the seed-size database (no session may be open on it).
    DATABASES.update(seed=seed_name, nation=f"{seed_name}_nation", maintenance="postgres")
    use("maintenance")
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DATABASES["nation"]}"')
        cursor.execute(f'CREATE DATABASE "{DATABASES["nation"]}" TEMPLATE "{seed_name}"')
    use("nation")

    start = time.perf_counter()
    counts = generate(args.municipalities, args.items)
    generation = time.perf_counter() - start
    print(
        f"\ngenerated {args.municipalities:,} municipalities × {args.items} initiatives × "
        f"{len(FISCAL_YEARS)} published fiscal years in {generation:.1f} s (load {_load()}):"
    )
    for table, n in counts.items():
        print(f"  {table:<30} {n:>10,}")

    first = first_after_publication()
    on = measure(True, args.runs)
    ok = _table(
        on["seed"],
        on["nation"],
        f"uncached (page cache off), PUBLIC_DATA_MEMO on (load {_load()}):",
    )
    if args.pages_only:
        connection.close()
        print(f"\nload average at end: {_load()}")
        return 0 if ok else 1
    off = measure(False, args.runs)
    ok &= _table(
        off["seed"], off["nation"], f"uncached, PUBLIC_DATA_MEMO off (reference; load {_load()}):"
    )
    settings.PUBLIC_HOME_BOARDS_MAX = 5
    use("seed")
    boards = statistics.median(_render(Client(), "/") for _ in range(args.runs))
    settings.PUBLIC_HOME_BOARDS_MAX = 0
    print(f"\n  home at seed size as the two dashboards (memo off): {boards:.1f} ms")
    print(f"  first plan page after a publication, memo on (every plan's state): {first:.0f} ms")

    use("nation")
    nation_plan = Plan.objects.filter(slug__startswith="plan-n").order_by("pk").first()
    nation_publish = publish_one(nation_plan, 2025)
    print("\npublishing one plan (publish_round_as_system; confirming its entries apart):")
    print(
        f"  seed size   ({OSAKA}): publish {seed_publish[1] * 1000:.0f} ms "
        f"(confirm {seed_publish[0] * 1000:.0f} ms)"
    )
    print(
        f"  nation size ({nation_plan.slug}, {args.items} items): publish "
        f"{nation_publish[1] * 1000:.0f} ms (confirm {nation_publish[0] * 1000:.0f} ms)"
        f"{'' if nation_publish[1] <= 1 else '  ← over 1 s'}"
    )
    ok &= nation_publish[1] <= 1

    print("\nthe same documents at both sizes (peak Python allocation while serving, memo off):")
    for url, seed_peak, nation_peak in documents_at_both_sizes():
        print(f"  {seed_peak:>7.2f} MB → {nation_peak:>7.2f} MB  {url}")
    use("nation")
    print("\nopen-data documents at nation size (peak Python allocation while serving):")
    for url, peak, size in documents(nation_plan.slug):
        print(f"  {peak:>7.1f} MB  {size / 1024:>8.0f} KiB  {url}")
        ok &= peak <= 100
    connection.close()
    print(f"\nload average at end: {_load()}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
