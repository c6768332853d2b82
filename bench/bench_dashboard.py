"""Requests per second of the dashboard against a hello-world view, under gunicorn (2 workers).

    .venv/bin/python bench/bench_dashboard.py [--duration 5] [--rounds 2] [--connections 16]

Needs `wrk` (Debian: apt-get install -y wrk) and gunicorn (a main dependency). Builds a
seeded SQLite database in a temporary directory, then starts three servers on 127.0.0.1, all
through the same middleware as /healthz (hello world: no database, no template):

1. cached (PUBLIC_PAGE_CACHE=1, as in production): the dashboard / is warmed first, so wrk
   measures cache hits; then the same with If-None-Match (a repeat visitor: 304, no body);
2. uncached (PUBLIC_PAGE_CACHE=0): every request runs the view, reads the live plans,
   municipalities and pillars and renders the page. What a publication fixes for good — its
   figures, excluded items and trend, and the markup of the headline, 1–5 table and charts —
   is computed once per publication and kept in each worker (PUBLIC_DATA_MEMO, keyed by the
   publication fingerprint and the live labels it shows);
3. for reference only, uncached without that memo (PUBLIC_DATA_MEMO=0).

The machine may be shared, so the load drifts: each dashboard run is paired with a /healthz run
on the same server just before it, in ``--rounds`` rounds, and each ratio is the sum of the
dashboard's rates over the sum of its paired hello-world rates. Prints both ratios the issue
asks for (cached/hello ≥ 0.80, uncached/hello ≥ 0.25) and the load average; exit status 1 when
either is missed. Nothing leaves loopback.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from servers import HELLO, PYTHON, ROOT, gunicorn, server_env

DASHBOARD = "/"


def _prepare(tmp: Path):
    env = server_env(tmp / "bench.sqlite3", cache=True)
    for args in (["migrate", "-v0"], ["load_seed", "-v0"]):
        subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def _wrk(url: str, duration: int, connections: int, headers: dict | None = None) -> float:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=duration + 30
    ).stdout
    if "Non-2xx or 3xx responses" in output:
        raise RuntimeError(f"errors from {url}:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def _warm(url: str, times: int = 20) -> tuple[str, str]:
    for _ in range(times):  # every worker gets its copy into its local-memory cache
        response = urllib.request.urlopen(url, timeout=5)
        body = response.read()
    assert response.status == 200 and len(body) > 1000, url
    return response.headers.get("ETag"), response.headers.get("X-Public-Cache")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    options = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install -y wrk")
    d, c = options.duration, options.connections
    names = ("cached", "not_modified", "uncached", "no_memo")
    rates = {name: [] for name in names}
    hellos = {name: [] for name in names}
    with tempfile.TemporaryDirectory(prefix="reformtracker-bench-") as name:
        tmp = Path(name)
        _prepare(tmp)
        with (
            gunicorn(tmp / "bench.sqlite3", cache=True) as cached_base,
            gunicorn(tmp / "bench.sqlite3", cache=False) as uncached_base,
            gunicorn(tmp / "bench.sqlite3", cache=False, memo=False) as no_memo_base,
        ):
            etag, status = _warm(cached_base + DASHBOARD)
            assert status == "hit", f"dashboard not served from cache ({status})"
            for base in (uncached_base, no_memo_base):
                _, status = _warm(base + DASHBOARD, times=4)
                assert status == "bypass", status
            runs = {
                "cached": (cached_base, {}),
                "not_modified": (cached_base, {"If-None-Match": etag}),
                "uncached": (uncached_base, {}),
                "no_memo": (no_memo_base, {}),
            }
            for _ in range(options.rounds):
                for run, (base, headers) in runs.items():
                    hellos[run].append(_wrk(base + HELLO, d, c))
                    rates[run].append(_wrk(base + DASHBOARD, d, c, headers))
    load = os.getloadavg()

    def rate(run):
        return sum(rates[run]) / len(rates[run])

    def ratio(run):
        return sum(rates[run]) / sum(hellos[run])

    hello = sum(sum(h) for h in hellos.values()) / sum(len(h) for h in hellos.values())
    print(f"gunicorn 2 workers, wrk -t2 -c{c} -d{d}s × {options.rounds} rounds, SQLite, seed data")
    print(
        f"load average after the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({os.cpu_count()} CPUs)"
    )
    print(f"  hello world  {HELLO:<10} {hello:>9.1f} req/s  (mean of the paired runs)")
    print(f"  dashboard    {DASHBOARD:<10} {rate('cached'):>9.1f} req/s  (cached)")
    print(
        f"  dashboard    {DASHBOARD:<10} {rate('not_modified'):>9.1f} req/s"
        "  (cached, If-None-Match → 304)"
    )
    print(
        f"  dashboard    {DASHBOARD:<10} {rate('uncached'):>9.1f} req/s"
        "  (uncached: page rendered every request; per-publication data memoised)"
    )
    print(
        f"  dashboard    {DASHBOARD:<10} {rate('no_memo'):>9.1f} req/s"
        "  (uncached, no per-publication memo; reference only)"
    )
    cached_ratio, uncached_ratio = ratio("cached"), ratio("uncached")
    print(f"cached / hello   = {cached_ratio:.2f}  (target ≥ 0.80)")
    print(f"304 / hello      = {ratio('not_modified'):.2f}")
    print(f"uncached / hello = {uncached_ratio:.2f}  (target ≥ 0.25)")
    print(f"uncached without the memo / hello = {ratio('no_memo'):.2f}  (reference)")
    if cached_ratio < 0.80 or uncached_ratio < 0.25:
        sys.exit(1)


if __name__ == "__main__":
    main()
