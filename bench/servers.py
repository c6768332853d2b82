"""gunicorn on a throwaway SQLite database, for the benches that measure over HTTP
(bench_dashboard.py, bench_pages.py). Imports no Django: the servers are other processes."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HELLO = "/healthz"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(database: Path, cache: bool, memo: bool = True) -> dict:
    """The environment of a development-settings process on ``database`` (no DEBUG), with the
    page cache and the data memo on or off."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_ENV="development",
        DJANGO_DEBUG="0",
        SQLITE_PATH=str(database),
        PUBLIC_PAGE_CACHE="1" if cache else "0",
        PUBLIC_DATA_MEMO="1" if memo else "0",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


@contextmanager
def gunicorn(database: Path, cache: bool, memo: bool = True):
    """gunicorn with 2 workers on a free port; yields its base URL once HELLO answers."""
    port = free_port()
    executable = shutil.which("gunicorn", path=str(Path(PYTHON).parent)) or "gunicorn"
    server = subprocess.Popen(
        [
            executable,
            "reformtracker.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=server_env(database, cache, memo),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
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
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a loaded machine: its workers may not finish in time
            server.kill()
            server.wait()
