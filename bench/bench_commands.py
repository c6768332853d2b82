"""Management command start-up bench: the wall time of the commands timers and operators run all
day (limit 1 s each), and of the seed report from the command line (limit 2.5 s).

Each command runs in a fresh process (as a timer runs it), five times; the median wall time is
printed, and the median CPU time (user + system) of the process and its children beside it: on
a busy machine the wall time also counts waiting for a core, the CPU time does not.
Two columns: with compiled bytecode, as in any installed virtualenv (pip compiles it; here into
a private cache, PYTHONPYCACHEPREFIX, so the checkout and the virtualenv are left alone), and
from source (PYTHONDONTWRITEBYTECODE, every module compiled at each start), as a checkout run
with bytecode writing turned off behaves. Beside them, how long the compiled run's interpreter
took to exit once the command had done its work (manage.py freezes what is left so that its
final collections do not walk it).

The database is a fresh SQLite file in /tmp with the seed loaded (DATABASE_URL is ignored).

    .venv/bin/python bench/bench_commands.py
"""

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5

COMMANDS = [
    ("check", ["check"], 1.0),
    ("help", ["help"], 1.0),
    ("send_overdue_reminders --dry-run", ["send_overdue_reminders", "--dry-run"], 1.0),
    ("clear_stale_imports", ["clear_stale_imports"], 1.0),
    ("migrate --check", ["migrate", "--check"], 1.0),
    ("showmigrations", ["showmigrations"], 1.0),
]
REPORT = (
    "progress_report (seed, Osaka FY2024)",
    ["progress_report", "osaka-shin-shisei-kaikaku", "--fiscal-year", "2024"],
    2.5,
)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# ``python manage.py ARGS`` as it runs, with one more exit handler, registered first so that it
# runs last: it stamps the moment the interpreter's own exit begins (its final collections,
# freeing the modules), which ends when the process does.
MANAGE = """
import atexit, runpy, sys, time
atexit.register(lambda: print(f"exit-begins {time.time()!r}", file=sys.stderr))
sys.argv = ["manage.py", *sys.argv[1:]]
runpy.run_path("manage.py", run_name="__main__")
"""


def run(args: list[str], env: dict) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, seconds of the interpreter's exit) of one fresh
    ``manage.py *args``."""
    cpu, start = _children_cpu(), time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", MANAGE, *args], cwd=ROOT, env=env, check=True, capture_output=True
    )
    ended = time.time()
    wall = time.perf_counter() - start
    exit_begins = float(done.stderr.decode().rsplit("exit-begins ", 1)[1])
    return wall, _children_cpu() - cpu, ended - exit_begins


def median(args: list[str], env: dict) -> tuple[float, float, float]:
    run(args, env)  # the first run fills the bytecode cache (and the page cache)
    runs = [run(args, env) for _ in range(RUNS)]
    return tuple(statistics.median(run[i] for run in runs) for i in range(3))


def main():
    folder = tempfile.mkdtemp(prefix="rt-bench-commands-")
    base = {**os.environ, "DJANGO_ENV": "test", "SQLITE_PATH": f"{folder}/bench.sqlite3"}
    base.pop("DATABASE_URL", None)
    compiled = {**base, "PYTHONPYCACHEPREFIX": f"{folder}/pycache"}
    compiled.pop("PYTHONDONTWRITEBYTECODE", None)
    source = {**base, "PYTHONDONTWRITEBYTECODE": "1"}
    source.pop("PYTHONPYCACHEPREFIX", None)
    run(["migrate", "--verbosity", "0"], compiled)
    run(["load_seed"], compiled)

    print(f"load average (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"median of {RUNS} fresh processes each, wall (CPU) seconds; "
        "compiled bytecode | from source; the interpreter's exit (of the compiled wall)"
    )
    report_name, report_args, report_limit = REPORT
    report = (report_name, [*report_args, "--output", f"{folder}/r.pdf"], report_limit)
    for name, args, limit in [*COMMANDS, report]:
        (fast, fast_cpu, exit_), (slow, slow_cpu, _) = median(args, compiled), median(args, source)
        verdict = "ok" if fast <= limit else "OVER"
        print(
            f"  {name:<38} {fast:5.2f} ({fast_cpu:4.2f}) | {slow:5.2f} ({slow_cpu:4.2f})"
            f"; exit {exit_:4.2f}   limit {limit} s wall, compiled: {verdict}"
        )
    print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
