"""Requests per second of the dashboard against a hello-world view, under gunicorn (2 workers).

    .venv/bin/python bench/bench_dashboard.py [--duration 10] [--connections 16]

Needs `wrk` (Debian: apt-get install -y wrk) and gunicorn (pip install -e '.[bench]'). Builds a
seeded SQLite database in a temporary directory, then, one server at a time on 127.0.0.1:

1. cached server (PUBLIC_PAGE_CACHE=1, as in production): /healthz (hello world: no database,
   no template) and the dashboard /; the dashboard is warmed first, so wrk measures cache hits
   (each still costs the one query that fingerprints the publications);
2. the same server, with If-None-Match: what a repeat visitor costs (304, no body);
3. uncached server (PUBLIC_PAGE_CACHE=0): the dashboard rendered on every request.

Prints RPS for each and the two ratios the issue asks for: cached/hello ≥ 0.80 and
uncached/hello ≥ 0.25. Exit status 1 when either is missed. Nothing leaves loopback.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DASHBOARD = "/"
HELLO = "/healthz"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(tmp: Path, cache: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_ENV="development",
        DJANGO_DEBUG="0",
        SQLITE_PATH=str(tmp / "bench.sqlite3"),
        PUBLIC_PAGE_CACHE="1" if cache else "0",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def _prepare(tmp: Path):
    env = _env(tmp, cache=True)
    for args in (["migrate", "-v0"], ["load_seed", "-v0"]):
        subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


@contextmanager
def _gunicorn(tmp: Path, cache: bool):
    port = _free_port()
    gunicorn = shutil.which("gunicorn", path=str(Path(PYTHON).parent)) or "gunicorn"
    server = subprocess.Popen(
        [
            gunicorn,
            "reformtracker.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=_env(tmp, cache),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + HELLO, timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


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
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    options = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install -y wrk")
    with tempfile.TemporaryDirectory(prefix="reformtracker-bench-") as name:
        tmp = Path(name)
        _prepare(tmp)
        d, c = options.duration, options.connections
        with _gunicorn(tmp, cache=True) as base:
            hello = _wrk(base + HELLO, d, c)
            etag, status = _warm(base + DASHBOARD)
            assert status == "hit", f"dashboard not served from cache ({status})"
            cached = _wrk(base + DASHBOARD, d, c)
            not_modified = _wrk(base + DASHBOARD, d, c, {"If-None-Match": etag})
        with _gunicorn(tmp, cache=False) as base:
            _, status = _warm(base + DASHBOARD, times=4)
            assert status == "bypass", status
            uncached = _wrk(base + DASHBOARD, d, c)

    print(f"gunicorn 2 workers, wrk -t2 -c{c} -d{d}s, SQLite, seed data")
    print(f"  hello world  {HELLO:<10} {hello:>9.1f} req/s")
    print(f"  dashboard    {DASHBOARD:<10} {cached:>9.1f} req/s  (cached)")
    print(
        f"  dashboard    {DASHBOARD:<10} {not_modified:>9.1f} req/s  (cached, If-None-Match → 304)"
    )
    print(f"  dashboard    {DASHBOARD:<10} {uncached:>9.1f} req/s  (uncached)")
    cached_ratio, uncached_ratio = cached / hello, uncached / hello
    print(f"cached / hello   = {cached_ratio:.2f}  (target ≥ 0.80)")
    print(f"uncached / hello = {uncached_ratio:.2f}  (target ≥ 0.25)")
    if cached_ratio < 0.80 or uncached_ratio < 0.25:
        sys.exit(1)


if __name__ == "__main__":
    main()
