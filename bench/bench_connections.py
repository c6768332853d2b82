"""Database connections: one per request, a kept one with health checks, or psycopg's pool,
under the load bench's read/write mix against gunicorn on PostgreSQL.

    scripts/with-postgres.sh .venv/bin/python bench/bench_connections.py \
        [--duration 20] [--rounds 2] [--readers 40] [--writers 5] [--workers 3]

Prepares the database named by DATABASE_URL once (migrate, the seed, the demo accounts,
collectstatic), then, in each of --rounds rounds, starts gunicorn (deploy/gunicorn.conf.py,
production settings) three times, once per configuration, and drives it with the users of
bench/locustfile.py (public readers with no pause, department writers saving by htmx):

  a. CONN_MAX_AGE=0: a new connection for every request;
  b. CONN_MAX_AGE=60 with CONN_HEALTH_CHECKS: each worker keeps its connection, checked
     before each request's first query;
  c. DATABASE_POOL=4: psycopg's pool in each worker (CONN_MAX_AGE 0, each connection checked
     as it is handed out).

The rounds interleave the configurations so drift on a shared machine hits them alike. Prints,
per configuration over all rounds: p50/p99 of reads and of writes and requests per second, and
each one's throughput as a ratio to (a) measured in the same rounds; the load average beside
each run. Exit status 1 on a failed request.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import bench_load
import locustfile

CONFIGURATIONS = {
    "a. CONN_MAX_AGE=0": {"CONN_MAX_AGE": "0", "DATABASE_POOL": "0"},
    "b. CONN_MAX_AGE=60 + health checks": {
        "CONN_MAX_AGE": "60",
        "CONN_HEALTH_CHECKS": "1",
        "DATABASE_POOL": "0",
    },
    "c. DATABASE_POOL=4 (psycopg pool)": {"CONN_MAX_AGE": "0", "DATABASE_POOL": "4"},
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=20, help="seconds measured per run")
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--readers", type=int, default=40)
    parser.add_argument("--writers", type=int, default=5)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        raise SystemExit("run under scripts/with-postgres.sh (DATABASE_URL: PostgreSQL)")
    static_root = Path(tempfile.mkdtemp(prefix="rt-conn-static-"))
    bench_load.prepare_database(database_url, static_root)
    targets = bench_load._manage_shell(
        database_url,
        bench_load.SETUP,
        "TARGETS",
        LOAD_WRITERS=json.dumps(bench_load.WRITER_ACCOUNTS),
    )
    targets["search_words"] = bench_load.SEARCH_WORDS
    print(f"gunicorn, {args.workers} sync workers; {args.readers} readers + {args.writers} writers")
    print(f"load average before: {bench_load._load_average()}")

    results = {
        name: {"read": [], "write": [], "requests": 0, "seconds": 0.0} for name in CONFIGURATIONS
    }
    failures = []
    for round_ in range(1, args.rounds + 1):
        for name, variables in CONFIGURATIONS.items():
            port = bench_load._free_port()
            env = bench_load.production_env(
                database_url,
                STATIC_ROOT=str(static_root),
                WEB_CONCURRENCY=str(args.workers),
                REPORT_WARM_UP="0",
                **variables,
            )
            server = bench_load.start_gunicorn(env, port)
            host = f"http://127.0.0.1:{port}"
            try:
                bench_load.wait_until_serving(host)
                locustfile.load_targets(targets)
                recorder = bench_load.run_phase(
                    host,
                    [
                        (locustfile.PublicReader, args.readers),
                        (locustfile.DepartmentWriter, args.writers),
                    ],
                    args.duration,
                    args.warmup,
                )
            finally:
                server.terminate()
                server.wait(timeout=30)
            result = results[name]
            result["read"] += recorder.times["read"]
            result["write"] += recorder.times["write"]
            count = len(recorder.times["read"]) + len(recorder.times["write"])
            result["requests"] += count
            result["seconds"] += recorder.window
            failures += recorder.failures + recorder.errors
            print(
                f"round {round_}, {name:<36} {count / recorder.window:6.1f} req/s  "
                f"(load average {bench_load._load_average()})"
            )

    shutil.rmtree(static_root, ignore_errors=True)
    baseline = results[next(iter(CONFIGURATIONS))]
    baseline_rate = baseline["requests"] / baseline["seconds"]
    print(f"over {args.rounds} rounds of {args.duration:g} s each:")
    for name, result in results.items():
        rate = result["requests"] / result["seconds"]
        print(f"{name}")
        print(f"  reads:  {bench_load._percentiles(result['read'])}")
        print(f"  writes: {bench_load._percentiles(result['write'])}")
        print(f"  {rate:.1f} req/s = {rate / baseline_rate:.2f} of (a)")
    print(f"failures: {len(failures)}")
    for line in failures[:10]:
        print(f"  {line}")
    print(f"load average after: {bench_load._load_average()}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
