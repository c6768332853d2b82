"""Load: 100 public readers and 10 department writers at once against the production topology,
with locust (headless, driven as a library; the users are in bench/locustfile.py).

    .venv/bin/python bench/bench_load.py [--duration 60] [--reference-duration 15]
        [--readers 100] [--writers 10] [--state DIR | --url URL] [--no-replica]

The topology: `--url` (with DATABASE_URL set) or `--state` (a directory holding the
topology.env of a running scripts/run-production.sh) names one already running; otherwise the
bench starts scripts/run-production.sh itself on a free port and stops it at the end
(`--gunicorn`, under scripts/with-postgres.sh: one gunicorn instead, no balancer). The
topology it starts has its streaming read replica (the anonymous public pages read from it);
`--no-replica` starts it without, for comparison. With a replica, the transactions it ran during
the mixed load are printed (its pg_stat_database), to show it served the public side.

1. Set-up, through manage.py on the topology's database: the FY2025 round of Osaka's plan is
   opened unless an open round has entries to edit, and the targets are read (plans, pillars,
   initiative codes, departments, fiscal years; for the writers, up to three entries of each
   demo department: in the seed 2 of 環境局 and 3 of 財政局, so ten writers collide on five
   entries).
2. Reference: the cached dashboard (/) alone, by as many users as there will be readers, for
   --reference-duration seconds; and again right after the mixed load, the ratio taken to the
   mean of the two (a host's speed drifts within minutes, and one side of the drift made the
   ratio move by half between runs).
3. Mixed load for --duration seconds: readers (home, plan, pillar and initiative pages, the
   initiative browser with one to three of its filters and search words, open-data JSON) with
   no pause, and writers (osaka-kankyo and osaka-zaisei, signed in) who open an entry, wait
   0.1–0.6 s and save it by htmx with the version the page gave them; a save refused as a
   conflict (409) is saved again with the version the refusal hands back.
4. Check, in the database: every save the server accepted is a history row with the version
   and text the response said (else it is a lost update); no two history rows claim the same
   version of an entry; each entry's version equals its first version plus its history rows;
   every refused save said so with the conflict message and was behind a version another
   save had made.

The topology's page cache is the memcached run-production.sh starts (CACHE_URL); with
CACHE_URL exported empty (`CACHE_URL= .venv/bin/python bench/bench_load.py`) each process
keeps its own, as before it, for comparison. Reads served from the cache are counted (its
X-Public-Cache header).

Prints requests, failures, p50/p99 of reads and of writes, read throughput, the ratio to the
dashboard alone (goal ≥ 0.50), lost updates, and the load average before and after; and per
measured window where the CPU went: the cores each part kept busy (app servers, PostgreSQL,
nginx, memcached, worker, the load generator, from /proc) and, from the app servers' access
log (its cpu_ms and cache fields), their CPU per kind of request. Exit
status 1 on any failed request, any lost update or a missed ratio. Nothing leaves loopback.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import gevent

# Importing locust patches the standard library for gevent (sockets, sleeps): the users are
# greenlets in this one process.
import locust  # noqa: F401
from locust.env import Environment

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import locustfile  # noqa: E402

PYTHON = sys.executable
TARGET_RATIO = 0.50
WRITER_ACCOUNTS = [("osaka-kankyo", "kankyo"), ("osaka-zaisei", "zaisei")]
SEARCH_WORDS = [
    "業務",
    "改革",
    "デジタル",
    "見直し",
    "市民",
    "効率化",
    "窓口",
    "職員",
    "削減",
    "ICT",
]

SETUP = """
import json, os
from datetime import date
from evaluations import services
from evaluations.choices import EntryState, RoundKind, RoundState
from evaluations.models import Entry, Round
from initiatives.models import Department, Initiative, Pillar, Plan

osaka = Plan.objects.get(slug="osaka-shin-shisei-kaikaku")
editable = [EntryState.NOT_STARTED, EntryState.IN_PROGRESS, EntryState.RETURNED]
round_ = (Round.objects.filter(plan=osaka, state=RoundState.OPEN, entries__state__in=editable)
          .order_by("pk").first())
if round_ is None:
    round_ = services.open_round_as_system(plan=osaka, fiscal_year=2025, kind=RoundKind.YEAR_END,
        as_of=date(2026, 3, 31), due_on=date(2026, 5, 29), actor_name="bench")
writers = []
for username, code in json.loads(os.environ["LOAD_WRITERS"]):
    entries = round_.entries.filter(initiative__department__code=code, state__in=editable)
    writers.append({"username": username,
                    "entries": list(entries.order_by("pk").values_list("pk", flat=True)[:3])})
plans = []
for plan in Plan.objects.order_by("pk"):
    pillars = Pillar.objects.filter(plan=plan).order_by("order")
    plans.append({
        "slug": plan.slug,
        "pillar_orders": [p.order for p in pillars],
        "pillar_ids": [p.pk for p in pillars],
        "codes": list(Initiative.objects.filter(plan=plan).order_by("?")
                      .values_list("code", flat=True)[:60]),
        "department_ids": list(Department.objects.filter(municipality=plan.municipality)
                               .values_list("pk", flat=True)),
        "fiscal_years": sorted(set(Round.objects.filter(plan=plan)
                                   .values_list("fiscal_year", flat=True))) or [2024],
    })
entry_ids = [e for w in writers for e in w["entries"]]
versions = dict(Entry.objects.filter(pk__in=entry_ids).values_list("pk", "version"))
print("TARGETS" + json.dumps({"plans": plans, "writers": writers,
                              "versions": {str(k): v for k, v in versions.items()}}))
"""

VERIFY = """
import json, os
from evaluations.models import Entry, HistoryEvent
data = json.load(open(os.environ["LOAD_RESULTS"], encoding="utf-8"))
first = {int(k): v for k, v in data["versions"].items()}
history = {}
duplicates = 0
rows = HistoryEvent.objects.filter(entry_id__in=list(first), action="entry.edit")
for entry_id, changes in rows.values_list("entry_id", "changes"):
    version = (changes or {}).get("version")
    if version is None or version <= first[entry_id]:
        continue
    key = (entry_id, version)
    duplicates += key in history
    history[key] = (changes.get("narrative") or {}).get("after")
lost = [a for a in data["accepted"] if history.get((a["entry"], a["version"])) != a["narrative"]]
seen = {a["narrative"] for a in data["accepted"]}
unseen = sum(1 for text in history.values() if text not in seen)
now = dict(Entry.objects.filter(pk__in=list(first)).values_list("pk", "version"))
counts = {e: sum(1 for (h, _v) in history if h == e) for e in first}
drift = [e for e in first if now[e] != first[e] + counts[e]]
unjustified = [r for r in data["refused"]
               if not any(h == r["entry"] and v > r["version"] for (h, v) in history)]
print("VERIFY" + json.dumps({"history_rows": len(history), "lost": len(lost),
    "duplicates": duplicates, "applied_unseen": unseen, "version_drift": len(drift),
    "refused_without_message": sum(1 for r in data["refused"] if not r["message"]),
    "refused_unjustified": len(unjustified)}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _read_env_file(path: Path) -> dict:
    """The variables of a shell-sourceable KEY=VALUE file (as run-production.sh writes)."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("export "):
            line = line[len("export ") :]
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, raw = line.partition("=")
        parts = shlex.split(raw)
        values[key.strip()] = parts[0] if parts else ""
    return values


@contextmanager
def topology(args):
    """(balancer URL, database URL, description, replica URL or "") of a running topology."""
    if args.url:
        database_url = os.environ.get("DATABASE_URL")
        if not database_url:
            raise SystemExit(
                "--url needs DATABASE_URL (the topology's database) to check the history"
            )
        yield args.url.rstrip("/"), database_url, f"given: {args.url}", ""
        return
    if args.state:
        LOGS[:] = [Path(args.state) / "logs"]
        env = _read_env_file(Path(args.state) / "topology.env")
        yield (
            env["BALANCER_URL"].rstrip("/"),
            env["DATABASE_URL"],
            f"running, {args.state}",
            env.get("DATABASE_REPLICA_URL", ""),
        )
        return
    script = ROOT / "scripts" / "run-production.sh"
    if not script.exists() or args.gunicorn:
        with one_gunicorn() as (host, database_url, description):
            yield host, database_url, description, ""
        return
    state = Path(tempfile.mkdtemp(prefix="rt-load-"))
    LOGS[:] = [state / "logs"]
    port = _free_port()
    replica_args = ["--no-replica"] if args.no_replica else []
    process = subprocess.Popen(
        [str(script), "--port", str(port), "--state", str(state), *replica_args],
        cwd=ROOT,
        env={**os.environ, "PYTHON": PYTHON},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        for line in process.stdout:
            if line.startswith("ready: "):
                break
            if time.monotonic() > deadline:
                raise SystemExit("run-production.sh did not become ready within 300 s")
        else:
            raise SystemExit(f"run-production.sh ended ({process.wait()}) before it was ready")
        # Keep reading its output so it never blocks on a full pipe.
        gevent.spawn(lambda: [None for _ in process.stdout])
        env = _read_env_file(state / "topology.env")
        yield (
            env["BALANCER_URL"].rstrip("/"),
            env["DATABASE_URL"],
            (
                "scripts/run-production.sh: nginx, 2 gunicorn app servers, 1 db_worker, "
                "PostgreSQL"
                + (" + streaming read replica" if env.get("DATABASE_REPLICA_URL") else "")
                + f"; page cache {env.get('CACHE_URL') or 'in each process (CACHE_URL empty)'}"
            ),
            env.get("DATABASE_REPLICA_URL", ""),
        )
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            process.kill()
        # A --state folder is kept with the database's files (linked from /tmp as root).
        pg = state / "pg"
        if pg.is_symlink():
            shutil.rmtree(pg.resolve(), ignore_errors=True)
        shutil.rmtree(state, ignore_errors=True)


def _replica_transactions(replica_url: str) -> int:
    """The transactions the replica has run (its own pg_stat_database; a standby counts the
    queries it answers)."""
    import psycopg

    with psycopg.connect(replica_url, autocommit=True) as db:
        return db.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database "
            "WHERE datname = current_database()"
        ).fetchone()[0]


def production_env(database_url: str, **extra) -> dict:
    """Production settings for a server on plain-HTTP loopback (no HTTPS redirect)."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_ENV": "production",
        "SECRET_KEY": "bench-only-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def start_gunicorn(env: dict, port: int, *extra: str) -> subprocess.Popen:
    """gunicorn with the checked-in configuration (deploy/gunicorn.conf.py), its access log off."""
    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            *("-c", "deploy/gunicorn.conf.py", "-b", f"127.0.0.1:{port}"),
            *("--access-logfile", "/dev/null", *extra),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start within 60 s")


def prepare_database(database_url: str, static_root: Path) -> None:
    """migrate, the seed, the demo accounts and collectstatic, as run-production.sh does."""
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_ENV": "development"}
    env["STATIC_ROOT"] = str(static_root)
    # collectstatic with the production settings: their storage writes the hashed names.
    production = production_env(database_url, STATIC_ROOT=str(static_root))
    for command, command_env in (
        (["migrate", "-v0"], env),
        (["load_seed", "-v0"], env),
        (["load_demo_accounts"], env),
        (["collectstatic", "--noinput", "-v0"], production),
    ):
        subprocess.run(
            [PYTHON, "manage.py", *command],
            cwd=ROOT,
            env=command_env,
            check=True,
            capture_output=True,
        )


@contextmanager
def one_gunicorn():
    """Without run-production.sh: one gunicorn (deploy/gunicorn.conf.py) on the PostgreSQL
    named by DATABASE_URL (e.g. under scripts/with-postgres.sh), no balancer."""
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        raise SystemExit("run under scripts/with-postgres.sh, or pass --url / --state")
    static_root = Path(tempfile.mkdtemp(prefix="rt-load-static-"))
    prepare_database(database_url, static_root)
    port = _free_port()
    server = start_gunicorn(production_env(database_url, STATIC_ROOT=str(static_root)), port)
    try:
        yield f"http://127.0.0.1:{port}", database_url, "one gunicorn (deploy/gunicorn.conf.py)"
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(static_root, ignore_errors=True)


def wait_until_serving(host: str, seconds: float = 180) -> None:
    """Until the dashboard answers 200 a few times in a row: every app server's workers have
    started (each warms its libraries first), so the start-up is not measured."""
    deadline = time.monotonic() + seconds
    streak = 0
    while streak < 20:
        if time.monotonic() > deadline:
            raise SystemExit(f"{host} did not serve the dashboard within {seconds:.0f} s")
        try:
            with urllib.request.urlopen(f"{host}/", timeout=30) as response:
                streak = streak + 1 if response.status == 200 else 0
        except OSError:
            streak = 0
            time.sleep(0.5)


def _manage_shell(database_url: str, code: str, marker: str, **extra_env) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_ENV": "development",
        "LOG_LEVEL": "WARNING",
        **extra_env,
    }
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py shell failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.split(marker, 1)[1].strip().splitlines()[0])


class Recorder:
    """Every request's outcome; latencies kept only inside the measured window."""

    def __init__(self):
        self.measuring = False
        self.times: dict[str, list[float]] = {"read": [], "write": [], "dashboard": []}
        self.failures: list[str] = []
        self.errors: list[str] = []
        self.window = 0.0
        self.cores: dict[str, float] = {}  # cores each part kept busy in the window
        self.started_at = 0.0  # the window's start, as time.time()
        self.sent = 0
        self.by_name: dict[str, list[float]] = {}
        # Per request name, how many the page cache served (X-Public-Cache: hit).
        self.hits: dict[str, int] = {}

    def on_request(self, request_type, name, response_time, exception=None, **kwargs):
        self.sent += 1
        if exception is not None:
            self.failures.append(f"{request_type} {name}: {exception}")
        if not self.measuring:
            return
        self.by_name.setdefault(name, []).append(response_time)
        response = kwargs.get("response")
        headers = getattr(response, "headers", None) or {}
        if headers.get("X-Public-Cache") == "hit":
            self.hits[name] = self.hits.get(name, 0) + 1
        if name.startswith("read: "):
            self.times["read"].append(response_time)
        elif name == "write: status update":
            self.times["write"].append(response_time)
        elif name == "dashboard alone":
            self.times["dashboard"].append(response_time)

    def on_user_error(self, user_instance, exception, tb, **_kwargs):
        self.errors.append(f"{type(user_instance).__name__}: {exception!r}")


# Where the CPU goes, by what a process is (its command line): the app servers, the database,
# the balancer, the cache, the task worker, and this process, which runs locust's users. Read
# from /proc at the start and end of a measured window, so each phase says how many cores each
# part kept busy and what one request cost the app servers: the ratio alone cannot tell a
# slower page from a busier load generator or a host that slowed down.
PARTS = (
    ("gunicorn", "gunicorn"),
    ("PostgreSQL", "postgres"),
    ("nginx", "nginx"),
    ("memcached", "memcached"),
    ("worker", "db_worker"),
)
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_by_part() -> dict[str, float]:
    """CPU seconds (user + system) so far of every process and of the children it reaped,
    summed per part; "load generator" is this process, "the rest" everything else on the
    machine (zeros off Linux)."""
    seconds = dict.fromkeys([name for name, _ in PARTS] + ["load generator", "the rest"], 0.0)
    proc = Path("/proc")
    if not proc.is_dir():
        return seconds
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # ended meanwhile
            continue
        fields = stat.rsplit(")", 1)[1].split()
        # With the ended children it waited for (cutime, cstime): gunicorn replaces a worker
        # after its max-requests, PostgreSQL ends a backend with its connection, and what
        # they used stays counted, in their parent.
        used = sum(int(field) for field in fields[11:15]) / _TICK
        name = stat.split("(", 1)[1].rsplit(")", 1)[0]
        if int(entry.name) == os.getpid():
            part = "load generator"
        else:
            part = next(
                (label for label, word in PARTS if word in command or name.startswith(word)),
                "the rest",
            )
        seconds[part] += used
    return seconds


# The app servers' logs of the topology the bench started or was given (run-production.sh's
# state/logs), whose access lines (reformtracker.access_log) say what each request cost.
LOGS: list[Path] = []


def _kind(line: dict) -> str:
    if line.get("cache") == "hit":
        return "served from the page cache"
    path = line["path"]
    if line["method"] == "POST":
        return "staff saves"
    if path.startswith("/staff/"):
        return "staff: entry pages"
    if ("/initiatives/" in path and "/plans/" not in path) or "initiatives.json" in path:
        return "initiative browser, rendered"
    return "other pages, rendered"


def app_cpu_by_kind(started_at: float, window: float) -> dict[str, tuple[int, float]]:
    """(requests, CPU seconds) per kind of request the app servers logged in the window."""
    kinds: dict[str, tuple[int, float]] = {}
    for folder in LOGS:
        for log in sorted(folder.glob("app-*.log")):
            for text in log.read_text(encoding="utf-8", errors="replace").splitlines():
                if '"reformtracker.access"' not in text:
                    continue
                line = json.loads(text)
                at = datetime.fromisoformat(line["time"]).timestamp()
                if not started_at <= at <= started_at + window or "cpu_ms" not in line:
                    continue
                count, seconds = kinds.get(_kind(line), (0, 0.0))
                kinds[_kind(line)] = (count + 1, seconds + line["cpu_ms"] / 1000)
    return kinds


def _app_cpu_lines(kinds: dict[str, tuple[int, float]], window: float) -> list[str]:
    total = sum(seconds for _count, seconds in kinds.values()) or 1.0
    return [
        f"    {kind:<30} {count:6d} requests  {seconds / count * 1000:6.2f} ms CPU each  "
        f"{seconds / window:4.2f} cores ({seconds / total:4.0%})"
        for kind, (count, seconds) in sorted(kinds.items(), key=lambda item: -item[1][1])
    ]


def _cores(before: dict[str, float], after: dict[str, float], window: float) -> dict[str, float]:
    return {part: max(after[part] - before[part], 0.0) / window for part in before}


def run_phase(host: str, users: list[tuple[type, int]], seconds: float, warmup: float) -> Recorder:
    """Starts the users, waits ``warmup`` seconds, measures for ``seconds``, stops them."""
    recorder = Recorder()
    classes = []
    for user_class, count in users:
        user_class.fixed_count = count
        classes.append(user_class)
    env = Environment(user_classes=classes, host=host, stop_timeout=10)
    env.events.request.add_listener(recorder.on_request)
    env.events.user_error.add_listener(recorder.on_user_error)
    runner = env.create_local_runner()
    total = sum(count for _cls, count in users)
    writers = dict(users).get(locustfile.DepartmentWriter, 0)
    locustfile.SIGNED_IN.clear()
    runner.start(total, spawn_rate=max(total / 2, 1))
    # Signing in is a deliberately slow password hash: done before the warm-up, not measured.
    deadline = time.monotonic() + 300
    while len(locustfile.SIGNED_IN) < writers and time.monotonic() < deadline:
        gevent.sleep(0.5)
    gevent.sleep(warmup)
    cpu_before = cpu_by_part()
    recorder.measuring = True
    recorder.started_at = time.time()
    start = time.monotonic()
    gevent.sleep(seconds)
    recorder.measuring = False
    recorder.window = time.monotonic() - start
    recorder.cores = _cores(cpu_before, cpu_by_part(), recorder.window)
    locustfile.STOPPING.set()
    gevent.sleep(1.5)  # writers finish the save in flight, so its outcome is recorded
    runner.stop()
    runner.greenlet.kill(block=True)
    locustfile.STOPPING.clear()
    return recorder


def _cpu_line(recorder: Recorder, requests: int) -> str:
    """How many cores each part kept busy in the window, and the app servers' CPU per
    request."""
    cores = recorder.cores
    parts = ", ".join(f"{part} {busy:.2f}" for part, busy in cores.items())
    per_request = cores.get("gunicorn", 0.0) * recorder.window / max(requests, 1) * 1000
    return f"  CPU, cores busy: {parts}; app servers {per_request:.2f} ms per request"


def _percentiles(times: list[float]) -> str:
    if not times:
        return "no requests"
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered):7.1f} ms   p99 {p99:7.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60, help="mixed load, seconds")
    parser.add_argument("--reference-duration", type=float, default=15, help="dashboard alone")
    parser.add_argument("--warmup", type=float, default=5, help="seconds before measuring")
    parser.add_argument("--readers", type=int, default=100)
    parser.add_argument("--writers", type=int, default=10)
    parser.add_argument("--url", help="a running topology's balancer (needs DATABASE_URL)")
    parser.add_argument("--state", help="a running run-production.sh's --state directory")
    parser.add_argument(
        "--gunicorn",
        action="store_true",
        help="one gunicorn on DATABASE_URL instead of run-production.sh",
    )
    parser.add_argument(
        "--without-browser",
        action="store_true",
        help="diagnosis: readers skip the initiative browser (its filters mostly miss the cache)",
    )
    parser.add_argument(
        "--no-replica",
        action="store_true",
        help="start scripts/run-production.sh without its streaming read replica",
    )
    parser.add_argument("--write-targets", help="only write the targets JSON here and stop")
    args = parser.parse_args()

    with topology(args) as (host, database_url, description, replica_url):
        targets = _manage_shell(
            database_url, SETUP, "TARGETS", LOAD_WRITERS=json.dumps(WRITER_ACCOUNTS)
        )
        targets["search_words"] = SEARCH_WORDS
        if args.write_targets:
            Path(args.write_targets).write_text(json.dumps(targets, ensure_ascii=False))
            print(f"targets written to {args.write_targets}")
            return 0
        wait_until_serving(host)
        locustfile.load_targets(targets)
        if args.without_browser:
            locustfile.PublicReader.tasks = [
                t for t in locustfile.PublicReader.tasks if t is not locustfile.PublicReader.browser
            ]
        print(f"topology: {description}; balancer {host}")
        print(f"load average before: {_load_average()}")

        reference = run_phase(
            host, [(locustfile.DashboardReader, args.readers)], args.reference_duration, args.warmup
        )
        dashboard_rate = len(reference.times["dashboard"]) / reference.window
        load_reference = _load_average()

        replica_before = _replica_transactions(replica_url) if replica_url else 0
        mixed = run_phase(
            host,
            [(locustfile.PublicReader, args.readers), (locustfile.DepartmentWriter, args.writers)],
            args.duration,
            args.warmup,
        )
        load_mixed = _load_average()
        # The reference again, right after: the host's speed drifts (this one's by a third
        # within minutes), so the mixed load is compared with the mean of the dashboard alone
        # before and after it rather than with one side of the drift.
        after = run_phase(
            host, [(locustfile.DashboardReader, args.readers)], args.reference_duration, args.warmup
        )
        dashboard_after = len(after.times["dashboard"]) / after.window
        load_after = _load_average()
        gevent.sleep(1)  # the app servers' last lines reach their logs
        reference_kinds = app_cpu_by_kind(reference.started_at, reference.window)
        mixed_kinds = app_cpu_by_kind(mixed.started_at, mixed.window)
        # Statistics reach pg_stat_database within a second of a transaction's end.
        time.sleep(1.5)
        replica_ran = _replica_transactions(replica_url) - replica_before if replica_url else 0

        with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as f:
            json.dump(
                {
                    "versions": targets["versions"],
                    "accepted": locustfile.ACCEPTED,
                    "refused": locustfile.REFUSED,
                },
                f,
            )
            f.flush()
            check = _manage_shell(database_url, VERIFY, "VERIFY", LOAD_RESULTS=f.name)

    reads, writes = mixed.times["read"], mixed.times["write"]
    read_rate = len(reads) / mixed.window
    dashboard_mean = (dashboard_rate + dashboard_after) / 2
    ratio = read_rate / dashboard_mean if dashboard_mean else 0.0
    failures = reference.failures + mixed.failures + after.failures
    errors = reference.errors + mixed.errors + after.errors
    lost = check["lost"] + check["duplicates"] + check["version_drift"]
    print(
        f"dashboard alone: {len(reference.times['dashboard'])} requests in "
        f"{reference.window:.1f} s = {dashboard_rate:.1f} req/s, "
        f"{_percentiles(reference.times['dashboard'])}   (load average {load_reference})"
    )
    print(_cpu_line(reference, len(reference.times["dashboard"])))
    if reference_kinds:
        print("  the app servers' CPU by kind of request (their access log's cpu_ms):")
        print("\n".join(_app_cpu_lines(reference_kinds, reference.window)))
    print(
        f"mixed load, {args.readers} readers + {args.writers} writers, {mixed.window:.1f} s "
        f"(load average {load_mixed}):"
    )
    print(
        _cpu_line(mixed, len(reads) + len(mixed.by_name.get("write: open entry", [])) + len(writes))
    )
    print(
        f"  requests: {len(reads) + len(writes)} measured ({len(reads)} reads, {len(writes)} "
        f"saves); {reference.sent + mixed.sent + after.sent} in all, with warm-ups and the"
        " references"
    )
    if mixed_kinds:
        print("  the app servers' CPU by kind of request (their access log's cpu_ms):")
        print("\n".join(_app_cpu_lines(mixed_kinds, mixed.window)))
    print(f"  failures: {len(failures)}   errors in users: {len(errors)}")
    for line in (failures + errors)[:10]:
        print(f"    {line}")
    print(f"  reads:  {_percentiles(reads)}   {read_rate:.1f} req/s")
    for name, times in sorted(mixed.by_name.items()):
        hits = mixed.hits.get(name, 0)
        print(
            f"    {name:<28} {len(times):6d}  {_percentiles(times)}   "
            f"cache hits {hits / len(times):4.0%}"
        )
    read_hits = sum(n for name, n in mixed.hits.items() if name.startswith("read: "))
    print(f"  reads served by the page cache: {read_hits / max(len(reads), 1):.0%}")
    if replica_url:
        print(
            f"  read replica: {replica_ran} transactions during the mixed load, with warm-up "
            f"({replica_ran / max(len(reads), 1):.2f} per measured read)"
        )
    print(f"  writes: {_percentiles(writes)}   {len(writes) / mixed.window:.1f} req/s")
    print(
        f"  saves accepted {len(locustfile.ACCEPTED)}, refused as conflicts "
        f"{len(locustfile.REFUSED)} (without the message: {check['refused_without_message']}, "
        f"not behind another save: {check['refused_unjustified']})"
    )
    print(
        f"  history: {check['history_rows']} rows for the entries; "
        f"applied but the response not seen: {check['applied_unseen']}"
    )
    print(
        f"lost updates: {lost} (accepted but not in the history {check['lost']}, "
        f"two saves of one version {check['duplicates']}, version ≠ history {check['version_drift']})"
    )
    print(
        f"dashboard alone again, after: {len(after.times['dashboard'])} requests in "
        f"{after.window:.1f} s = {dashboard_after:.1f} req/s   (load average {load_after}); "
        f"the mean of both {dashboard_mean:.1f} req/s"
    )
    print(_cpu_line(after, len(after.times["dashboard"])))
    print(
        f"read throughput / the first dashboard alone: "
        f"{read_rate / dashboard_rate if dashboard_rate else 0.0:.2f}; / the second: "
        f"{read_rate / dashboard_after if dashboard_after else 0.0:.2f}"
    )
    verdict = "OK" if ratio >= TARGET_RATIO else "MISSED"
    print(
        f"read throughput / dashboard alone (the mean of before and after): {ratio:.2f}  "
        f"(goal >= {TARGET_RATIO:.2f}: {verdict})"
    )
    print(f"load average after: {_load_average()}")
    refused_badly = check["refused_without_message"] + check["refused_unjustified"]
    ok = not failures and not errors and lost == 0 and not refused_badly and ratio >= TARGET_RATIO
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
