"""The measures pages (an initiative's indicators and chart, what changed between two 時点, the
department view, the comparison of plans, the Atom feeds) against a hello-world view, in
process, at seed size and with Osaka grown to 10,000 initiatives each carrying an indicator.

    .venv/bin/python bench/bench_measures.py [--runs 15] [--items 10000]
        [--rule achieved_over_evaluated|indicator_bands] [--only NAME,…]

Builds a seeded SQLite database in a temporary directory (DATABASE_URL: PostgreSQL instead).
Osaka's 2-1 gets an indicator and a second 時点 (FY2025), so its page draws a chart and the
compare page has two 時点 to compare (tests/measures/grown.py, as the query-count tests use);
``--rule`` sets Osaka's rating rule (``indicator_bands``: the bands are read on its pages). Then
every page is measured, and again once Osaka has ``--items`` initiatives and indicators and
two more 時点 holding all of them.

Each page in three ways, through Django's WSGI application and every middleware (as gunicorn
calls it, without the HTTP parsing), each request paired with a request of /healthz (the same
middleware; no database, no template) just before it, so both see the same load:

- first render (page cache off, PUBLIC_DATA_MEMO off): what the first request after a
  publication costs at most (reference);
- uncached (page cache off, PUBLIC_DATA_MEMO on, as in production): a page-cache miss, with
  what a publication fixes kept per process, as bench_pages.py's uncached servers run;
- cached (page cache on and warmed, the fingerprint read once a second as in production).

Times are CPU time of this process per request (the database is SQLite, in process, so its
work is counted), median of ``--runs``; a ratio is hello's median over the page's, the
figure issue 12 §4 asks for (≥ 0.25 uncached, ≥ 1.0 cached). Queries are counted on a
page-cache miss with the memo off, as tests/measures/test_measures_performance.py counts them.
Prints the table with the load average; exit status 1 when a page misses a goal.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _setup  # noqa: F401  (Django set up, migrated)
from django.conf import settings
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from reformtracker import memos
from tests.constants import OSAKA
from tests.measures.grown import CHARTED, chart_the_seed, grow_with_indicators

HELLO = "/healthz"
UNCACHED_TARGET, CACHED_TARGET = 0.25, 1.0
PAGES = [
    ("plan", f"/plans/{OSAKA}/"),
    ("initiative+chart", f"/plans/{OSAKA}/initiatives/{CHARTED}/"),
    ("initiative.json", f"/open-data/plans/{OSAKA}/initiatives/{CHARTED}.json"),
    ("plan compare", f"/plans/{OSAKA}/compare/"),
    ("plan compare p2", f"/plans/{OSAKA}/compare/?page=2"),
    ("plan compare.json", f"/open-data/plans/{OSAKA}/compare.json"),
    ("departments", f"/plans/{OSAKA}/departments/"),
    ("departments.json", f"/open-data/plans/{OSAKA}/departments.json"),
    ("compare plans", "/compare/"),
    ("compare.json", "/open-data/compare.json"),
    ("site feed", "/feed/"),
    ("plan feed", f"/plans/{OSAKA}/feed/"),
    ("initiative feed", f"/plans/{OSAKA}/initiatives/{CHARTED}/feed/"),
]
MODES = ("first", "uncached", "cached")


def _keep_connection() -> None:
    """One connection for the run, as production keeps its own (CONN_MAX_AGE): otherwise
    request_finished closes it after every request and the next one opens it again."""
    connection.settings_dict["CONN_MAX_AGE"] = None


def _mode(mode: str) -> None:
    settings.PUBLIC_PAGE_CACHE = mode == "cached"
    settings.PUBLIC_DATA_MEMO = mode != "first"
    settings.PUBLIC_PAGE_FINGERPRINT_SECONDS = 1.0
    memos.clear()
    cache.clear()


APPLICATION = WSGIHandler()


def _get(url: str) -> dict:
    """The response's headers, from the WSGI application as a server calls it."""
    path, _, query = url.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer.update(headers, status=status)

    body = APPLICATION(environ, start_response)
    try:
        b"".join(body)
    finally:
        body.close()
    if not answer["status"].startswith("200"):
        raise SystemExit(f"{url}: {answer['status']}")
    return answer


def _cpu(url: str) -> float:
    started = time.process_time()
    _get(url)
    return time.process_time() - started


def _queries(url: str) -> int:
    settings.PUBLIC_PAGE_CACHE, settings.PUBLIC_DATA_MEMO = True, False
    settings.PUBLIC_PAGE_FINGERPRINT_SECONDS = 0
    memos.clear()
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert Client().get(url).status_code == 200, url
    return len(ctx.captured_queries)


def measure(url: str, mode: str, runs: int) -> tuple[float, float, str]:
    """(page ms, hello ms, X-Public-Cache of the last response): medians of ``runs`` pairs."""
    _mode(mode)
    for _ in range(3):  # warm: the connection, the memo, the stored page
        _get(HELLO)
        status = _get(url).get("X-Public-Cache", "-")
    if mode == "cached" and status != "hit":
        raise SystemExit(f"{url}: not served from the page cache ({status})")
    pages, hellos = [], []
    for _ in range(runs):
        hellos.append(_cpu(HELLO))
        pages.append(_cpu(url))
    return statistics.median(pages) * 1000, statistics.median(hellos) * 1000, status


def band_rule_ms(runs: int) -> tuple[int, float]:
    """(indicators, ms): the indicator rule's bands of Osaka's latest 時点, as its pages, the
    feeds and the mail after a publication read them (rating_rules.bands_for: one query, the
    progress of each indicator summed exactly in Python), computed (the memo off; with it,
    once per process and publication); median of ``runs``."""
    from evaluations import published, rating_rules
    from initiatives.models import Plan, RatingRule

    settings.PUBLIC_DATA_MEMO = False

    plan = Plan.objects.get(slug=OSAKA)
    plan.rating_rule = RatingRule.INDICATOR_BANDS  # in memory only: what bands_for reads
    latest = published.latest_by_plan([plan.pk])[plan.pk]
    times = []
    for _ in range(runs):
        started = time.process_time()
        found = rating_rules.bands_for([(latest, plan)])[latest.pk]
        times.append(time.process_time() - started)
    return found.items, statistics.median(times) * 1000


def run_size(size: str, runs: int, only: set) -> list[dict]:
    rows = []
    for name, url in PAGES:
        if only and name not in only:
            continue
        row = {"size": size, "name": name, "url": url, "queries": _queries(url)}
        for mode in MODES:
            page_ms, hello_ms, status = measure(url, mode, runs)
            row[mode] = (page_ms, hello_ms / page_ms)
            row["status"] = status
        print(
            f"  {size:<5} {name:<18} uncached {row['uncached'][1]:.2f}  cached {row['cached'][1]:.2f}",
            file=sys.stderr,
            flush=True,
        )
        rows.append(row)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="paired requests per page and mode")
    parser.add_argument("--items", type=int, default=10_000, help="Osaka's initiatives, grown")
    parser.add_argument("--rule", default="achieved_over_evaluated", help="Osaka's rating rule")
    parser.add_argument("--only", default="", help="page names, comma-separated")
    options = parser.parse_args()
    only = {n.strip() for n in options.only.split(",") if n.strip()}
    started = time.monotonic()
    _keep_connection()
    call_command("load_seed", verbosity=0)
    chart_the_seed(options.rule)
    loads = [os.getloadavg()[0]]
    rows = run_size("seed", options.runs, only)
    bands = [band_rule_ms(options.runs)]
    loads.append(os.getloadavg()[0])
    grown = time.monotonic()
    grow_with_indicators(options.items)
    grown = time.monotonic() - grown
    rows += run_size("large", options.runs, only)
    bands.append(band_rule_ms(options.runs))
    loads.append(os.getloadavg()[0])
    load = os.getloadavg()
    print(
        f"in process (Django's WSGI application, every middleware), {connection.vendor};"
        f" Osaka's rule {options.rule}; large = Osaka grown to {options.items:,} initiatives,"
        f" each with an indicator, and two 時点 holding them all (made in {grown:.0f} s)"
    )
    print(
        f"load average: 1-min during the run {min(loads):.2f}–{max(loads):.2f};"
        f" after it {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({os.cpu_count()} CPUs);"
        f" {time.monotonic() - started:.0f} s"
    )
    print(
        f"CPU ms per request, median of {options.runs}; /hello = {HELLO}'s median over the"
        " page's, paired in the same run; queries on a page-cache miss, memo off"
    )
    header = (
        f"{'size':<5} {'page':<18} {'queries':>7} {'first ms':>9} {'/hello':>6}"
        f" {'uncached ms':>11} {'/hello':>6} {'cached ms':>9} {'/hello':>6}  path"
    )
    print(header)
    print("-" * len(header))
    missed = []
    for row in rows:
        flag = ""
        if row["uncached"][1] < UNCACHED_TARGET or row["cached"][1] < CACHED_TARGET:
            missed.append(f"{row['size']} {row['name']}")
            flag = "  ✗"
        print(
            f"{row['size']:<5} {row['name']:<18} {row['queries']:>7}"
            f" {row['first'][0]:>9.2f} {row['first'][1]:>6.2f}"
            f" {row['uncached'][0]:>11.2f} {row['uncached'][1]:>6.2f}"
            f" {row['cached'][0]:>9.3f} {row['cached'][1]:>6.2f}  {row['url']}{flag}"
        )
    sizes = {(r["size"], r["name"]): r for r in rows}
    grew = [
        f"{name} {sizes[('seed', name)]['queries']} → {sizes[('large', name)]['queries']}"
        for _size, name in sizes
        if ("seed", name) in sizes
        and ("large", name) in sizes
        and sizes[("seed", name)]["queries"] != sizes[("large", name)]["queries"]
    ]
    print(f"queries that grew with the data: {', '.join(sorted(set(grew))) or 'none'}")
    print(
        "the indicator rule's bands of the latest 時点 (rating_rules.bands_for, CPU ms): "
        + ", ".join(f"{n:,} items with indicators {ms:.1f} ms" for n, ms in bands)
    )
    print(
        f"targets: uncached ≥ {UNCACHED_TARGET} of hello, cached ≥ {CACHED_TARGET};"
        f" missed: {', '.join(missed) if missed else 'none'}"
    )
    if missed or grew:
        sys.exit(1)


if __name__ == "__main__":
    main()
