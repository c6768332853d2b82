"""PostgreSQL stopped for 10 s under a small concurrent load, and started again, with gunicorn
(2 sync workers, production settings, CONN_MAX_AGE 60 with CONN_HEALTH_CHECKS on) kept running.

    .venv/bin/python bench/bench_db_restart.py [--outage 10] [--readers 4] [--after 8]

Makes its own throwaway PostgreSQL server (tests/production/pgserver.py: it must stop it, so not
the one of scripts/with-postgres.sh) with the seed and an open round, starts gunicorn, and runs
``--readers`` threads asking uncached pages and JSON (a fresh query string each time, so every
request reaches the database) and one staff member saving an entry with htmx (the version each
answer hands back). After a few seconds PostgreSQL is stopped (fast: every connection dropped),
kept down ``--outage`` seconds, started, and the load goes on ``--after`` seconds.

Prints, per kind of request: the statuses during the outage (503 expected, never 500), the time
from the database accepting connections to the first success and to the last failure, any 500s
at all, whether the workers are the same processes as before, and check_invariants' verdict.
Exit status 1 when a 500 was answered, recovery took over 5 s, or an invariant broke.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.production import pgserver  # noqa: E402
from tests.production.appserver import (  # noqa: E402
    Gunicorn,
    check_invariants,
    prepare,
    production_env,
)

VERSION = re.compile(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"')
TOKEN = re.compile(r'name="change_token" value="([0-9a-f-]{36})"')
ALREADY_SAVED = "この変更はすでに保存されています"
RECOVERY_TARGET = 5.0


def _quiet(call):
    try:
        return call().status
    except OSError:
        return "no answer"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outage", type=float, default=10.0)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--before", type=float, default=3.0)
    parser.add_argument("--after", type=float, default=8.0)
    args = parser.parse_args()
    if not pgserver.available():
        print("PostgreSQL 15 binaries not found (scripts/ensure-system-deps.sh)")
        return 1

    tmp = Path(tempfile.mkdtemp(prefix="rt-bench-restart-"))
    with pgserver.PostgresServer() as pg:
        env = production_env(tmp, pg.url)
        ids = prepare(env)
        with Gunicorn(env, pgserver.free_port(), workers=2, log=tmp / "gunicorn.log") as web:
            workers = web.worker_pids()
            log: list[tuple[float, float, str, object]] = []  # start, end, kind, status
            stop = threading.Event()

            def reader(n):
                paths = ["/initiatives/", "/open-data/home.json", "/"]
                i = n
                while not stop.is_set():
                    path = paths[i % len(paths)]
                    i += 1
                    kind = "json" if path.endswith(".json") else "page"
                    started = time.monotonic()
                    status = _quiet(lambda p=path: web.get(f"{p}?q={uuid.uuid4().hex[:8]}"))
                    log.append((started, time.monotonic(), kind, status))

            def writer():
                # As a browser does: the version and the form's token from each answer; after a
                # failure the same text is sent again with the same token (a retry of one change).
                page = web.get(f"/staff/entries/{ids['entry']}/", session=ids["staff"]).text
                version = int(next(g for g in VERSION.search(page).groups() if g))
                token = TOKEN.search(page)[1]
                n = 1
                while not stop.is_set():
                    data = {
                        "result": "",
                        "reason": "",
                        "narrative": f"負荷中の保存 {n}",
                        "staff_comment": "",
                        "version": version,
                        "change_token": token,
                    }
                    started = time.monotonic()
                    try:
                        answer = web.post(
                            f"/staff/entries/{ids['entry']}/",
                            data,
                            session=ids["staff"],
                            headers={"HX-Request": "true"},
                        )
                        status = answer.status
                        if status == 200 and ALREADY_SAVED in answer.text:
                            status = "200 already saved"
                        if (found := VERSION.search(answer.text)) and status != 503:
                            version = int(next(g for g in found.groups() if g))
                        if found := TOKEN.search(answer.text):
                            token = found[1]
                        if answer.status == 200:
                            n += 1
                    except OSError:
                        status = "no answer"
                    log.append((started, time.monotonic(), "save", status))
                    time.sleep(0.05)

            threads = [threading.Thread(target=reader, args=(n,)) for n in range(args.readers)]
            threads.append(threading.Thread(target=writer))
            for thread in threads:
                thread.start()
            time.sleep(args.before)
            down = time.monotonic()
            pg.stop()
            time.sleep(args.outage)
            pg.start()  # returns once the server accepts connections
            ready = time.monotonic()
            time.sleep(args.after)
            stop.set()
            for thread in threads:
                thread.join()
            same_workers = web.worker_pids() == workers
        invariants = check_invariants(env)

    print(
        f"PostgreSQL down {ready - down:.1f} s (stopped, then started with -w), "
        f"{args.readers} readers + 1 htmx writer, 2 sync workers; load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    failed = False
    all_statuses = Counter(status for *_times, status in log)
    for kind in ("page", "json", "save"):
        rows = [(start, end, status) for start, end, k, status in log if k == kind]
        # By when a request was sent: before the stop, while the database was down, after.
        before = Counter(s for start, _end, s in rows if start < down)
        during = Counter(s for start, _end, s in rows if down <= start < ready)
        after = [(start, end, s) for start, end, s in rows if start >= ready]
        first_ok = min(
            (end - ready for start, end, s in rows if end >= ready and s == 200), default=None
        )
        last_bad = max(
            (start - ready for start, _end, s in after if not str(s).startswith("200")),
            default=None,
        )
        print(
            f"  {kind:5} sent before {dict(before)}; sent during the outage {dict(during)}; "
            f"first success {'none' if first_ok is None else f'{first_ok:.2f} s'} after ready, "
            f"last failure {'none' if last_bad is None else f'sent {last_bad:.2f} s after ready'}"
            f" ({len(after)} requests sent after)"
        )
        if first_ok is None or (last_bad or 0) > RECOVERY_TARGET:
            failed = True
    fives = all_statuses.get(500, 0)
    print(f"  500s answered: {fives}; statuses overall: {dict(all_statuses)}")
    print(f"  workers unrestarted: {same_workers}")
    print(f"  check_invariants: exit {invariants.returncode}: {invariants.stdout.strip()}")
    return 1 if failed or fives or not same_workers or invariants.returncode else 0


if __name__ == "__main__":
    sys.exit(main())
