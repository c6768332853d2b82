"""Requests per second of every public page and JSON document against a hello-world view, under
gunicorn (2 workers), uncached and cached, at seed size and with a plan of 10,000 initiatives.

    .venv/bin/python bench/bench_pages.py [--duration 2] [--rounds 1] [--connections 16]
        [--sizes seed,large] [--items 10000] [--only NAME,…] [--cpu-only] [--gzip]

Needs `wrk` (Debian: apt-get install -y wrk) and gunicorn. Builds a seeded SQLite database in
a temporary directory (and, for ``large``, a copy of it with a published synthetic plan of
``--items`` initiatives from bench/_setup.py), then starts two servers on 127.0.0.1 per size:

- uncached (PUBLIC_PAGE_CACHE=0): every request runs the view and renders the page; what is
  fixed per publication stays memoised per worker (PUBLIC_DATA_MEMO=1, as in production);
- cached (PUBLIC_PAGE_CACHE=1): each page is requested first, so wrk measures cache hits where
  the page is stored (the X-Public-Cache column: hit, or bypass for pages rendered every time).

With ``--gzip`` every request, hello world's too, carries ``Accept-Encoding: gzip, deflate, br``
as a browser's does: a stored page then goes out as its gzip copy (evaluations.public_cache,
GZIP_MIN_BYTES), and the bytes column is what was sent. Without it, no request asks for gzip
(wrk's own default).

The machine may be shared, so the load drifts: every wrk run of a page is paired with a run of
/healthz (no database, no template, the same middleware) on the same server just before it, and
each ratio is the page's rate over its paired hello-world rate. Prints the whole table with the
load average; exit status 1 when a page misses uncached ≥ 0.25 or cached ≥ 1.0 of hello.
Nothing leaves loopback.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from pathlib import Path

from servers import HELLO, PYTHON, ROOT, gunicorn, server_env

UNCACHED_TARGET, CACHED_TARGET = 0.25, 1.0

OSAKA, KITAKYUSHU, LARGE = "osaka-shin-shisei-kaikaku", "kitakyushu-shisei-henkaku", "bench-plan"


def pages(size: str) -> list[tuple[str, str]]:
    """(name, path) of every public page and JSON document, on the size's largest plan."""
    slug, code, page = (OSAKA, "2-1", 2) if size == "seed" else (LARGE, "B-00042", 250)
    q = "委託" if size == "seed" else "ベンチマーク"
    # As a reader types it: katakana for what the text writes in hiragana (seed: 「ごみ」), and
    # hiragana for the large plan's katakana (reformtracker.textnorm folds both).
    kana = "ゴミ" if size == "seed" else "べんちまーく"
    return [
        ("home", "/"),
        ("home (en)", "/en/"),
        ("site card", "/card.png"),
        ("plan", f"/plans/{slug}/"),
        ("plan card", f"/plans/{slug}/card.png"),
        ("plan badge", f"/plans/{slug}/badge.svg"),
        ("pillar", f"/plans/{slug}/pillars/2/"),
        ("initiative", f"/plans/{slug}/initiatives/{code}/"),
        ("browser", "/initiatives/"),
        ("browser page", f"/initiatives/?plan={slug}&page={page}"),
        ("browser filters", f"/initiatives/?plan={slug}&pillar=&result=achieved&fy=2024"),
        ("browser search", f"/initiatives/?q={urllib.request.quote(q)}"),
        ("browser kana", f"/initiatives/?q={urllib.request.quote(kana)}"),
        ("browser (htmx)", f"/initiatives/?plan={slug}&page=2"),
        # Every request a different search (q=1, 2, 3 … per wrk thread): nothing kept helps.
        ("browser new q", "/initiatives/?q=1"),
        ("open data", "/open-data/"),
        ("plans.json", "/open-data/plans.json"),
        ("results.csv", f"/open-data/{slug}/2024/results.csv"),
        ("results.json", f"/open-data/{slug}/2024/results.json"),
        ("home.json", "/open-data/home.json"),
        ("initiatives.json", f"/open-data/initiatives.json?plan={slug}&page={page}"),
        ("plan.json", f"/open-data/plans/{slug}.json"),
        ("pillar.json", f"/open-data/plans/{slug}/pillars/2.json"),
        ("initiative.json", f"/open-data/plans/{slug}/initiatives/{code}.json"),
        ("meetings", "/meetings/"),
        ("schedule", f"/meetings/{KITAKYUSHU}/schedule/"),
        ("meetings.json", "/open-data/meetings.json"),
        ("schedule.json", f"/open-data/schedules/{KITAKYUSHU}.json"),
        ("calendar.ics", f"/meetings/{KITAKYUSHU}/calendar.ics"),
        ("departments", f"/plans/{slug}/departments/"),
        ("departments.json", f"/open-data/plans/{slug}/departments.json"),
        ("compare", "/compare/"),
        ("compare.json", "/open-data/compare.json"),
        ("changes", f"/plans/{slug}/compare/"),
        ("changes.json", f"/open-data/plans/{slug}/compare.json"),
        ("feed", "/feed/"),
        ("plan feed", f"/plans/{slug}/feed/"),
        ("initiative feed", f"/plans/{slug}/initiatives/{code}/feed/"),
    ]


HTMX = {"browser (htmx)": {"HX-Request": "true"}}
SCRIPTS = {"browser new q": "distinct_searches.lua"}
DISTINCT_SEARCHES = """
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, "/initiatives/?q=" .. counter .. "&page=1")
end
"""


def _prepare(tmp: Path, sizes: list[str], items: int) -> dict[str, Path]:
    seed = tmp / "seed.sqlite3"
    env = server_env(seed, cache=True)
    for args in (["migrate", "-v0"], ["load_seed", "-v0"]):
        subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )
    databases = {"seed": seed}
    if "large" in sizes:
        large = tmp / "large.sqlite3"
        shutil.copyfile(seed, large)
        subprocess.run(
            [PYTHON, __file__, "--add-plan", str(items)],
            cwd=ROOT,
            env={**env, "BENCH_SQLITE_PATH": str(large)},
            check=True,
        )
        databases["large"] = large
    return databases


def _add_plan(items: int) -> None:
    """In a child process: the published synthetic plan, added to BENCH_SQLITE_PATH."""
    sys.path.insert(0, str(ROOT / "bench"))
    import _setup

    _setup.synthetic_plan(items, publish=True, slug=LARGE)


def _wrk(
    url: str, duration: int, connections: int, headers: dict | None = None, script=None
) -> float:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "30s"]
    if script:
        command += ["-s", str(script)]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=duration + 60
    ).stdout
    if "Non-2xx or 3xx responses" in output or "Socket errors" in output:
        raise RuntimeError(f"errors from {url}:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def _warm(url: str, headers: dict, times: int = 8) -> tuple[str, int]:
    """Requests the page a few times (each worker stores its own copy); its X-Public-Cache."""
    for _ in range(times):
        request = urllib.request.Request(url, headers=headers)
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
    assert response.status == 200 and body, url
    return response.headers.get("X-Public-Cache") or "-", len(body)


BROWSER_ENCODINGS = {"Accept-Encoding": "gzip, deflate, br"}


def _measure(base: str, path: str, headers: dict, options, script=None):
    encodings = BROWSER_ENCODINGS if options.gzip else {}
    headers = {**encodings, **headers}
    status, size = _warm(base + path, headers)
    hello = page = 0.0
    for _ in range(options.rounds):
        hello += _wrk(base + HELLO, options.duration, options.connections, encodings)
        page += _wrk(base + path, options.duration, options.connections, headers, script)
    return page / options.rounds, page / hello, status, size


def _cpu(paths: list[str], headers: dict) -> None:
    """In a child process: CPU milliseconds per request in process (Django's test client,
    page cache off), median of 25 after 3 to warm; printed as JSON. ``q=1`` becomes q=1, 2, 3 …"""
    import json

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reformtracker.settings")
    django.setup()
    from django.test import Client

    client = Client()
    result = {}
    for path in [HELLO, *paths]:
        extra = headers.get(path, {})
        for _ in range(3):
            client.get(path, headers=extra)
        times = []
        for n in range(25):
            started = time.process_time()
            client.get(
                path.replace("q=1&", f"q={n + 100}&").replace("q=1", f"q={n + 100}"), headers=extra
            )
            times.append(time.process_time() - started)
        result[path] = sorted(times)[len(times) // 2] * 1000
    print(json.dumps(result))


def _cpu_times(database: Path, size: str, only: set) -> dict[str, float]:
    import json

    listed = [(n, p) for n, p in pages(size) if not only or n in only]
    headers = {p: HTMX[n] for n, p in listed if n in HTMX}
    output = subprocess.run(
        [PYTHON, __file__, "--cpu", json.dumps([[p for _, p in listed], headers])],
        cwd=ROOT,
        env=server_env(database, cache=False),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=2, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="paired runs per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--sizes", default="seed,large")
    parser.add_argument("--items", type=int, default=10_000, help="initiatives of the large plan")
    parser.add_argument("--only", default="", help="page names, comma-separated")
    parser.add_argument(
        "--cpu-only",
        action="store_true",
        help="only the in-process CPU table and its large/seed ratios (no gunicorn, no wrk)",
    )
    parser.add_argument(
        "--gzip",
        action="store_true",
        help="every request accepts gzip, as a browser's does (stored pages go out gzipped)",
    )
    parser.add_argument("--add-plan", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--cpu", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.add_plan:
        return _add_plan(options.add_plan)
    if options.cpu:
        import json

        return _cpu(*json.loads(options.cpu))
    # A terminated bench stops its servers (the context managers' finally blocks run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    if not options.cpu_only and not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install -y wrk")
    sizes = [s for s in options.sizes.split(",") if s]
    only = {n.strip() for n in options.only.split(",") if n.strip()}
    results: dict[tuple[str, str], dict] = {}
    loads = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="reformtracker-bench-") as name:
        tmp = Path(name)
        databases = _prepare(tmp, sizes, options.items)
        script = tmp / SCRIPTS["browser new q"]
        script.write_text(DISTINCT_SEARCHES)
        for size in sizes:
            cpu = _cpu_times(databases[size], size, only)
            if options.cpu_only:
                for page, path in pages(size):
                    if not only or page in only:
                        results[(size, page)] = {"path": path, "cpu": (cpu[path], cpu[HELLO])}
                loads.append(os.getloadavg()[0])
                continue
            with ExitStack() as stack:
                bases = {
                    cache: stack.enter_context(gunicorn(databases[size], cache))
                    for cache in (False, True)
                }
                for page, path in pages(size):
                    if only and page not in only:
                        continue
                    row = results.setdefault((size, page), {"path": path})
                    row["cpu"] = (cpu[path], cpu[HELLO])
                    for cache, base in bases.items():
                        rate, ratio, status, length = _measure(
                            base,
                            path,
                            HTMX.get(page, {}),
                            options,
                            script if page in SCRIPTS else None,
                        )
                        row[cache] = (rate, ratio, status)
                        row["bytes"] = length
                    print(
                        f"  {size:<5} {page:<17} uncached {row[False][1]:.2f}"
                        f"  cached {row[True][1]:.2f} ({row[True][2]})",
                        file=sys.stderr,
                        flush=True,
                    )
                    loads.append(os.getloadavg()[0])
    load = os.getloadavg()
    served = (
        "in process only (--cpu-only), SQLite"
        if options.cpu_only
        else f"gunicorn 2 workers, SQLite; wrk -t2 -c{options.connections} -d{options.duration}s,"
        f" each page paired with {HELLO} just before it, {options.rounds} round(s)"
        + (
            f"; every request with Accept-Encoding: {BROWSER_ENCODINGS['Accept-Encoding']}"
            if options.gzip
            else ""
        )
    )
    print(f"{served}; large = seed + a published plan of {options.items:,} initiatives")
    print(
        f"load average: 1-min during the run {min(loads):.2f}–{max(loads):.2f};"
        f" after it {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({os.cpu_count()} CPUs);"
        f" {time.monotonic() - started:.0f} s"
    )
    print(
        "in-process: CPU ms per request through the middleware, page cache off (median of 25);"
        " hello = /healthz the same way"
    )
    header = (
        f"{'size':<5} {'page':<17} {'bytes':>9} {'in-process ms':>13} {'hello/page':>10}"
        f" {'uncached req/s':>14} {'/hello':>6} {'cached req/s':>12} {'/hello':>6}  cache  path"
    )
    missed = []
    if options.cpu_only:
        return _ratios(results, cpu_only=True)
    print(header)
    print("-" * len(header))
    for (size, page), row in results.items():
        (u_rate, u_ratio, _), (c_rate, c_ratio, status) = row[False], row[True]
        flag = ""
        if u_ratio < UNCACHED_TARGET or c_ratio < CACHED_TARGET:
            missed.append(f"{size} {page}")
            flag = "  ✗"
        page_ms, hello_ms = row["cpu"]
        print(
            f"{size:<5} {page:<17} {row['bytes']:>9,} {page_ms:>13.2f} {hello_ms / page_ms:>10.2f}"
            f" {u_rate:>14.1f} {u_ratio:>6.2f} {c_rate:>12.1f} {c_ratio:>6.2f}  {status:<5}"
            f"  {row['path']}{flag}"
        )
    _ratios(results)
    print(
        f"targets: uncached ≥ {UNCACHED_TARGET} of hello, cached ≥ {CACHED_TARGET};"
        f" missed: {', '.join(missed) if missed else 'none'}"
    )
    if missed:
        sys.exit(1)


def _ratios(results: dict, cpu_only: bool = False) -> None:
    """The in-process CPU table, large over seed (goal ≤ 2×)."""
    if cpu_only:
        for (size, page), row in results.items():
            page_ms, hello_ms = row["cpu"]
            print(f"{size:<5} {page:<17} {page_ms:>8.2f} ms  hello/page {hello_ms / page_ms:.3f}")
    sized = {(size, page): row["cpu"][0] for (size, page), row in results.items()}
    both = [page for (size, page) in sized if size == "large" and ("seed", page) in sized]
    if both:
        print("in-process CPU ms, large / seed (goal ≤ 2×; the paths differ where the page is")
        print("the large plan's: its page 250, its search word):")
        for page in both:
            seed_ms, large_ms = sized[("seed", page)], sized[("large", page)]
            flag = "" if large_ms <= 2 * seed_ms else "  ← over 2×"
            print(
                f"  {page:<17} {seed_ms:>7.2f} → {large_ms:>7.2f} ms  {large_ms / seed_ms:>5.2f}×{flag}"
            )


if __name__ == "__main__":
    main()
